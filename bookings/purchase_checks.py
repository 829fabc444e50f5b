"""The duplicate-purchase check (查重评议, issue 11): entering a planned purchase computes and
keeps its report; the planning unit records the outcome later.

What the report matches (docs/decisions/0012-duplicate-purchase-check.md): the alliance's
instruments (kind equipment, not retired, of an active unit) whose national classification
code lies in the same class as the planned instrument, that is shares its first four digits
(the 中类, e.g. 0101 电子光学仪器). A six-digit code narrows nothing out: an instrument of the
same class but another subclass is still listed, marked ``same_code`` false, since a unit
asked to share rather than buy wants to see every candidate; a two-digit code (a whole
category, e.g. 01 分析仪器) is too broad to be a class and is refused
(``purchase_class_too_broad``). Instruments whose own code stops at the category level are
not listed: nothing says they are of the class.

Each instrument carries last calendar year's effective working hours (bookings.figures,
the one computation of recorded-use hours) and whether they reach the 1,200 hours a year
that the purchase rules (财科教〔2019〕1号) accept as fully used. The report is a snapshot:
it says what the unit was shown that day, whatever happens later.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access import (
    member_can_create_purchase_check,
    member_can_decide_purchase_check,
    member_refusal,
)
from alliance.actors import actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member, Unit
from alliance.services import text_clean, yuan_clean
from bookings.figures import Period, usage_hours
from bookings.purchase_models import PurchaseCheck, PurchaseOutcome
from resources.assets import CLASSIFICATION_TOP_LEVEL, classification_code_validate
from resources.models import Resource, ResourceKind

#: The yearly effective hours that the purchase rules (财科教〔2019〕1号) accept as "fully
#: used": below it, an instrument of the class has room to share.
FULLY_USED_HOURS = 1200
#: Digits of the classification code that make a class (中类): the matching level.
CLASS_DIGITS = 4
NAME_MAX_LENGTH = 100
SPECIFICATIONS_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500
#: The snapshot's layout; a page reading an older one knows which fields to expect.
REPORT_VERSION = 1


def _code(value: Any) -> str:
    code = text_clean(value, field="classification_code", max_length=6, required=True)
    try:
        classification_code_validate(code)
    except DjangoValidationError:
        raise ValidationFailed(
            "invalid", fields={"classification_code": ["invalid_classification"]}
        ) from None
    if len(code) < CLASS_DIGITS:
        raise ValidationFailed(
            "purchase_class_too_broad", fields={"classification_code": ["too_broad"]}
        )
    return code


def report_year(now: dt.datetime) -> int:
    """The year whose hours a check made at ``now`` reports: the last full calendar year in
    the alliance's zone."""
    return timezone.localtime(now).year - 1


def purchase_report_compute(*, classification_code: str, unit_id: int, year: int) -> dict:
    """The report of a planned purchase of class ``classification_code[:4]``: every matching
    instrument with its owner, ``year``'s effective hours, whether they reach
    FULLY_USED_HOURS, and what booking it takes. Instruments with room to share come first
    (fewest hours), then the rest; each group by name. Two queries and the hours' one."""
    class_code = classification_code[:CLASS_DIGITS]
    instruments = list(
        Resource.objects.filter(
            kind=ResourceKind.EQUIPMENT,
            is_retired=False,
            unit__is_active=True,
            classification_code__startswith=class_code,
        )
        .select_related("unit")
        .order_by("name", "pk")
    )
    hours = usage_hours(
        period=Period.year(year), resource_ids=[resource.pk for resource in instruments]
    )
    rows = []
    for resource in instruments:
        figures = hours.get(resource.pk)
        effective = figures.effective_hours if figures is not None else 0.0
        rows.append(
            {
                "resource_id": resource.pk,
                "name": resource.name,
                "unit_id": resource.unit_id,
                "unit_name": resource.unit.name,
                "own_unit": resource.unit_id == unit_id,
                "classification_code": resource.classification_code,
                "classification_name": resource.classification_name,
                "same_code": resource.classification_code == classification_code,
                "effective_hours": f"{effective:.2f}",
                "fully_used": effective >= FULLY_USED_HOURS,
                "expected_yearly_hours": resource.expected_yearly_hours,
                "service_modes": resource.service_modes,
                "requires_approval": resource.requires_approval,
                "requires_qualification": resource.requires_qualification,
                "location": resource.location,
                "contact_name": resource.contact_name,
                "contact_phone": resource.contact_phone,
            }
        )
    rows.sort(key=lambda row: (row["fully_used"], Decimal(row["effective_hours"])))
    return {
        "version": REPORT_VERSION,
        "year": year,
        "class_code": class_code,
        "category_name": CLASSIFICATION_TOP_LEVEL[class_code[:2]],
        "fully_used_hours": FULLY_USED_HOURS,
        "instruments": rows,
        "matched": len(rows),
        "with_room": sum(1 for row in rows if not row["fully_used"]),
    }


def purchase_check_create(
    *,
    actor: Member,
    unit_id: int,
    instrument_name: str,
    classification_code: str,
    specifications: str,
    price: Any,
    now: dt.datetime | None = None,
) -> PurchaseCheck:
    """Enter a planned purchase and keep its report: a manager of the planning unit, or the
    secretariat on its behalf. 400 ``invalid`` (naming the field),
    ``purchase_class_too_broad``, ``unit_inactive``; 403 for anyone else."""
    now = now or timezone.now()
    actor_require(actor)
    if isinstance(unit_id, bool) or not isinstance(unit_id, int):
        raise ValidationFailed("invalid", fields={"unit": ["invalid"]})
    if not member_can_create_purchase_check(actor, unit_id):
        raise member_refusal(actor)
    name = text_clean(
        instrument_name, field="instrument_name", max_length=NAME_MAX_LENGTH, required=True
    )
    code = _code(classification_code)
    specifications = text_clean(
        specifications,
        field="specifications",
        max_length=SPECIFICATIONS_MAX_LENGTH,
        required=True,
        multiline=True,
    )
    price = yuan_clean(price, field="price")
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationFailed("invalid", fields={"unit": ["does_not_exist"]})
    if not unit.is_active:
        raise ValidationFailed("unit_inactive")
    year = report_year(now)
    report = purchase_report_compute(classification_code=code, unit_id=unit_id, year=year)
    with transaction.atomic(durable=True):
        return PurchaseCheck.objects.create(
            unit=unit,
            entered_by=actor,
            instrument_name=name,
            classification_code=code,
            specifications=specifications,
            price=price,
            report=report,
            created_at=now,
        )


def purchase_check_outcome_set(
    *,
    actor: Member,
    check_id: int,
    outcome: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> PurchaseCheck:
    """Record what the unit did: bought anyway, not bought because it shares instead (both
    with a reason), or back to undecided. It may change its mind; the latest word stands,
    with who said it and when. 400 ``invalid``; 403; 404."""
    now = now or timezone.now()
    actor_require(actor)
    if outcome not in PurchaseOutcome.values:
        raise ValidationFailed("invalid", fields={"outcome": ["invalid_choice"]})
    reason = text_clean(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        required=outcome != PurchaseOutcome.UNDECIDED,
        multiline=True,
    )
    with transaction.atomic(durable=True):
        check = PurchaseCheck.objects.select_for_update(of=("self",)).filter(pk=check_id).first()
        if check is None:
            raise NotFound()
        if not member_can_decide_purchase_check(actor, check):
            raise member_refusal(actor)
        check.outcome, check.outcome_reason = outcome, reason
        check.outcome_by, check.outcome_at = actor, now
        check.save(update_fields=["outcome", "outcome_reason", "outcome_by", "outcome_at"])
        return check
