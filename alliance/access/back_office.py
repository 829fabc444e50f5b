"""The back office's scope: what one signed-in Django user reaches, and the admin's filters.
Re-exported by alliance.access, which callers import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from alliance.access.core import member_acts, member_is_secretariat
from alliance.models import Member, MemberRole

# --- The back office (Django admin) ---------------------------------------------------------
# The admin never relies on Django's model-permission rows (nobody assigns them): every
# ModelAdmin asks back_office_scope() who the signed-in user is and filters with the helpers
# below. tests/{alliance,resources,bookings}/test_admin.py cover each role.


@dataclass(frozen=True)
class BackOfficeScope:
    """What one signed-in user reaches in the back office, decided once per request.

    ``whole_alliance``: an active staff superuser or secretariat member sees and changes
    everything. ``unit_id``: an active staff unit resource manager of an active unit sees and
    changes the resources, closures and bookings of that unit only. Neither: nothing.
    ``member`` is who acts when the back office calls a service (a superuser without a member
    profile may look but cannot decide bookings, since services need a member as actor).
    """

    member: Member | None
    whole_alliance: bool
    unit_id: int | None

    @property
    def may_enter(self) -> bool:
        return self.whole_alliance or self.unit_id is not None

    def manages_unit(self, unit_id: int | None) -> bool:
        if self.whole_alliance:
            return True
        return unit_id is not None and unit_id == self.unit_id


def _member_with_unit(user: Any) -> Member | None:
    """The user's member with its unit (the scope reads both) in one query, cached on the
    user; None for users without a member profile and for anonymous users."""
    if not isinstance(user, models.Model) or user.pk is None:
        return getattr(user, "member", None)
    relation = Member._meta.get_field("user").remote_field
    if relation.is_cached(user):
        return relation.get_cached_value(user)
    member = Member.objects.select_related("unit").filter(user_id=user.pk).first()
    relation.set_cached_value(user, member)
    return member


def back_office_scope(user: Any) -> BackOfficeScope:
    """The back-office scope of a Django user (anonymous users get an empty scope)."""
    member = _member_with_unit(user)
    if not getattr(user, "is_active", False):
        return BackOfficeScope(member=member, whole_alliance=False, unit_id=None)
    if not getattr(user, "is_staff", False):
        return BackOfficeScope(member=member, whole_alliance=False, unit_id=None)
    if user.is_superuser:
        return BackOfficeScope(member=member, whole_alliance=True, unit_id=None)
    if member_is_secretariat(member):
        return BackOfficeScope(member=member, whole_alliance=True, unit_id=None)
    if member_acts(member) and member.role == MemberRole.UNIT_MANAGER:
        return BackOfficeScope(member=member, whole_alliance=False, unit_id=member.unit_id)
    return BackOfficeScope(member=member, whole_alliance=False, unit_id=None)


def units_visible_to(scope: BackOfficeScope) -> Q:
    """Unit filter: all for the whole alliance; a unit manager sees their own unit."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(pk=scope.unit_id)
    return Q(pk__in=[])


def members_visible_to(scope: BackOfficeScope) -> Q:
    """Member filter: all for the whole alliance; a unit manager sees their unit's people."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(unit_id=scope.unit_id)
    return Q(pk__in=[])


def resources_manageable_by(scope: BackOfficeScope) -> Q:
    """Resource filter (also for opening hours and QR codes): scope.manages_unit(unit)."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(unit_id=scope.unit_id)
    return Q(pk__in=[])


def bookings_manageable_by(scope: BackOfficeScope) -> Q:
    """Booking filter: bookings of the resources in resources_manageable_by (the same set
    bookings_decidable_by gives a member, plus everything for a superuser)."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(resource__unit_id=scope.unit_id)
    return Q(pk__in=[])


def closures_visible_to(scope: BackOfficeScope) -> Q:
    """Closure filter: a unit manager sees their resources' closures and, read-only, the
    alliance-wide ones (public holidays), which close their resources too."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(resource__unit_id=scope.unit_id) | Q(resource__isnull=True)
    return Q(pk__in=[])


def scope_may_change_closure(scope: BackOfficeScope, *, resource_unit_id: int | None) -> bool:
    """Alliance-wide closures (``resource_unit_id`` None) are the whole alliance's to change;
    a resource's closure, its unit's managers' as well."""
    if resource_unit_id is None:
        return scope.whole_alliance
    return scope.manages_unit(resource_unit_id)
