"""The instrument-sharing chain's policy: qualifications, sample orders, the national
assessment, the duplicate-purchase check, quotas. Re-exported by alliance.access, which
callers import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from alliance.access.back_office import BackOfficeScope
from alliance.access.core import (
    _managed_unit_filter,
    member_acts,
    member_is_secretariat,
    member_manages_unit,
)
from alliance.models import Member, MemberRole

if TYPE_CHECKING:
    from bookings.models import PurchaseCheck
    from bookings.sample_models import SampleOrder
    from resources.models import Qualification


# --- Qualifications (issue 10) --------------------------------------------------------------
# tests/alliance/test_access_qualifications.py covers every role against every helper.


def member_can_request_qualification(member: Member | None) -> bool:
    """Ask for training: any active member of an active unit, for themselves."""
    return member_acts(member)


def member_can_withdraw_qualification(member: Member | None, qualification: Qualification) -> bool:
    """Withdraw a request: its member only, while active."""
    if not isinstance(member, Member) or not member.is_active:
        return False
    return qualification.member_id == member.pk


def member_can_decide_qualification(member: Member | None, qualification: Qualification) -> bool:
    """Schedule training, grant, refuse and revoke: the secretariat, or the managers of the
    resource's unit."""
    return member_manages_unit(member, qualification.resource.unit_id)


def member_can_view_qualification(member: Member | None, qualification: Qualification) -> bool:
    """See a qualification and its history: its member, or whoever may decide it."""
    if member_can_withdraw_qualification(member, qualification):
        return True
    return member_can_decide_qualification(member, qualification)


def qualifications_decidable_by(member: Member | None) -> Q:
    """Qualification filter mirroring member_can_decide_qualification."""
    return _managed_unit_filter(member, "resource__unit_id")


def qualifications_manageable_by(scope: BackOfficeScope) -> Q:
    """Back-office filter: the qualifications of the resources in resources_manageable_by."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(resource__unit_id=scope.unit_id)
    return Q(pk__in=[])


# --- Sample orders (issue 10) -----------------------------------------------------------------
# The two sides of an order: the requester (submits, cancels until the samples are received,
# confirms the report) and the owning unit's managers with the secretariat (accept or refuse,
# receive, test, report). tests/alliance/test_access_samples.py covers every role.


def member_can_submit_sample_order(member: Member | None) -> bool:
    """Submit an order: any active member of an active unit, for themselves (whether their
    unit may use the resource is the allow-list's question, resources.eligibility)."""
    return member_acts(member)


def member_is_sample_requester(member: Member | None, order: SampleOrder) -> bool:
    """Cancel and confirm: the requester only, while active."""
    if not isinstance(member, Member) or not member.is_active:
        return False
    return order.requester_id == member.pk


def member_handles_samples(member: Member | None) -> bool:
    """See the queue of orders of their unit's resources (all, for the secretariat): the
    unit managers and the secretariat."""
    if not member_acts(member):
        return False
    return member.role in (MemberRole.UNIT_MANAGER, MemberRole.SECRETARIAT)


def member_can_handle_sample_order(member: Member | None, order: SampleOrder) -> bool:
    """Accept, refuse, receive, test, report: the managers of the resource's unit and the
    secretariat. Reads ``order.resource`` (load it with the order)."""
    return member_manages_unit(member, order.resource.unit_id)


def member_can_view_sample_order(member: Member | None, order: SampleOrder) -> bool:
    """See an order, its history and its report: either side."""
    if member_is_sample_requester(member, order):
        return True
    return member_can_handle_sample_order(member, order)


def sample_orders_handled_by(member: Member | None) -> Q:
    """SampleOrder filter mirroring member_can_handle_sample_order."""
    return _managed_unit_filter(member, "resource__unit_id")


def sample_orders_visible_to(member: Member | None) -> Q:
    """SampleOrder filter mirroring member_can_view_sample_order."""
    if not isinstance(member, Member) or not member.is_active:
        return Q(pk__in=[])
    handled = sample_orders_handled_by(member)
    if not handled:  # Q(): every order (an empty Q would vanish from an OR)
        return Q()
    return Q(requester_id=member.pk) | handled


def sample_orders_manageable_by(scope: BackOfficeScope) -> Q:
    """Back-office filter: the orders of the resources in resources_manageable_by."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(resource__unit_id=scope.unit_id)
    return Q(pk__in=[])


# --- The national assessment and the duplicate-purchase check (issue 11) --------------------
# tests/alliance/test_access_assessment.py covers every role against every helper.


def member_can_view_assessment(member: Member | None, unit_id: int) -> bool:
    """See a unit's instruments in the national open-sharing assessment, and export them:
    its managers and the secretariat (who sees every unit's)."""
    return member_manages_unit(member, unit_id)


def assessment_resources_visible_to(member: Member | None) -> Q:
    """Resource filter mirroring member_can_view_assessment: the secretariat's all, a unit
    manager's their unit's, nobody else's any."""
    return _managed_unit_filter(member, "unit_id")


def member_can_create_purchase_check(member: Member | None, unit_id: int) -> bool:
    """Enter a duplicate-purchase check for a unit planning a purchase: its managers, and
    the secretariat on any unit's behalf."""
    return member_manages_unit(member, unit_id)


def member_can_view_purchase_check(member: Member | None, check: PurchaseCheck) -> bool:
    """See a check's report and export it: the planning unit's managers and the secretariat."""
    return member_manages_unit(member, check.unit_id)


def member_can_decide_purchase_check(member: Member | None, check: PurchaseCheck) -> bool:
    """Record the outcome (bought, shared instead, undecided): the planning unit's managers
    and the secretariat."""
    return member_manages_unit(member, check.unit_id)


def purchase_checks_visible_to(member: Member | None) -> Q:
    """PurchaseCheck filter mirroring member_can_view_purchase_check."""
    return _managed_unit_filter(member, "unit_id")


# --- Quotas and the credit score (issue 12) ----------------------------------------------


def quotas_manageable_by(scope: BackOfficeScope) -> Q:
    """Quota filter: the secretariat sees every quota; a unit manager those of their unit's
    resources (a kind's quotas span units: the secretariat's)."""
    if scope.whole_alliance:
        return Q()
    if scope.unit_id is not None:
        return Q(resource__unit_id=scope.unit_id)
    return Q(pk__in=[])


def scope_may_change_quota(scope: BackOfficeScope, *, resource_unit_id: int | None) -> bool:
    """A kind's quota (no resource): the secretariat; a resource's: its unit's managers."""
    if resource_unit_id is None:
        return scope.whole_alliance
    return scope.manages_unit(resource_unit_id)


def member_can_set_quota(member: Member | None, *, resource_unit_id: int | None) -> bool:
    """Set or remove a quota (bookings.quota_services): a kind's (no resource) the
    secretariat's; a resource's its unit's managers' and the secretariat's. The member-side
    twin of scope_may_change_quota."""
    if resource_unit_id is None:
        return member_is_secretariat(member)
    return member_manages_unit(member, resource_unit_id)
