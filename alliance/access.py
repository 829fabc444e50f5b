"""Who may do what. Every entry point (API, admin, commands, services) asks these helpers.

Each condition stands on its own line so that a reviewer can read the policy at a glance;
tests/alliance/test_access.py covers every role against every helper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from alliance.models import Member, MemberRole

if TYPE_CHECKING:
    from bookings.models import Booking
    from resources.models import Resource


def member_is_secretariat(member: Member | None) -> bool:
    return member is not None and member.is_active and member.role == MemberRole.SECRETARIAT


def member_manages_unit(member: Member | None, unit_id: int) -> bool:
    """A unit resource manager manages their own unit only; the secretariat manages all."""
    if member is None or not member.is_active:
        return False
    if member.role == MemberRole.SECRETARIAT:
        return True
    return member.role == MemberRole.UNIT_MANAGER and member.unit_id == unit_id


def member_can_manage_resource(member: Member | None, resource: Resource) -> bool:
    """Edit the resource, its opening hours and closures."""
    return member_manages_unit(member, resource.unit_id)


def member_unit_may_book(member: Member, resource: Resource, allowed_unit_ids: set[int]) -> bool:
    """An empty allow-list means every member unit may book the resource."""
    if not allowed_unit_ids:
        return True
    return member.unit_id in allowed_unit_ids


def member_can_decide_booking(member: Member | None, booking: Booking) -> bool:
    """Approve or reject: the secretariat, or the managers of the resource's unit."""
    return member_manages_unit(member, booking.resource.unit_id)


def member_can_cancel_booking(member: Member | None, booking: Booking) -> bool:
    """Cancel: the booker, the booker's unit manager, or the secretariat."""
    if member is None or not member.is_active:
        return False
    if booking.member_id == member.pk:
        return True
    return member_manages_unit(member, booking.unit_id)


def member_can_view_booking(member: Member | None, booking: Booking) -> bool:
    """See a booking in full: whoever may cancel or decide it."""
    if member_can_cancel_booking(member, booking):
        return True
    return member_can_decide_booking(member, booking)


# --- The same policy as query filters (for lists) ------------------------------------------
# Each mirrors the per-object helper named in its docstring; tests/api/test_permissions.py
# checks that the two agree for every role.


def bookings_visible_to(member: Member | None) -> Q:
    """Booking filter for member_can_view_booking: own bookings; a unit manager's also those
    booked by their unit or of their unit's resources; the secretariat's all."""
    if member is None or not member.is_active:
        return Q(pk__in=[])
    if member.role == MemberRole.SECRETARIAT:
        return Q()
    visible = Q(member_id=member.pk)
    if member.role == MemberRole.UNIT_MANAGER:
        visible |= Q(unit_id=member.unit_id)
        visible |= Q(resource__unit_id=member.unit_id)
    return visible


def bookings_decidable_by(member: Member | None) -> Q:
    """Booking filter for member_can_decide_booking: bookings of resources the member's unit
    owns (unit managers), or all (the secretariat)."""
    if member is None or not member.is_active:
        return Q(pk__in=[])
    if member.role == MemberRole.SECRETARIAT:
        return Q()
    if member.role == MemberRole.UNIT_MANAGER:
        return Q(resource__unit_id=member.unit_id)
    return Q(pk__in=[])
