"""Time-driven transitions under a frozen clock: expiry, reminders, no-shows, completion.
Running the jobs again, or from a second worker, changes nothing more."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from alliance.models import MemberRole
from bookings.jobs import run_due_jobs
from bookings.models import BookingEvent, BookingStatus
from bookings.services import booking_approve, booking_check_in, booking_create
from notifications.models import Notification
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(settings):
    settings.BOOKING_NO_SHOW_GRACE_MINUTES = 15
    settings.BOOKING_REMINDER_LEAD_MINUTES = 60
    return settings


@pytest.fixture
def lab(setting):
    return ResourceFactory(requires_approval=True, requires_checkin=True)


@pytest.fixture
def booker():
    return MemberFactory()


@pytest.fixture
def manager(lab):
    return MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER)


def book(resource, member, start, hours=1):
    return booking_create(
        member=member,
        resource_id=resource.pk,
        start=start,
        end=start + dt.timedelta(hours=hours),
        purpose="质谱分析",
        now=FROZEN_NOW,
    )


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return run_due_jobs()


def status_of(booking):
    booking.refresh_from_db()
    return booking.status


def test_undecided_booking_expires_when_it_starts_and_the_booker_is_told(lab, booker):
    booking = book(lab, booker, local(2026, 11, 24, 9))
    assert run_at(local(2026, 11, 24, 8, 59))["expire"] == 0
    assert status_of(booking) == BookingStatus.PENDING
    assert run_at(local(2026, 11, 24, 9))["expire"] == 1
    assert status_of(booking) == BookingStatus.EXPIRED
    assert Notification.objects.filter(member=booker, booking=booking, kind="expired").count() == 1
    # Expiry freed the slot: someone else may take what is left of it.
    with time_machine.travel(local(2026, 11, 24, 8), tick=False):
        assert book(lab, MemberFactory(), local(2026, 11, 24, 9)).status == BookingStatus.PENDING


def test_reminder_is_sent_once_within_the_lead_time(lab, booker, manager):
    booking = book(lab, booker, local(2026, 11, 24, 9))
    booking_approve(actor=manager, booking_id=booking.pk, now=FROZEN_NOW)
    assert run_at(local(2026, 11, 24, 7, 59))["remind"] == 0
    assert run_at(local(2026, 11, 24, 8))["remind"] == 1
    assert run_at(local(2026, 11, 24, 8, 30))["remind"] == 0
    assert Notification.objects.filter(member=booker, kind="reminder").count() == 1
    booking.refresh_from_db()
    assert booking.reminded_at == local(2026, 11, 24, 8)


def test_no_check_in_after_the_grace_period_is_a_no_show_that_frees_the_slot(lab, booker, manager):
    booking = book(lab, booker, local(2026, 11, 24, 9), hours=3)
    booking_approve(actor=manager, booking_id=booking.pk, now=FROZEN_NOW)
    assert run_at(local(2026, 11, 24, 9, 14))["no_show"] == 0
    assert run_at(local(2026, 11, 24, 9, 15))["no_show"] == 1
    assert status_of(booking) == BookingStatus.NO_SHOW
    assert Notification.objects.filter(member=booker, kind="no_show").count() == 1
    lab.min_notice_minutes = 0
    lab.save()
    with time_machine.travel(local(2026, 11, 24, 9, 30), tick=False):
        rest = booking_create(
            member=MemberFactory(),
            resource_id=lab.pk,
            start=local(2026, 11, 24, 10),
            end=local(2026, 11, 24, 12),
            purpose="补用剩余时段",
        )
    assert rest.status == BookingStatus.PENDING


def test_used_booking_completes_at_its_end(lab, booker, manager):
    booking = book(lab, booker, local(2026, 11, 24, 9))
    booking_approve(actor=manager, booking_id=booking.pk, now=FROZEN_NOW)
    with time_machine.travel(local(2026, 11, 24, 9, 5), tick=False):
        booking_check_in(actor=booker, booking_id=booking.pk, code=lab.checkin_code)
    assert run_at(local(2026, 11, 24, 9, 59))["complete"] == 0
    assert run_at(local(2026, 11, 24, 10))["complete"] == 1
    assert status_of(booking) == BookingStatus.COMPLETED


def test_booking_of_a_resource_without_check_in_completes_without_one(booker, setting):
    room = ResourceFactory(requires_approval=False, requires_checkin=False)
    booking = book(room, booker, local(2026, 11, 24, 9))
    assert run_at(local(2026, 11, 24, 9, 30))["no_show"] == 0
    run_at(local(2026, 11, 24, 10))
    assert status_of(booking) == BookingStatus.COMPLETED


def test_running_the_jobs_again_changes_nothing(lab, booker, manager):
    expired = book(lab, booker, local(2026, 11, 24, 9))
    no_show = book(lab, booker, local(2026, 11, 24, 11))
    booking_approve(actor=manager, booking_id=no_show.pk, now=FROZEN_NOW)
    first = run_at(local(2026, 11, 24, 13))
    assert (first["expire"], first["no_show"]) == (1, 1)
    snapshot = (
        list(BookingEvent.objects.order_by("pk").values_list("pk", "action")),
        Notification.objects.count(),
    )
    second = run_at(local(2026, 11, 24, 13, 1))
    assert not any(second.values())
    assert snapshot == (
        list(BookingEvent.objects.order_by("pk").values_list("pk", "action")),
        Notification.objects.count(),
    )
    assert (status_of(expired), status_of(no_show)) == (BookingStatus.EXPIRED, "no_show")


def test_run_jobs_command_runs_once_and_reports(lab, booker):
    book(lab, booker, local(2026, 11, 24, 9))
    out = StringIO()
    with time_machine.travel(local(2026, 11, 24, 9, 30), tick=False):
        call_command("run_jobs", stdout=out)
    assert "expire 1" in out.getvalue()
