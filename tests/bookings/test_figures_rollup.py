"""The rollup counts what the raw rows say: after any sequence of the services that write
bookings and sessions, refreshed at any point between them, every figure read from the
rollup equals the definition computed from the raw rows (tests/bookings/figures_raw.py),
and the rollup equals one rebuilt from scratch."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from alliance.errors import DomainError
from alliance.models import MemberRole
from bookings.figures import (
    Period,
    resource_figures,
    unit_balance,
    usage_hours,
    utilisation_heatmap,
)
from bookings.figures.rollup import figures_rollup_rebuild, figures_rollup_refresh
from bookings.jobs import run_due_jobs
from bookings.lifecycle import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_reject,
)
from bookings.models import Booking, BookingStatus, UsageSession
from bookings.rollup_models import FiguresDay, FiguresDirty, FiguresUnitDay
from bookings.series import series_create
from bookings.services import booking_create
from bookings.usage import usage_correct, usage_record_manual, usage_start, usage_stop
from tests.bookings.figures_fixture import AROUND_THE_CLOCK
from tests.bookings.figures_raw import raw_heatmap, raw_per_resource, raw_per_unit
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db

BEGIN = local(2026, 1, 26, 7, 30)  # a Monday
STEPS = 120


def _alliance():
    units = [UnitFactory(name=f"Unit {x}") for x in "ABC"]
    resources = [
        ResourceFactory(
            unit=units[i % 2],
            name=f"R{i}",
            hours=AROUND_THE_CLOCK,
            allows_walk_up=True,
            requires_approval=i == 1,
            kind="lab" if i == 2 else "equipment",
        )
        for i in range(3)
    ]
    members = [MemberFactory(unit=u) for u in units for _ in range(2)]
    managers = {u.pk: MemberFactory(unit=u, role=MemberRole.UNIT_MANAGER) for u in units}
    return units, resources, members, managers


def _round(t: dt.datetime) -> dt.datetime:
    return t.replace(minute=0 if t.minute < 30 else 30, second=0, microsecond=0)


def _step(rng: random.Random, now: dt.datetime, alliance) -> str | None:
    """One random service call at ``now``; its name, or None when it was refused."""
    units, resources, members, managers = alliance
    resource = rng.choice(resources)
    member = rng.choice(members)
    manager = managers[resource.unit_id]
    bookings = list(Booking.objects.filter(resource=resource).order_by("pk"))
    sessions = list(UsageSession.objects.filter(resource=resource).order_by("pk"))
    op = rng.choice(
        ["create"] * 4
        + ["approve", "reject", "cancel", "check_in", "check_out", "walk_up", "stop"]
        + ["manual", "correct", "series", "jobs"]
    )
    try:
        if op == "create":
            start = _round(now + dt.timedelta(minutes=rng.randrange(90, 60 * 40)))
            length = dt.timedelta(minutes=30 * rng.randint(1, 8))
            booking_create(
                member=member,
                resource_id=resource.pk,
                start=start,
                end=start + length,
                purpose="x",
                now=now,
            )
        elif op in ("approve", "reject"):
            pending = [b for b in bookings if b.status == BookingStatus.PENDING]
            if not pending:
                return None
            if op == "approve":
                booking_approve(actor=manager, booking_id=rng.choice(pending).pk, now=now)
            else:
                chosen = rng.choice(pending).pk
                booking_reject(actor=manager, booking_id=chosen, reason="r", now=now)
        elif op == "cancel":
            open_ = [b for b in bookings if b.status in (BookingStatus.PENDING, "approved")]
            if not open_:
                return None
            b = rng.choice(open_)
            booking_cancel(actor=b.member, booking_id=b.pk, now=now)
        elif op in ("check_in", "check_out"):
            near = [b for b in bookings if b.start - dt.timedelta(hours=1) <= now < b.end]
            if not near:
                return None
            b = rng.choice(near)
            if op == "check_in":
                booking_check_in(actor=manager, booking_id=b.pk, now=now)
            else:
                booking_check_out(actor=b.member, booking_id=b.pk, now=now)
        elif op == "walk_up":
            usage_start(actor=member, resource_id=resource.pk, code=resource.checkin_code, now=now)
        elif op == "stop":
            running = [s for s in sessions if s.stopped_at is None]
            if not running:
                return None
            usage_stop(actor=manager, session_id=running[0].pk, now=now)
        elif op == "manual":
            start = _round(now - dt.timedelta(minutes=rng.randrange(60, 60 * 30)))
            usage_record_manual(
                actor=manager,
                resource_id=resource.pk,
                member_id=member.pk,
                started_at=start,
                stopped_at=start + dt.timedelta(minutes=rng.randrange(10, 300)),
                reason="paper log",
                now=now,
            )
        elif op == "correct":
            stopped = [s for s in sessions if s.stopped_at is not None]
            if not stopped:
                return None
            s = rng.choice(stopped)
            usage_correct(
                actor=manager,
                session_id=s.pk,
                reason="fix",
                started_at=s.started_at - dt.timedelta(minutes=rng.randrange(0, 120)),
                stopped_at=s.stopped_at + dt.timedelta(minutes=rng.randrange(1, 200)),
                now=now,
            )
        elif op == "series":
            start = _round(now + dt.timedelta(hours=rng.randrange(2, 30)))
            series_create(
                member=member,
                resource_id=resource.pk,
                rule="FREQ=DAILY;COUNT=3",
                start=start,
                duration=dt.timedelta(hours=rng.randint(1, 3)),
                purpose="x",
                mode="skip",
                now=now,
            )
        else:
            run_due_jobs(now=now)
    except DomainError:
        return None
    return op


def _figures(period: Period, now: dt.datetime, secretariat) -> dict:
    figures = {
        f.resource_id: {
            "booked": f.booked_hours,
            "no_shows": f.no_shows,
            "late": f.late_cancellations,
            "used": f.used_hours,
            "effective": f.effective_hours,
            "external": f.external_hours,
            "served": f.units_served,
            "by_unit": [(u.unit_id, u.hours) for u in f.hours_by_unit],
        }
        for f in resource_figures(actor=secretariat, period=period, now=now)
    }
    return figures


def _oracle_equals_rollup(period: Period, now: dt.datetime, secretariat) -> None:
    blank = {
        "booked": 0.0,
        "no_shows": 0,
        "late": 0,
        "used": 0.0,
        "effective": 0.0,
        "external": 0.0,
        "served": 0,
        "by_unit": [],
    }
    rolled = _figures(period, now, secretariat)
    raw = raw_per_resource(period, now)
    assert rolled == {r: raw.get(r, blank) for r in rolled}
    balance = {
        u.unit_id: (
            u.shared_out_hours,
            u.used_of_others_hours,
            u.units_served,
            u.bookings_settled,
            u.no_shows,
        )
        for u in unit_balance(actor=secretariat, period=period, now=now)
    }
    raw_units = raw_per_unit(period, now)
    assert balance == {u: raw_units.get(u, (0.0, 0.0, 0, 0, 0)) for u in balance}
    heat = utilisation_heatmap(actor=secretariat, period=period, now=now)
    booked, used = raw_heatmap(period, now)
    for day in range(7):
        for hour in range(24):
            assert heat.booked[day][hour] == pytest.approx(booked.get((day, hour), 0), abs=0.011)
            assert heat.used[day][hour] == pytest.approx(used.get((day, hour), 0), abs=0.011)


def _rollup_rows() -> tuple[list, list]:
    days = sorted(FiguresDay.objects.values_list(*[f.attname for f in FiguresDay._meta.fields][1:]))
    units = sorted(
        FiguresUnitDay.objects.values_list(*[f.attname for f in FiguresUnitDay._meta.fields][1:])
    )
    return days, units


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_equals_the_raw_definition_after_any_sequence_of_writes(seed):
    rng = random.Random(seed)
    with time_machine.travel(BEGIN, tick=False) as clock:
        alliance = _alliance()
        secretariat = MemberFactory(unit=alliance[0][2], role=MemberRole.SECRETARIAT)
        now, done = BEGIN, []
        for _ in range(STEPS):
            now += dt.timedelta(minutes=rng.choice([0, 10, 25, 45, 90, 180]))
            clock.move_to(now)
            op = _step(rng, now, alliance)
            if op:
                done.append(op)
            if rng.random() < 0.2:  # a reader refreshes between writes
                figures_rollup_refresh()
        assert len(set(done)) >= 8, done  # the sequence exercised most writers
        assert Booking.objects.count() >= 10
        assert UsageSession.objects.count() >= 5
        whole = Period(dt.date(2026, 1, 20), dt.date(2026, 3, 10))
        _oracle_equals_rollup(whole, now, secretariat)
        for offset in range(0, 12, 3):  # single days: every edge at a local midnight
            day = BEGIN.date() + dt.timedelta(days=offset)
            _oracle_equals_rollup(Period(day, day), now, secretariat)
        assert not FiguresDirty.objects.exists()
        refreshed = _rollup_rows()
        figures_rollup_rebuild()
        assert _rollup_rows() == refreshed


def test_usage_hours_counts_a_running_session_live_and_its_stop_through_the_rollup():
    with time_machine.travel(BEGIN, tick=False):
        units, resources, members, managers = _alliance()
        lab = resources[0]
        session = usage_start(
            actor=members[4], resource_id=lab.pk, code=lab.checkin_code, now=BEGIN
        )
        day = Period(BEGIN.date(), BEGIN.date())
        later = BEGIN + dt.timedelta(hours=2)
        running = usage_hours(period=day, now=later)[lab.pk]
        assert (running.used_hours, running.external_hours, running.units_served) == (2, 2, 1)
        assert not FiguresDay.objects.filter(used__gt=0).exists()  # counted live
        usage_stop(actor=members[4], session_id=session.pk, now=later)
        stopped = usage_hours(period=day, now=later + dt.timedelta(hours=5))[lab.pk]
        assert (stopped.used_hours, stopped.external_hours) == (2, 2)
        assert FiguresDay.objects.get(resource=lab).used == 2 * 3600 * 10**6
