"""Reads of duplicate-purchase checks (查重评议): the checks a member may see, one check, and
the counts the secretariat reports (how many purchases sharing made unnecessary)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from alliance.access import (
    member_can_create_purchase_check,
    member_is_secretariat,
    purchase_checks_visible_to,
)
from alliance.errors import NotFound
from alliance.models import Member, Unit
from bookings.purchase_models import PurchaseCheck, PurchaseOutcome


def purchase_check_list_for_member(*, member: Member | None) -> QuerySet[PurchaseCheck]:
    """The checks of the member's unit (a unit manager) or of every unit (the secretariat),
    newest first; none for anyone else."""
    return (
        PurchaseCheck.objects.filter(purchase_checks_visible_to(member))
        .select_related("unit", "entered_by", "outcome_by")
        .order_by("-created_at", "-pk")
    )


def purchase_check_get_for_member(*, member: Member | None, check_id: int) -> PurchaseCheck:
    """One check the member may see; NotFound otherwise (unknown and invisible alike)."""
    check = purchase_check_list_for_member(member=member).filter(pk=check_id).first()
    if check is None:
        raise NotFound()
    return check


@dataclass(frozen=True)
class PurchaseSummary:
    """What the visible checks came to: how many, by outcome, and the price of the purchases
    that sharing made unnecessary (``shared``)."""

    total: int
    undecided: int
    bought: int
    shared: int
    shared_price: Decimal


def purchase_check_summary(*, member: Member | None) -> PurchaseSummary:
    """The counts over the checks the member sees, in one aggregate query."""
    counts = PurchaseCheck.objects.filter(purchase_checks_visible_to(member)).aggregate(
        total=Count("pk"),
        undecided=Count("pk", filter=Q(outcome=PurchaseOutcome.UNDECIDED)),
        bought=Count("pk", filter=Q(outcome=PurchaseOutcome.BOUGHT)),
        shared=Count("pk", filter=Q(outcome=PurchaseOutcome.SHARED)),
        shared_price=Sum("price", filter=Q(outcome=PurchaseOutcome.SHARED)),
    )
    return PurchaseSummary(
        total=counts["total"],
        undecided=counts["undecided"],
        bought=counts["bought"],
        shared=counts["shared"],
        shared_price=Decimal(counts["shared_price"] or 0).quantize(Decimal("0.01")),
    )


def purchase_check_units_for(*, member: Member | None) -> list[Unit]:
    """The units ``member`` may enter checks for: every active unit for the secretariat, their
    own for a unit manager (while active), none for anyone else."""
    units = Unit.objects.filter(is_active=True).order_by("name")
    if member_is_secretariat(member):
        return list(units)
    return [
        unit
        for unit in units.filter(pk=getattr(member, "unit_id", None))
        if member_can_create_purchase_check(member, unit.pk)
    ]
