"""Every figure against the hand-computed oracle of tests/bookings/figures_fixture.py."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.errors import AccessDenied, ValidationFailed
from bookings.figures import (
    AllianceTotals,
    MonthTrend,
    Period,
    PublicSummary,
    Turnaround,
    alliance_overview,
    period_parse,
    public_summary,
    resource_figures,
    unit_balance,
    usage_hours,
    utilisation_heatmap,
)
from bookings.models import BookingStatus
from tests.bookings.figures_fixture import alliance_build, session
from tests.conftest import local
from tests.factories import BookingFactory, ResourceFactory

pytestmark = pytest.mark.django_db

JANUARY = Period.month(2026, 1)
AFTER = local(2026, 3, 1, 12)


@pytest.fixture
def alliance():
    with time_machine.travel(AFTER, tick=False):
        yield alliance_build()


def by_name(figures):
    return {f.name: f for f in figures}


# --- Period ---------------------------------------------------------------------------------


def test_period_bounds_are_local_midnights():
    assert JANUARY.start == local(2026, 1, 1)
    assert JANUARY.end == local(2026, 2, 1)
    assert JANUARY.days == 31
    assert [m[0] for m in Period(dt.date(2025, 12, 15), dt.date(2026, 2, 3)).months()] == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2026-01-01", "to": "2026-01-31"}, JANUARY),
        ({"year": "2026", "month": "1"}, JANUARY),
        ({"year": "2026"}, Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
        (
            {"from": "2026-02-28", "to": "2026-02-28"},
            Period(dt.date(2026, 2, 28), dt.date(2026, 2, 28)),
        ),
    ],
)
def test_period_parse(params, expected):
    assert period_parse(params) == expected


def test_period_parse_defaults_to_this_year():
    assert period_parse({}, now=local(2026, 3, 5, 1)) == Period(
        dt.date(2026, 1, 1), dt.date(2026, 3, 5)
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-13-01", "to": "2026-12-31"}, "figures_bad_date"),
        ({"from": "yesterday", "to": "2026-12-31"}, "figures_bad_date"),
        ({"from": "2026-01-01"}, "figures_bad_date"),
        ({"year": "26x"}, "figures_bad_date"),
        ({"year": "2026", "month": "13"}, "figures_bad_date"),
        ({"month": "3"}, "figures_bad_date"),
        ({"from": "2026-02-01", "to": "2026-01-31"}, "figures_period_reversed"),
        ({"from": "2025-01-01", "to": "2026-01-31"}, "figures_period_too_long"),
    ],
)
def test_period_parse_refuses(params, code):
    with pytest.raises(ValidationFailed) as refused:
        period_parse(params)
    assert refused.value.code == code


# --- Per resource ---------------------------------------------------------------------------


def test_resource_figures_oracle(alliance):
    figures = by_name(resource_figures(actor=alliance.secretariat, period=JANUARY, now=AFTER))
    r1, r2, r3 = figures["R1"], figures["R2"], figures["R3"]
    # R1: 22 weekdays × 12 h, less 1 Jan (12 h) and the 2 h closure, plus the make-up Sunday.
    assert r1.open_hours == 22 * 12 - 12 - 2 + 12 == 262
    # R2: 31 days × 24 h less 1 January.
    assert r2.open_hours == 30 * 24
    assert r3.open_hours == 21 * 12 + 12
    # Booked: R1 the operator's booking (3 h) and the pending one (2 h); the no-show and the
    # cancellations free their slot. R2: across midnight 4 h, month end 2 h, period edge 1 h.
    assert (r1.booked_hours, r2.booked_hours, r3.booked_hours) == (5, 7, 0)
    assert (r1.no_shows, r1.late_cancellations) == (1, 1)
    assert (r2.no_shows, r2.late_cancellations) == (0, 0)
    # Used: R1 2.5 (operator) + 1.25 (walk-up) + 8 (left running); effective without the 8.
    assert (r1.used_hours, r1.effective_hours, r1.external_hours) == (11.75, 3.75, 2.5)
    assert r1.units_served == 1
    # R2: 3.5 + 2 (January part) + 0.75 (January part); external: B's and C's.
    assert (r2.used_hours, r2.effective_hours, r2.external_hours) == (6.25, 6.25, 5.5)
    assert r2.units_served == 2
    assert r1.booked_utilisation == round(5 / 262, 4)
    assert r1.used_utilisation == round(11.75 / 262, 4)
    assert r3.used_utilisation == 0
    assert [(u.unit_name, u.hours) for u in r1.hours_by_unit] == [("Unit A", 2), ("Unit B", 3)]
    assert [(u.unit_name, u.hours) for u in r2.hours_by_unit] == [
        ("Unit A", 1),
        ("Unit B", 4),
        ("Unit C", 2),
    ]


def test_resource_figures_february_takes_the_rest_of_the_month_end_booking(alliance):
    figures = by_name(
        resource_figures(actor=alliance.secretariat, period=Period.month(2026, 2), now=AFTER)
    )
    assert figures["R2"].booked_hours == 3
    assert figures["R2"].used_hours == 2.5
    assert figures["R2"].open_hours == 28 * 24


def test_resource_figures_one_day_edges(alliance):
    day = Period(dt.date(2026, 1, 11), dt.date(2026, 1, 11))
    r2 = by_name(resource_figures(actor=alliance.secretariat, period=day, now=AFTER))["R2"]
    assert (r2.booked_hours, r2.used_hours, r2.open_hours) == (2, 1.67, 24)


def test_resource_figures_filters(alliance):
    labs = resource_figures(actor=alliance.secretariat, period=JANUARY, kind="lab", now=AFTER)
    assert [f.name for f in labs] == ["R3"]
    of_a = resource_figures(
        actor=alliance.secretariat, period=JANUARY, unit_id=alliance.a.pk, now=AFTER
    )
    assert [f.name for f in of_a] == ["R1", "R2"]


def test_running_session_counts_up_to_now(alliance):
    session(alliance.r3, alliance.a1, local(2026, 3, 1, 9), None)
    march = Period.month(2026, 3)
    assert usage_hours(period=march, now=AFTER)[alliance.r3.pk].used_hours == 3


def test_usage_hours_is_the_primitive(alliance):
    usage = usage_hours(period=JANUARY, now=AFTER)
    assert usage[alliance.r1.pk].effective_hours == 3.75
    assert usage[alliance.r2.pk].external_hours == 5.5
    assert alliance.r3.pk not in usage
    only = usage_hours(period=JANUARY, resource_ids=[alliance.r2.pk], now=AFTER)
    assert list(only) == [alliance.r2.pk]


# --- Per unit -------------------------------------------------------------------------------


def test_unit_balance_oracle(alliance):
    rows = {
        u.unit_name: u for u in unit_balance(actor=alliance.secretariat, period=JANUARY, now=AFTER)
    }
    assert list(rows) == ["Unit A", "Unit B", "Unit C", "Unit S"]
    a, b, c = rows["Unit A"], rows["Unit B"], rows["Unit C"]
    assert (a.shared_out_hours, a.used_of_others_hours, a.units_served) == (8, 0, 2)
    assert a.balance_hours == 8
    assert (a.bookings_settled, a.no_show_rate) == (0, None)
    assert (b.shared_out_hours, b.used_of_others_hours, b.units_served) == (0, 6, 0)
    assert (b.bookings_settled, b.no_shows, b.no_show_rate) == (3, 1, 0.3333)
    assert (c.shared_out_hours, c.used_of_others_hours) == (0, 2)


# --- Access ---------------------------------------------------------------------------------


def test_manager_sees_only_their_unit(alliance):
    figures = resource_figures(actor=alliance.manager_a, period=JANUARY, now=AFTER)
    assert [f.name for f in figures] == ["R1", "R2"]
    assert [f.name for f in resource_figures(actor=alliance.manager_b, period=JANUARY)] == ["R3"]
    rows = unit_balance(actor=alliance.manager_b, period=JANUARY, now=AFTER)
    assert [(u.unit_name, u.used_of_others_hours) for u in rows] == [("Unit B", 6)]


@pytest.mark.parametrize("who", ["a1", "operator"])
def test_members_cannot_read_figures(alliance, who):
    member = getattr(alliance, who)
    with pytest.raises(AccessDenied):
        resource_figures(actor=member, period=JANUARY)
    with pytest.raises(AccessDenied):
        unit_balance(actor=member, period=JANUARY)


def test_manager_cannot_ask_for_another_unit(alliance):
    with pytest.raises(AccessDenied):
        resource_figures(actor=alliance.manager_a, period=JANUARY, unit_id=alliance.b.pk)
    with pytest.raises(AccessDenied):
        unit_balance(actor=alliance.manager_a, period=JANUARY, unit_id=alliance.b.pk)


def test_missing_actor_is_an_error():
    with pytest.raises(TypeError):
        resource_figures(actor=None, period=JANUARY)


# --- Alliance-wide --------------------------------------------------------------------------


def test_alliance_overview_oracle(alliance):
    overview = alliance_overview(actor=alliance.secretariat, period=JANUARY, now=AFTER)
    assert overview.totals == AllianceTotals(
        resources=3,
        booked_hours=12,
        used_hours=18,
        effective_hours=10,
        external_hours=8,
        no_shows=1,
    )
    assert [(u.name, u.used_hours) for u in overview.most_used] == [("R1", 11.75), ("R2", 6.25)]
    assert [u.name for u in overview.least_used] == ["R2", "R1"]
    assert [u.name for u in overview.idle] == ["R3"]
    assert overview.most_used[0].used_utilisation == round(11.75 / 262, 4)
    assert overview.trend == [MonthTrend(dt.date(2026, 1, 1), 12, 18)]
    # Decisions after 0.5, 2, 6 and 24 hours: nearest rank 2 of 4 and 4 of 4.
    assert overview.turnaround == Turnaround(decisions=4, median_hours=2, p90_hours=24)


def test_monthly_trend_splits_at_month_ends(alliance):
    period = Period(dt.date(2025, 12, 1), dt.date(2026, 2, 28))
    overview = alliance_overview(actor=alliance.secretariat, period=period, now=AFTER)
    assert overview.trend == [
        MonthTrend(dt.date(2025, 12, 1), 1, 0.5),
        MonthTrend(dt.date(2026, 1, 1), 12, 18),
        MonthTrend(dt.date(2026, 2, 1), 3, 2.5),
    ]


def test_manager_overview_keeps_alliance_totals_but_only_their_resources(alliance):
    overview = alliance_overview(actor=alliance.manager_b, period=JANUARY, now=AFTER)
    assert overview.totals.booked_hours == 12  # alliance-wide
    assert overview.most_used == []
    assert [u.name for u in overview.idle] == ["R3"]
    assert overview.trend == [MonthTrend(dt.date(2026, 1, 1), 0, 0)]
    assert overview.turnaround == Turnaround(0, None, None)
    with pytest.raises(AccessDenied):
        alliance_overview(actor=alliance.a1, period=JANUARY)


def test_heatmap_oracle(alliance):
    heat = utilisation_heatmap(actor=alliance.secretariat, period=JANUARY, now=AFTER)
    booked = {(d, h): v for d in range(7) for h in range(24) if (v := heat.booked[d][h])}
    # Sat 10 and Sat 31 22:00–24:00; Sun 11 00:00–02:00; Thu 1 00:00–01:00; Thu 8 09–12;
    # Fri 9 14–16.
    assert booked == {
        (5, 22): 2,
        (5, 23): 2,
        (6, 0): 1,
        (6, 1): 1,
        (3, 0): 1,
        (3, 9): 1,
        (3, 10): 1,
        (3, 11): 1,
        (4, 14): 1,
        (4, 15): 1,
    }
    used = {(d, h): v for d in range(7) for h in range(24) if (v := heat.used[d][h])}
    assert used == {
        (5, 22): round(50 / 60 + 1, 2),
        (5, 23): 2,
        (6, 0): 1,
        (6, 1): round(40 / 60, 2),
        (3, 9): 1,
        (3, 10): 1,
        (3, 11): 0.5,
        (0, 14): 1,
        (0, 15): 0.25,
        **{(1, h): 1 for h in range(10, 18)},
        (3, 0): 0.75,
    }
    assert round(sum(map(sum, heat.used)), 2) == 18


def test_heatmap_scope(alliance):
    heat = utilisation_heatmap(actor=alliance.manager_b, period=JANUARY, now=AFTER)
    assert sum(map(sum, heat.booked)) == 0
    labs = utilisation_heatmap(actor=alliance.secretariat, period=JANUARY, kind="lab", now=AFTER)
    assert sum(map(sum, labs.used)) == 0


def test_public_summary_oracle(alliance):
    summary = public_summary(now=AFTER)
    # 2026 to 1 March: B 3.5 + 2.5, C the whole 4.5 of the month-end session.
    assert summary == PublicSummary(
        year=2026, shared_resources=3, hours_shared=10.5, units_served=2
    )


# --- Constant queries -----------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


SELECTORS = {
    "resource_figures": lambda a: resource_figures(actor=a.secretariat, period=JANUARY, now=AFTER),
    "unit_balance": lambda a: unit_balance(actor=a.secretariat, period=JANUARY, now=AFTER),
    "alliance_overview": lambda a: alliance_overview(
        actor=a.secretariat, period=JANUARY, now=AFTER
    ),
    "utilisation_heatmap": lambda a: utilisation_heatmap(
        actor=a.secretariat, period=JANUARY, now=AFTER
    ),
    "public_summary": lambda a: public_summary(now=AFTER),
    "usage_hours": lambda a: usage_hours(period=JANUARY, now=AFTER),
}


@pytest.mark.parametrize("name", list(SELECTORS))
def test_query_count_does_not_grow_with_the_data(alliance, name):
    call = SELECTORS[name]
    small = _queries(lambda: call(alliance))
    more = [ResourceFactory(unit=alliance.c, name=f"R{n}") for n in range(4, 9)]
    for n, resource in enumerate(more):
        for day in range(5, 25):
            booking = BookingFactory(
                resource=resource,
                member=alliance.b1,
                start=local(2026, 1, day, 9 + n),
                end=local(2026, 1, day, 10 + n),
                status=BookingStatus.COMPLETED,
            )
            session(resource, alliance.b1, booking.start, booking.end, booking=booking)
    assert _queries(lambda: call(alliance)) == small


def _open_hours_day_by_day(resource, period) -> float:
    """The definition, computed slowly: the calendar of every day, less closures."""
    from resources.intervals import clip
    from resources.selectors import opening_hours_prefetch, resource_calendars_get

    resource = type(resource).objects.prefetch_related(opening_hours_prefetch()).get(pk=resource.pk)
    calendar = resource_calendars_get(resources=[resource], start=period.start, end=period.end)
    spans = clip(calendar[resource.pk].open, period.start, period.end)
    return round(sum((s.duration for s in spans), dt.timedelta()).total_seconds() / 3600, 2)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2025, 12, 30), dt.date(2026, 1, 5)),
        (dt.date(2026, 1, 4), dt.date(2026, 1, 4)),
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
        (dt.date(2025, 3, 7), dt.date(2026, 3, 8)),
    ],
)
def test_open_hours_agree_with_the_day_by_day_calendar(alliance, first, last):
    from resources.models import Closure

    # An own closure inside the alliance-wide one, and one across midnight on R2.
    Closure.objects.create(
        resource=alliance.r1, start=local(2026, 1, 1, 9), end=local(2026, 1, 1, 11), reason="x"
    )
    Closure.objects.create(
        resource=alliance.r2, start=local(2026, 1, 3, 22), end=local(2026, 1, 4, 3), reason="y"
    )
    period = Period(first, last)
    figures = by_name(resource_figures(actor=alliance.secretariat, period=period, now=AFTER))
    for resource in (alliance.r1, alliance.r2, alliance.r3):
        assert figures[resource.name].open_hours == _open_hours_day_by_day(resource, period)
