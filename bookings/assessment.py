"""The national open-sharing assessment (开放共享评价考核, issue 11): per large instrument and
year, the indicators the assessment asks for, and the usage records behind them.

Every hour comes from bookings.figures (:func:`~bookings.figures.usage_hours` for the
instruments' figures, :func:`~bookings.figures.usage.sessions_in_period` for the records,
the same expressions), so that the export's totals are the dashboard's and each figure is the
sum of its records. Definitions and sources: docs/assessment.md.

- 有效工作机时 (effective hours) and 对外服务机时 (external hours), units served: the figures'.
- 共享率 (share rate): external ÷ effective hours.
- 定额完成率: effective ÷ the instrument's expected yearly hours (定额机时, resources.assets).
- 服务收入 (service income): the sum of the fees recorded on sessions that started in the
  year (a fee is charged once; a session across New Year counts its hours in both years and
  its fee in the year it started). None when no session of the instrument records one.

The instruments: resources of kind equipment of the units the member may see
(alliance.access), retired ones only when they were used in the year. A fixed number of
queries whatever the number of instruments or sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum
from django.utils import timezone

from alliance.access import (
    assessment_resources_visible_to,
    member_can_view_assessment,
    member_is_secretariat,
    member_refusal,
)
from alliance.errors import ValidationFailed
from alliance.models import Member, Unit
from bookings.figures import Period, usage_hours
from bookings.figures.common import hours, ratio
from bookings.figures.usage import EFFECTIVE, EXTERNAL, sessions_in_period
from bookings.usage_models import UsageSession
from resources.models import Resource, ResourceKind
from resources.selectors import alliance_zone

#: The national averages of the latest assessment round (2025) per instrument and year.
NATIONAL_ROUND = 2025
NATIONAL_EFFECTIVE_HOURS = 1599
NATIONAL_EXTERNAL_HOURS = 273
FIRST_YEAR = 2000


@dataclass(frozen=True)
class InstrumentRow:
    """One instrument's indicators for the year, with its asset data."""

    resource: Resource
    used_hours: float
    effective_hours: float
    external_hours: float
    units_served: int
    income: Decimal | None
    records: int

    @property
    def share_rate(self) -> float | None:
        """共享率: external ÷ effective hours (None without effective hours)."""
        return ratio(self.external_hours, self.effective_hours)

    @property
    def quota_rate(self) -> float | None:
        """Effective hours ÷ 定额机时."""
        return ratio(self.effective_hours, self.resource.expected_yearly_hours)

    @property
    def national_effective_rate(self) -> float | None:
        return ratio(self.effective_hours, NATIONAL_EFFECTIVE_HOURS)

    @property
    def national_external_rate(self) -> float | None:
        return ratio(self.external_hours, NATIONAL_EXTERNAL_HOURS)


@dataclass(frozen=True)
class Totals:
    """The totals row: sums of the instruments' figures; ``units_served`` counts each unit
    served by any of them once."""

    instruments: int
    used_hours: float
    effective_hours: float
    external_hours: float
    units_served: int
    income: Decimal | None
    records: int
    expected_yearly_hours: int

    @property
    def share_rate(self) -> float | None:
        return ratio(self.external_hours, self.effective_hours)

    @property
    def quota_rate(self) -> float | None:
        return ratio(self.effective_hours, self.expected_yearly_hours)


@dataclass(frozen=True)
class Assessment:
    year: int
    period: Period
    unit: Unit | None  # None: every unit the member sees
    now: dt.datetime  # hours of a running session count up to here (the current year)
    rows: list[InstrumentRow]
    totals: Totals

    @property
    def complete(self) -> bool:
        """The year is over: its figures no longer change on their own."""
        return self.now >= self.period.end


def assessment_years(*, now: dt.datetime | None = None) -> list[int]:
    """The years one may ask for, latest first: the current one back to FIRST_YEAR."""
    current = timezone.localtime(now or timezone.now(), alliance_zone()).year
    return list(range(current, FIRST_YEAR - 1, -1))


def assessment_default_year(*, now: dt.datetime | None = None) -> int:
    """The year the assessment reports by default: the last full year."""
    return timezone.localtime(now or timezone.now(), alliance_zone()).year - 1


def _scope(member: Member | None, unit_id: int | None) -> Q:
    """The instruments' filter: one unit the member may see, or every unit they see. A
    member who sees no unit's (a researcher) is refused, not answered an empty table."""
    if unit_id is not None:
        if not member_can_view_assessment(member, unit_id):
            raise member_refusal(member)
        return Q(unit_id=unit_id)
    if not isinstance(member, Member) or not member_can_view_assessment(member, member.unit_id):
        raise member_refusal(member)
    return assessment_resources_visible_to(member)


def _period(year: int, now: dt.datetime) -> Period:
    years = assessment_years(now=now)
    if isinstance(year, bool) or not isinstance(year, int) or year not in years:
        raise ValidationFailed(
            "assessment_year_invalid",
            params={"first": years[-1], "last": years[0]},
            fields={"year": ["invalid"]},
        )
    return Period.year(year)


def assessment_get(
    *,
    member: Member | None,
    year: int,
    unit_id: int | None = None,
    now: dt.datetime | None = None,
) -> Assessment:
    """The assessment of ``year`` for the instruments ``member`` may see (of ``unit_id``
    only, if given). 400 ``assessment_year_invalid``; 403 for a researcher, and for a unit
    manager asking for another unit. Four queries (five with ``unit_id``)."""
    now = now or timezone.now()
    scope = _scope(member, unit_id)
    period = _period(year, now)
    instruments = list(
        Resource.objects.filter(scope, kind=ResourceKind.EQUIPMENT)
        .select_related("unit")
        .order_by("unit__name", "name", "pk")
    )
    ids = [resource.pk for resource in instruments]
    figures = usage_hours(period=period, resource_ids=ids, now=now)
    sessions = sessions_in_period(period=period, now=now, resource_ids=ids)
    started_in_year = Q(started_at__gte=period.start, started_at__lt=period.end)
    per_resource = {
        row["resource_id"]: row
        for row in sessions.values("resource_id").annotate(
            records=Count("pk"), income=Sum("fee", filter=started_in_year)
        )
    }
    served = sessions.aggregate(units=Count("user_unit", filter=EXTERNAL, distinct=True))
    rows = []
    for resource in instruments:
        use = figures.get(resource.pk)
        extra = per_resource.get(resource.pk, {})
        if resource.is_retired and not extra:
            continue  # retired before the year, or idle through it: not assessed
        rows.append(
            InstrumentRow(
                resource=resource,
                used_hours=use.used_hours if use else 0.0,
                effective_hours=use.effective_hours if use else 0.0,
                external_hours=use.external_hours if use else 0.0,
                units_served=use.units_served if use else 0,
                income=_money(extra.get("income")),
                records=extra.get("records", 0),
            )
        )
    incomes = [row.income for row in rows if row.income is not None]
    totals = Totals(
        instruments=len(rows),
        used_hours=round(sum(row.used_hours for row in rows), 2),
        effective_hours=round(sum(row.effective_hours for row in rows), 2),
        external_hours=round(sum(row.external_hours for row in rows), 2),
        units_served=served["units"],
        income=sum(incomes, Decimal("0.00")) if incomes else None,
        records=sum(row.records for row in rows),
        expected_yearly_hours=sum(row.resource.expected_yearly_hours for row in rows),
    )
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    return Assessment(year=year, period=period, unit=unit, now=now, rows=rows, totals=totals)


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


# --- The records behind the figures -----------------------------------------------------------


@dataclass(frozen=True)
class UsageRecord:
    """One session as the figures count it in the year: its time within the year, the part
    of it that is effective and external (bookings.figures.usage's EFFECTIVE and EXTERNAL,
    evaluated by the database), and its fee when it counts in this year."""

    session: UsageSession
    unit: Unit  # the unit the use counts for (figures.common.session_user_unit)
    seconds: int
    hours: float
    effective: bool
    external: bool
    income: Decimal | None

    @property
    def effective_hours(self) -> float:
        return self.hours if self.effective else 0.0

    @property
    def external_hours(self) -> float:
        return self.hours if self.external else 0.0


def assessment_records(*, assessment: Assessment) -> Iterator[UsageRecord]:
    """Every session behind ``assessment``'s figures, by instrument (in the rows' order)
    then start: the same sessions and the same clipping as bookings.figures. Two queries."""
    period, now = assessment.period, assessment.now
    instruments = {row.resource.pk: row.resource for row in assessment.rows}
    sessions = list(
        sessions_in_period(period=period, now=now, resource_ids=list(instruments))
        .annotate(
            counts=ExpressionWrapper(EFFECTIVE, output_field=BooleanField()),
            outside=ExpressionWrapper(EXTERNAL, output_field=BooleanField()),
        )
        .select_related("member", "operator")
    )
    units = Unit.objects.in_bulk({session.user_unit for session in sessions})
    order = {pk: index for index, pk in enumerate(instruments)}
    sessions.sort(key=lambda s: (order[s.resource_id], s.started_at, s.pk))
    for session in sessions:
        session.resource = instruments[session.resource_id]
        yield UsageRecord(
            session=session,
            unit=units[session.user_unit],
            seconds=round(session.within.total_seconds()),
            hours=hours(session.within),
            effective=bool(session.counts),
            external=bool(session.outside),
            income=(
                _money(session.fee) if period.start <= session.started_at < period.end else None
            ),
        )


def assessment_units_for(*, member: Member | None) -> list[Unit]:
    """The units whose instruments ``member`` may pick one by one: every unit for the
    secretariat; none for anyone else (a unit manager's assessment is their unit's)."""
    if not member_is_secretariat(member):
        return []
    return list(Unit.objects.order_by("name"))
