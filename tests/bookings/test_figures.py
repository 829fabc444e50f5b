"""Every figure against the hand-computed oracle of tests/bookings/figures_fixture.py."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from alliance.errors import AccessDenied, ValidationFailed
from bookings.figures import Period, period_parse, resource_figures, unit_balance, usage_hours
from tests.bookings.figures_fixture import alliance_build
from tests.conftest import local

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
    from tests.bookings.figures_fixture import session

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
