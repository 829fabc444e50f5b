"""Recorded use: a booking's check-in and check-out are its session's start and stop; a
scan without a booking is walk-up use, allowed only on a free instrument that allows it;
managers enter and correct sessions by hand; the jobs close sessions left running."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, Conflict, ValidationFailed
from alliance.models import MemberRole
from bookings.jobs import run_due_jobs
from bookings.models import BookingStatus, UsageSession
from bookings.services import booking_check_in, booking_check_out
from bookings.usage import (
    usage_close_overdue,
    usage_correct,
    usage_record_manual,
    usage_start,
    usage_stop,
    walk_up_refusal,
)
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db

NINE = local(2026, 11, 24, 9)


@pytest.fixture
def lab():
    unit = UnitFactory(name="深圳湾实验室")
    return ResourceFactory(unit=unit, name="冷冻电镜", allows_walk_up=True)


@pytest.fixture
def people(lab):
    return {
        "user": MemberFactory(),
        "other": MemberFactory(),
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
    }


def booked(lab, member, start=NINE, hours=1):
    return BookingFactory(
        resource=lab, member=member, start=start, end=start + dt.timedelta(hours=hours)
    )


# --- Check-in and check-out are the start and stop of one session -------------------------


def test_check_in_starts_the_bookings_session_and_check_out_stops_it(lab, people):
    booking = booked(lab, people["user"])
    booking_check_in(actor=people["user"], booking_id=booking.pk, code=lab.checkin_code, now=NINE)
    session = UsageSession.objects.get()
    assert (session.booking_id, session.member, session.source) == (
        booking.pk,
        people["user"],
        "check_in",
    )
    assert session.started_at == NINE
    assert session.is_running

    booking_check_out(actor=people["user"], booking_id=booking.pk, now=NINE + dt.timedelta(hours=1))
    session.refresh_from_db()
    assert session.stopped_at == NINE + dt.timedelta(hours=1)
    assert UsageSession.objects.count() == 1


def test_scanning_inside_a_booking_checks_it_in_and_a_second_scan_changes_nothing(lab, people):
    booking = booked(lab, people["user"])
    first = usage_start(
        actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE, samples=3
    )
    again = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    booking.refresh_from_db()
    assert booking.checked_in_at == NINE
    assert first.pk == again.pk
    assert first.booking_id == booking.pk
    assert first.samples == 3
    assert UsageSession.objects.count() == 1


def test_stopping_a_bookings_session_checks_the_booking_out(lab, people):
    booking = booked(lab, people["user"])
    session = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    usage_stop(
        actor=people["user"], session_id=session.pk, now=NINE + dt.timedelta(minutes=40), samples=5
    )
    booking.refresh_from_db()
    session.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.checked_out_at == session.stopped_at == NINE + dt.timedelta(minutes=40)
    assert session.samples == 5


def test_a_wrong_code_is_refused_and_nothing_is_written(lab, people):
    booked(lab, people["user"])
    with pytest.raises(ValidationFailed) as refused:
        usage_start(actor=people["user"], resource_id=lab.pk, code="wrong", now=NINE)
    assert refused.value.code == "check_in_code_invalid"
    assert not UsageSession.objects.exists()


# --- Walk-up use ------------------------------------------------------------------------------


def test_walk_up_use_of_a_free_instrument_that_allows_it(lab, people):
    session = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    assert session.booking is None
    assert session.source == "qr_scan"
    assert session.is_running


def test_walk_up_is_refused_where_the_resource_does_not_allow_it(lab, people):
    lab.allows_walk_up = False
    lab.save()
    with pytest.raises(Conflict) as refused:
        usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    assert refused.value.code == "walk_up_not_allowed"
    assert not UsageSession.objects.exists()


def test_walk_up_is_refused_while_someone_elses_booking_holds_the_instrument(lab, people):
    booked(lab, people["other"])
    assert walk_up_refusal(people["user"], lab, NINE - dt.timedelta(seconds=1)) is None
    for moment in (NINE, NINE + dt.timedelta(minutes=59)):
        with pytest.raises(Conflict) as refused:
            usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=moment)
        assert refused.value.code == "instrument_booked"
    assert not UsageSession.objects.exists()


def test_a_second_member_cannot_start_while_a_session_runs(lab, people):
    usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    with pytest.raises(Conflict) as refused:
        usage_start(actor=people["other"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    assert refused.value.code == "instrument_in_use"
    assert UsageSession.objects.count() == 1


def test_the_bookers_check_in_ends_a_walk_up_session_and_flags_it(lab, people):
    walk_up = usage_start(
        actor=people["other"],
        resource_id=lab.pk,
        code=lab.checkin_code,
        now=NINE - dt.timedelta(hours=1),
    )
    booking = booked(lab, people["user"])
    booking_check_in(actor=people["user"], booking_id=booking.pk, code=lab.checkin_code, now=NINE)
    walk_up.refresh_from_db()
    assert walk_up.stopped_at == NINE
    assert walk_up.flagged
    assert walk_up.flag_reason == "superseded_by_booking"
    assert UsageSession.objects.get(stopped_at__isnull=True).booking_id == booking.pk


def test_only_the_user_or_the_resources_managers_stop_a_session(lab, people):
    session = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    for outsider in (people["other"], people["other_manager"]):
        with pytest.raises(AccessDenied):
            usage_stop(actor=outsider, session_id=session.pk, now=NINE + dt.timedelta(minutes=5))
    stopped = usage_stop(
        actor=people["manager"], session_id=session.pk, now=NINE + dt.timedelta(minutes=5)
    )
    assert stopped.stopped_at == NINE + dt.timedelta(minutes=5)


def test_the_database_keeps_one_running_session_per_instrument(lab, people):
    UsageSession.objects.create(
        resource=lab, member=people["user"], started_at=NINE, source="qr_scan"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageSession.objects.create(
            resource=lab, member=people["other"], started_at=NINE, source="qr_scan"
        )
    # A stopped session does not count; nor may a session stop before it starts.
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageSession.objects.create(
            resource=lab, member=people["other"], started_at=NINE, stopped_at=NINE, source="qr_scan"
        )
    UsageSession.objects.create(
        resource=lab,
        member=people["other"],
        started_at=NINE - dt.timedelta(hours=2),
        stopped_at=NINE - dt.timedelta(hours=1),
        source="qr_scan",
    )
    assert UsageSession.objects.count() == 2


# --- Entered and corrected by hand -------------------------------------------------------------


def manual(lab, people, actor, **changes):
    fields = {
        "actor": actor,
        "resource_id": lab.pk,
        "member_id": people["user"].pk,
        "started_at": NINE - dt.timedelta(hours=3),
        "stopped_at": NINE - dt.timedelta(hours=2),
        "reason": "用户忘记扫码",
        "samples": 4,
        "now": NINE,
    }
    fields.update(changes)
    return usage_record_manual(**fields)


def test_a_manager_enters_a_past_session_by_hand_with_a_reason(lab, people):
    manual(lab, people, people["manager"])
    manual(
        lab,
        people,
        people["secretariat"],
        started_at=NINE - dt.timedelta(hours=2),
        stopped_at=NINE - dt.timedelta(hours=1),
    )
    entries = list(UsageSession.objects.order_by("started_at"))
    assert [e.entered_by for e in entries] == [people["manager"], people["secretariat"]]
    assert {(e.source, e.manual_reason) for e in entries} == {("manual", "用户忘记扫码")}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"reason": ""}, "invalid"),
        ({"stopped_at": NINE - dt.timedelta(hours=3)}, "usage_times_invalid"),
        ({"stopped_at": NINE + dt.timedelta(seconds=1)}, "usage_in_future"),
    ],
)
def test_a_bad_entry_by_hand_is_refused(lab, people, changes, code):
    with pytest.raises(ValidationFailed) as refused:
        manual(lab, people, people["manager"], **changes)
    assert refused.value.code == code
    assert not UsageSession.objects.exists()


def test_entries_by_hand_are_for_the_managers_only_and_never_overlap(lab, people):
    for outsider in (people["user"], people["other_manager"]):
        with pytest.raises(AccessDenied):
            manual(lab, people, outsider)
    manual(lab, people, people["manager"])
    with pytest.raises(Conflict) as refused:
        manual(lab, people, people["manager"], started_at=NINE - dt.timedelta(hours=2, minutes=1))
    assert refused.value.code == "usage_overlaps"
    assert UsageSession.objects.count() == 1


def test_a_manager_corrects_a_session_and_the_correction_is_kept(lab, people):
    session = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    with pytest.raises(Conflict):
        usage_correct(actor=people["manager"], session_id=session.pk, reason="x", now=NINE)
    usage_stop(actor=people["user"], session_id=session.pk, now=NINE + dt.timedelta(hours=1))
    with pytest.raises(AccessDenied):
        usage_correct(actor=people["user"], session_id=session.pk, reason="改", samples=9)
    later = NINE + dt.timedelta(hours=2)
    fixed = usage_correct(
        actor=people["manager"],
        session_id=session.pk,
        reason="用户实际用到 9:30",
        stopped_at=NINE + dt.timedelta(minutes=30),
        samples=2,
        now=later,
    )
    assert fixed.stopped_at == NINE + dt.timedelta(minutes=30)
    assert fixed.samples == 2
    assert (fixed.corrected_by, fixed.corrected_at) == (people["manager"], later)


# --- Sessions left running are closed by the jobs ----------------------------------------------


def test_a_bookings_session_left_running_closes_at_the_end_plus_the_grace(lab, people, settings):
    settings.USAGE_SESSION_GRACE_MINUTES = 30
    booking = booked(lab, people["user"])
    with time_machine.travel(NINE, tick=False):
        usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code)
    due = booking.end + dt.timedelta(minutes=30)
    with time_machine.travel(due - dt.timedelta(seconds=1), tick=False):
        assert run_due_jobs()["close_sessions"] == 0
    with time_machine.travel(due, tick=False):
        assert run_due_jobs()["close_sessions"] == 1
    session = UsageSession.objects.get()
    assert session.stopped_at == due
    assert session.flagged
    assert session.flag_reason == "left_running"
    with time_machine.travel(due + dt.timedelta(minutes=1), tick=False):
        assert run_due_jobs()["close_sessions"] == 0


def test_a_walk_up_session_closes_after_the_longest_length(lab, people, settings):
    settings.USAGE_WALK_UP_MAX_MINUTES = 120
    with time_machine.travel(NINE, tick=False):
        usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code)
    with time_machine.travel(NINE + dt.timedelta(minutes=119, seconds=59), tick=False):
        assert run_due_jobs()["close_sessions"] == 0
    with time_machine.travel(NINE + dt.timedelta(minutes=120), tick=False):
        assert run_due_jobs()["close_sessions"] == 1
    assert UsageSession.objects.get().flagged


def test_only_the_system_closes_a_session_as_left_running(lab, people):
    session = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    with pytest.raises(AccessDenied):
        usage_close_overdue(actor=people["manager"], session_id=session.pk, now=NINE)
    with pytest.raises(Conflict) as early:
        usage_close_overdue(actor=SYSTEM, session_id=session.pk, now=NINE)
    assert early.value.code == "not_due"
