"""The credit score (issue 12, bookings.credit) under a frozen clock: costs from the
lifecycle's transitions, recovery, suspension and its refusal, restoration, misuse."""

import datetime as dt

import pytest
import time_machine

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, ValidationFailed
from alliance.models import MemberRole
from bookings.credit import (
    credit_misuse_report,
    credit_restore,
    credit_standing_get,
    late_cancel_cost,
)
from bookings.models import Booking, CreditAccount, CreditEvent
from bookings.services import booking_cancel, booking_create, booking_mark_no_show
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 23, 7)


@pytest.fixture
def member():
    return MemberFactory()


@pytest.fixture
def checkin_resource():
    return ResourceFactory(requires_checkin=True)


def no_show(member, resource, start):
    booking = BookingFactory(
        member=member, resource=resource, start=start, end=start + dt.timedelta(hours=1)
    )
    return booking_mark_no_show(
        actor=SYSTEM, booking_id=booking.pk, now=start + dt.timedelta(minutes=20)
    )


def test_a_member_without_events_has_the_full_score(member):
    standing = credit_standing_get(member=member, now=NOW)
    assert standing.score == 100
    assert standing.suspended_until is None


def test_a_no_show_costs_points_in_the_same_transition(member, checkin_resource):
    booking = no_show(member, checkin_resource, local(2026, 11, 20, 9))
    assert booking.status == "no_show"
    event = CreditEvent.objects.get(member=member)
    assert (event.kind, event.points, event.score_after, event.booking_id) == (
        "no_show",
        -10,
        90,
        booking.pk,
    )


@pytest.mark.parametrize(
    ("hours_before", "points"),
    [(1, 8), (2, 8), (2.5, 5), (6, 5), (7, 2), (24, 2), (25, 0)],
)
def test_late_cancellation_costs_more_the_closer_to_the_start(hours_before, points):
    booking = Booking(start=NOW + dt.timedelta(hours=hours_before))
    assert late_cancel_cost(booking=booking, now=NOW) == points


def test_the_booker_cancelling_late_pays_a_manager_cancelling_does_not(member):
    resource = ResourceFactory()
    start = local(2026, 11, 23, 9)
    mine = booking_create(
        member=member,
        resource_id=resource.pk,
        start=start,
        end=start + dt.timedelta(hours=1),
        purpose="x",
        now=NOW,
    )
    booking_cancel(actor=member, booking_id=mine.pk, now=NOW)
    assert CreditEvent.objects.get(member=member).points == -8
    other = booking_create(
        member=member,
        resource_id=resource.pk,
        start=start + dt.timedelta(hours=2),
        end=start + dt.timedelta(hours=3),
        purpose="x",
        now=NOW,
    )
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    booking_cancel(actor=manager, booking_id=other.pk, reason="维护", now=NOW)
    assert CreditEvent.objects.filter(member=member).count() == 1


def test_three_no_shows_in_90_days_suspend_booking_for_30_days(member, checkin_resource):
    no_show(member, checkin_resource, local(2026, 9, 1, 9))
    no_show(member, checkin_resource, local(2026, 10, 1, 9))
    assert credit_standing_get(member=member, now=NOW).suspended_until is None
    third = local(2026, 11, 20, 9)
    no_show(member, checkin_resource, third)
    until = CreditAccount.objects.get(member=member).suspended_until
    assert until == third + dt.timedelta(minutes=20) + dt.timedelta(days=30)
    resource = ResourceFactory()
    start = local(2026, 11, 24, 9)
    with pytest.raises(ValidationFailed) as exc:
        booking_create(
            member=member,
            resource_id=resource.pk,
            start=start,
            end=start + dt.timedelta(hours=1),
            purpose="x",
            now=NOW,
        )
    assert exc.value.code == "booking_suspended"
    assert exc.value.params["until"] == "2026-12-20"
    assert not Booking.objects.filter(resource=resource).exists()
    # The day it ends, booking works again.
    later = until + dt.timedelta(minutes=1)
    start = local(2026, 12, 22, 9)
    booking_create(
        member=member,
        resource_id=resource.pk,
        start=start,
        end=start + dt.timedelta(hours=1),
        purpose="x",
        now=later,
    )


def test_two_no_shows_90_days_apart_do_not_suspend(member, checkin_resource):
    no_show(member, checkin_resource, local(2026, 6, 1, 9))
    no_show(member, checkin_resource, local(2026, 8, 1, 9))
    no_show(member, checkin_resource, local(2026, 11, 20, 9))  # > 90 days after June
    assert CreditAccount.objects.get(member=member).suspended_until is None


def test_a_score_below_the_threshold_suspends(member, checkin_resource):
    manager = MemberFactory(unit=checkin_resource.unit, role=MemberRole.UNIT_MANAGER)
    booking = BookingFactory(
        member=member,
        resource=checkin_resource,
        start=local(2026, 11, 20, 9),
        end=local(2026, 11, 20, 10),
    )
    with time_machine.travel(NOW, tick=False):
        credit_misuse_report(actor=manager, booking_id=booking.pk, points=40, reason="未清洁")
        assert CreditAccount.objects.get(member=member).suspended_until is None  # 60: not below
        credit_misuse_report(actor=manager, booking_id=booking.pk, points=1, reason="再次")
    account = CreditAccount.objects.get(member=member)
    assert account.score == 59
    assert account.suspended_until == NOW + dt.timedelta(days=30)


def test_misuse_needs_a_manager_of_the_resource_and_a_reason(member, checkin_resource):
    booking = BookingFactory(
        member=member,
        resource=checkin_resource,
        start=local(2026, 11, 20, 9),
        end=local(2026, 11, 20, 10),
    )
    stranger = MemberFactory(role=MemberRole.UNIT_MANAGER)
    with pytest.raises(AccessDenied):
        credit_misuse_report(actor=stranger, booking_id=booking.pk, points=5, reason="x")
    manager = MemberFactory(unit=checkin_resource.unit, role=MemberRole.UNIT_MANAGER)
    with pytest.raises(ValidationFailed):
        credit_misuse_report(actor=manager, booking_id=booking.pk, points=5, reason=" ")
    with pytest.raises(ValidationFailed):
        credit_misuse_report(actor=manager, booking_id=booking.pk, points=0, reason="x")
    assert not CreditEvent.objects.exists()


def test_points_recover_lazily_per_30_days_without_a_cost(member, checkin_resource):
    with time_machine.travel(local(2026, 6, 1, 10), tick=False):
        no_show(member, checkin_resource, local(2026, 6, 1, 9))
    assert credit_standing_get(member=member, now=local(2026, 7, 1, 9)).score == 90
    assert credit_standing_get(member=member, now=local(2026, 7, 1, 10, 30)).score == 95
    assert credit_standing_get(member=member, now=local(2026, 8, 1, 10)).score == 100
    assert credit_standing_get(member=member, now=local(2027, 1, 1)).score == 100  # capped
    # The next event writes the recovery down first.
    no_show(member, checkin_resource, local(2026, 7, 10, 9))
    kinds = list(
        CreditEvent.objects.filter(member=member)
        .order_by("at", "pk")
        .values_list("kind", "score_after")
    )
    assert kinds == [("no_show", 90), ("recovered", 95), ("no_show", 85)]


def test_the_secretariat_restores_points_and_lifts_a_suspension(member, checkin_resource):
    for month in (9, 10, 11):
        no_show(member, checkin_resource, local(2026, month, 10, 9))
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    with pytest.raises(AccessDenied):
        credit_restore(actor=member, member=member, points=5, reason="x", now=NOW)
    event = credit_restore(
        actor=secretariat,
        member=member,
        points=50,
        reason="设备故障所致",
        lift_suspension=True,
        now=NOW,
    )
    assert event.score_after == 100  # never above the maximum
    assert credit_standing_get(member=member, now=NOW).suspended(NOW) is False
