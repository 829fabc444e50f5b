"""The jobs lapse qualifications at ``lapses_at`` and remind the member once beforehand,
under a frozen clock at the edges: the instant before, the instant itself."""

import datetime as dt

import pytest
import time_machine

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, Conflict
from alliance.models import MemberRole
from bookings.jobs import run_due_jobs
from bookings.qualifications import (
    qualification_grant,
    qualification_lapse,
    qualification_request,
)
from bookings.services import booking_check_in, booking_create
from notifications.models import Notification
from resources.models import QualificationStatus
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db
NOW = FROZEN_NOW


@pytest.fixture
def reminder_days(settings):
    settings.QUALIFICATION_REMINDER_DAYS = 7
    return 7


@pytest.fixture
def krios(reminder_days):
    return ResourceFactory(requires_qualification=True, qualification_idle_days=30)


@pytest.fixture
def member():
    return MemberFactory()


@pytest.fixture
def manager(krios):
    return MemberFactory(unit=krios.unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def granted(krios, member, manager):
    qualification = qualification_request(member=member, resource_id=krios.pk, now=NOW)
    return qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return run_due_jobs()


def status_of(qualification):
    qualification.refresh_from_db()
    return qualification.status


def test_an_unused_grant_lapses_after_its_idle_days_and_the_member_is_told(granted, member):
    lapses_at = NOW + dt.timedelta(days=30)

    assert run_at(lapses_at - dt.timedelta(days=1))["qualification_lapse"] == 0
    assert run_at(lapses_at - dt.timedelta(seconds=1))["qualification_lapse"] == 0
    assert status_of(granted) == QualificationStatus.GRANTED
    assert run_at(lapses_at)["qualification_lapse"] == 1
    assert status_of(granted) == QualificationStatus.LAPSED
    event = granted.events.last()
    assert (event.action, event.actor, event.at) == ("lapsed", None, lapses_at)
    assert Notification.objects.filter(member=member, kind="qual_lapsed").count() == 1
    assert run_at(lapses_at + dt.timedelta(days=1))["qualification_lapse"] == 0  # once


def test_the_member_is_reminded_once_the_reminder_days_before(granted, member):
    lapses_at = NOW + dt.timedelta(days=30)
    lead = dt.timedelta(days=7)

    assert run_at(lapses_at - lead - dt.timedelta(seconds=1))["qualification_remind"] == 0
    assert run_at(lapses_at - lead)["qualification_remind"] == 1
    assert run_at(lapses_at - dt.timedelta(days=1))["qualification_remind"] == 0
    granted.refresh_from_db()
    assert granted.reminded_at == lapses_at - lead
    notices = Notification.objects.filter(member=member, kind="qual_reminder")
    assert notices.count() == 1
    assert f"{local(2026, 12, 23):%Y-%m-%d}" in notices.get().body


def test_use_before_the_lapse_keeps_the_grant_and_rearms_the_reminder(granted, member, krios):
    krios.requires_checkin = True
    krios.save()
    run_at(NOW + dt.timedelta(days=23))  # reminded
    use_day = local(2026, 12, 21, 9)  # a Monday, 28 days after the grant
    booking = booking_create(
        member=member,
        resource_id=krios.pk,
        start=use_day,
        end=use_day + dt.timedelta(hours=1),
        purpose="数据采集",
        now=NOW + dt.timedelta(days=27),
    )
    booking_check_in(actor=member, booking_id=booking.pk, code=krios.checkin_code, now=use_day)

    assert run_at(NOW + dt.timedelta(days=30))["qualification_lapse"] == 0
    assert status_of(granted) == QualificationStatus.GRANTED
    new_lapse = use_day + dt.timedelta(days=30)
    assert run_at(new_lapse - dt.timedelta(days=7))["qualification_remind"] == 1
    assert run_at(new_lapse)["qualification_lapse"] == 1
    assert Notification.objects.filter(member=member, kind="qual_reminder").count() == 2


def test_a_fixed_validity_lapses_at_its_end_however_much_it_is_used(member, reminder_days):
    resource = ResourceFactory(requires_qualification=True, qualification_valid_days=365)
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    qualification = qualification_request(member=member, resource_id=resource.pk, now=NOW)
    qualification = qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)
    end = NOW + dt.timedelta(days=365)

    assert run_at(end - dt.timedelta(seconds=1))["qualification_lapse"] == 0
    assert run_at(end)["qualification_lapse"] == 1
    assert status_of(qualification) == QualificationStatus.LAPSED


def test_a_grant_without_limits_is_never_lapsed_or_reminded(member, reminder_days):
    resource = ResourceFactory(requires_qualification=True)
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    qualification = qualification_request(member=member, resource_id=resource.pk, now=NOW)
    qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)

    result = run_at(NOW + dt.timedelta(days=3650))

    assert (result["qualification_lapse"], result["qualification_remind"]) == (0, 0)


def test_only_the_system_lapses_and_only_when_due(granted, manager):
    with pytest.raises(AccessDenied):
        qualification_lapse(actor=manager, qualification_id=granted.pk, now=NOW)
    with pytest.raises(Conflict) as early:
        qualification_lapse(actor=SYSTEM, qualification_id=granted.pk, now=NOW)

    assert early.value.code == "qualification_not_due"
    assert status_of(granted) == QualificationStatus.GRANTED
    assert granted.events.count() == 2  # requested, granted
