"""The core policy: who acts, who manages a unit, and what a member may do with bookings,
resources, figures and members. Re-exported by alliance.access, which callers import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied
from alliance.models import Member, MemberRole

if TYPE_CHECKING:
    from alliance.actors import Actor
    from bookings.models import Booking
    from resources.models import Resource


def member_acts(member: Member | None) -> bool:
    """An active member of an active unit: the precondition of every right over others.

    Reads ``member.unit`` (one query unless it was loaded with the member)."""
    if not isinstance(member, Member):  # None (nobody) or SYSTEM: not a member
        return False
    if not member.is_active:
        return False
    return member.unit.is_active


def member_refusal(member: Member | None) -> AccessDenied:
    """The refusal for a member a helper said no to: ``actor_unit_inactive`` when their unit
    is deactivated (so they learn why), otherwise ``permission_denied``."""
    if isinstance(member, Member) and member.is_active and not member.unit.is_active:
        return AccessDenied("actor_unit_inactive")
    return AccessDenied()


def member_is_secretariat(member: Member | None) -> bool:
    if not member_acts(member):
        return False
    return member.role == MemberRole.SECRETARIAT


def member_manages_unit(member: Member | None, unit_id: int) -> bool:
    """A unit resource manager manages their own unit only; the secretariat manages all."""
    if not member_acts(member):
        return False
    if member.role == MemberRole.SECRETARIAT:
        return True
    return member.role == MemberRole.UNIT_MANAGER and member.unit_id == unit_id


def _managed_unit_filter(member: Member | None, unit_field: str) -> Q:
    """The filter behind every "the secretariat all, a unit manager their unit's, nobody
    else any" list: ``unit_field`` is the lookup from the listed model to the unit."""
    if not member_acts(member):
        return Q(pk__in=[])
    if member.role == MemberRole.SECRETARIAT:
        return Q()
    if member.role == MemberRole.UNIT_MANAGER:
        return Q(**{unit_field: member.unit_id})
    return Q(pk__in=[])


def member_can_manage_resource(member: Member | None, resource: Resource) -> bool:
    """Edit the resource, its opening hours and closures."""
    return member_manages_unit(member, resource.unit_id)


def member_can_view_resource_operators(member: Member | None, resource: Resource) -> bool:
    """See who operates a resource in assisted use (issue 10): whoever manages it."""
    return member_can_manage_resource(member, resource)


def member_operates_booking(member: Member | None, booking: Booking) -> bool:
    """The active operator of an assisted booking (issue 10): they may check it in and out,
    since they run the instrument for the booker."""
    return member_acts(member) and booking.operator_id == member.pk


def member_unit_may_book(member: Member, resource: Resource, allowed_unit_ids: set[int]) -> bool:
    """An empty allow-list means every member unit may book the resource."""
    if not allowed_unit_ids:
        return True
    return member.unit_id in allowed_unit_ids


def member_can_decide_booking(member: Member | None, booking: Booking) -> bool:
    """Approve or reject: the secretariat, or the managers of the resource's unit."""
    return member_manages_unit(member, booking.resource.unit_id)


def member_can_cancel_booking(member: Member | None, booking: Booking) -> bool:
    """Cancel: the booker, the booker's unit manager, the managers of the resource's unit
    (issue 9: a closure or a repair is theirs to announce), or the secretariat. Anyone but
    the booker must say why (bookings.lifecycle.booking_cancel)."""
    if not isinstance(member, Member) or not member.is_active:
        return False
    if booking.member_id == member.pk:
        return True
    if member_manages_unit(member, booking.resource.unit_id):
        return True
    return member_manages_unit(member, booking.unit_id)


def member_can_check_in_booking(member: Member | None, booking: Booking) -> bool:
    """Check in or out: the booker, the operator of an assisted booking, or the managers of
    the resource's unit on their behalf."""
    if not isinstance(member, Member) or not member.is_active:
        return False
    if booking.member_id == member.pk or member_operates_booking(member, booking):
        return True
    return member_manages_unit(member, booking.resource.unit_id)


def member_can_view_booking(member: Member | None, booking: Booking) -> bool:
    """See a booking in full: whoever may cancel or decide it."""
    if member_can_cancel_booking(member, booking):
        return True
    return member_can_decide_booking(member, booking)


def member_can_issue_invite(actor: Member | None, member: Member) -> bool:
    """Give a member a (new) invite code: whoever may create that member, that is the
    secretariat for anyone, a unit manager for the researchers of their own unit."""
    if member_is_secretariat(actor):
        return True
    if member.role != MemberRole.RESEARCHER:
        return False
    return member_manages_unit(actor, member.unit_id)


def member_can_read_figures(member: Member | None) -> bool:
    """Read the statistics (issue 11): the secretariat (all of them) and unit managers (their
    own unit's, plus the alliance-wide totals). Researchers read only the public summary."""
    if not member_acts(member):
        return False
    if member.role == MemberRole.SECRETARIAT:
        return True
    return member.role == MemberRole.UNIT_MANAGER


def figures_unit_scope(member: Member | None, unit_id: int | None = None) -> int | None:
    """The unit whose per-resource and per-unit figures ``member`` may read, narrowed by the
    ``unit_id`` asked for: None means every unit (the secretariat asking for all). A unit
    manager is held to their own unit; asking for another is refused, as is a researcher."""
    if not member_can_read_figures(member):
        raise member_refusal(member)
    if member.role == MemberRole.SECRETARIAT:
        return unit_id
    if unit_id is not None and unit_id != member.unit_id:
        raise AccessDenied()
    return member.unit_id


# --- The same policy as query filters (for lists) ------------------------------------------
# Each mirrors the per-object helper named in its docstring; tests/api/test_permissions.py
# checks that the two agree for every role.


def bookings_visible_to(member: Member | None) -> Q:
    """Booking filter for member_can_view_booking: own bookings; a unit manager's also those
    booked by their unit or of their unit's resources; the secretariat's all. A member of a
    deactivated unit sees their own only."""
    if not isinstance(member, Member) or not member.is_active:
        return Q(pk__in=[])
    visible = Q(member_id=member.pk)
    if not member_acts(member):
        return visible
    if member.role == MemberRole.SECRETARIAT:
        return Q()
    if member.role == MemberRole.UNIT_MANAGER:
        visible |= Q(unit_id=member.unit_id)
        visible |= Q(resource__unit_id=member.unit_id)
    return visible


def bookings_decidable_by(member: Member | None) -> Q:
    """Booking filter for member_can_decide_booking: bookings of resources the member's unit
    owns (unit managers), or all (the secretariat)."""
    return _managed_unit_filter(member, "resource__unit_id")


# --- Members ---------------------------------------------------------------------------

#: What members may change of themselves, and what unit managers may change of researchers.
MEMBER_SELF_SERVICE_FIELDS = frozenset({"name", "phone"})
MEMBER_MANAGER_FIELDS = frozenset({"name", "phone", "is_active", "role", "unit_id"})


def member_can_create_member(actor: Actor | None, *, unit_id: int, role: str) -> bool:
    """The secretariat (or the system) creates anyone; a unit manager creates researchers of
    their own unit only."""
    if actor is SYSTEM or member_is_secretariat(actor):
        return True
    if role != MemberRole.RESEARCHER:
        return False
    return member_manages_unit(actor, unit_id)


def member_can_update_member(actor: Actor | None, member: Member, changes: dict) -> bool:
    """The secretariat (or the system) changes anything; a unit manager changes name, phone
    and active flag of a researcher of their unit (who stays a researcher of that unit);
    anyone their own name and phone."""
    if actor is SYSTEM or member_is_secretariat(actor):
        return True
    if actor is None:
        return False
    if actor.pk == member.pk and set(changes) <= MEMBER_SELF_SERVICE_FIELDS:
        return actor.is_active
    if member.role != MemberRole.RESEARCHER:
        return False
    if not set(changes) <= MEMBER_MANAGER_FIELDS:
        return False
    if changes.get("role", MemberRole.RESEARCHER) != MemberRole.RESEARCHER:
        return False
    if changes.get("unit_id", member.unit_id) != member.unit_id:
        return False
    return member_manages_unit(actor, member.unit_id)


# --- Staff actions on bookings (issue 9) ------------------------------------------------------


def member_can_book_on_behalf(actor: Member | None, resource: Resource) -> bool:
    """Book the resource for another member (代预约): the managers of the resource's unit
    and the secretariat. Whom for is the scheduler's question: any active member of an
    active unit the resource's allow-list admits, as if they booked themselves."""
    return member_manages_unit(actor, resource.unit_id)


def member_can_close_over_bookings(actor: Member | None, resource: Resource | None) -> bool:
    """Close a resource (or retire it) and cancel the bookings that closure hits, seeing
    who booked them: its unit's managers and the secretariat; an alliance-wide closure
    (``resource`` None, a public holiday) the secretariat only."""
    if resource is None:
        return member_is_secretariat(actor)
    return member_can_manage_resource(actor, resource)


# --- People: the staff's member management (issue 9) ----------------------------------------
# Rules, in one place:
# - A unit manager manages the people of their own unit, the secretariat everyone's
#   (member_can_manage_people): see the list, invite, import.
# - Deactivating and reactivating: the secretariat anyone, a unit manager the researchers of
#   their own unit (the members they may create); nobody themselves, so that nobody locks
#   themselves out by a slip of the finger.
# - Roles are the secretariat's to change, never their own: a unit manager who could promote
#   would make unit managers out of the researchers they alone may create.
# - The last active secretariat member is never demoted or deactivated (member_update's
#   ``last_secretariat``), whoever asks.


def member_can_manage_people(actor: Member | None, unit_id: int) -> bool:
    """See a unit's people, invite them and import them: its managers and the secretariat."""
    return member_manages_unit(actor, unit_id)


def member_can_set_member_active(actor: Member | None, member: Member) -> bool:
    """Deactivate or reactivate ``member``: see the rules above."""
    if not member_acts(actor):
        return False
    if actor.pk == member.pk:
        return False
    if actor.role == MemberRole.SECRETARIAT:
        return True
    if member.role != MemberRole.RESEARCHER:
        return False
    return member_manages_unit(actor, member.unit_id)


def member_can_change_role(actor: Member | None, member: Member) -> bool:
    """Give ``member`` another role: the secretariat, for anyone but themselves."""
    if not member_is_secretariat(actor):
        return False
    return actor.pk != member.pk


def member_import_roles(actor: Member | None, unit_id: int) -> frozenset[str]:
    """The roles ``actor`` may give members they import into a unit: those they may create
    (member_can_create_member), so an import grants no more than one-by-one creation."""
    return frozenset(
        role
        for role in MemberRole.values
        if member_can_create_member(actor, unit_id=unit_id, role=role)
    )
