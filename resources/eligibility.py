"""Whether a member may book a resource at all, whatever the time: the one predicate behind
both the scheduler's first refusals (bookings.rules.booking_rules_check) and the catalogue's
per-caller ``can_book`` (resources.selectors), so that the API predicts exactly what a
booking request would be told.

Pure functions: they read the member's and the resource's units (load them with
``select_related``) and an allow-list the caller already has, and never query.
"""

from __future__ import annotations

from alliance.access import member_unit_may_book
from alliance.models import Member, Unit
from resources.models import Resource

#: The refusal codes (alliance.errors) booking_refusal may answer, in the order it checks.
REFUSAL_CODES = (
    "not_bound",
    "member_inactive",
    "booking_unit_inactive",
    "resource_unit_inactive",
    "resource_retired",
    "not_allowed_for_unit",
)


def units_refusal(*, resource: Resource, booker_unit: Unit | None) -> str | None:
    """``booking_unit_inactive`` when the booker's unit is deactivated (None: a caller of no
    unit), ``resource_unit_inactive`` when the unit sharing the resource is; else None."""
    if booker_unit is not None and not booker_unit.is_active:
        return "booking_unit_inactive"
    if not resource.unit.is_active:
        return "resource_unit_inactive"
    return None


def booking_refusal(
    *, member: Member | None, resource: Resource, allowed_unit_ids: set[int]
) -> str | None:
    """The code the scheduler would refuse any booking of ``resource`` by ``member`` with,
    before looking at the time asked for; None when some time may be bookable.

    ``member`` None is a caller who is no member (an unbound WeChat sign-in): ``not_bound``,
    as the booking endpoint answers them. ``allowed_unit_ids`` is the allow-list, or any
    subset of it that contains the member's unit when the list does (see
    resources.selectors.allow_list_probe).
    """
    if member is None:
        return "not_bound"
    if not member.is_active:
        return "member_inactive"
    refusal = units_refusal(
        resource=resource, booker_unit=member.unit if member.unit_id is not None else None
    )
    if refusal is not None:
        return refusal
    if resource.is_retired:
        return "resource_retired"
    if not member_unit_may_book(member, resource, allowed_unit_ids):
        return "not_allowed_for_unit"
    return None
