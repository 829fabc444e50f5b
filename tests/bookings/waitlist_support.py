"""Shared set-up of the waitlist tests: the slot, its first holder, joining, and the
snapshot a refusal must leave as it was."""

import datetime as dt

import pytest

from bookings.models import Booking, BookingEvent
from bookings.services import booking_create
from bookings.waitlist import waitlist_join
from bookings.waitlist_models import WaitlistEntry
from notifications.models import Notification
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory

NOW = FROZEN_NOW  # Monday 23 November 2026, 08:00
START = local(2026, 11, 24, 10)  # Tuesday
END = START + dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def resource():
    return ResourceFactory()


@pytest.fixture
def taken(resource):
    """The slot, booked (approved) by its first holder."""
    return booking_create(
        member=MemberFactory(),
        resource_id=resource.pk,
        start=START,
        end=END,
        purpose="占用",
        now=NOW,
    )


def join(member, resource, start=START, end=END, now=NOW, **kwargs):
    return waitlist_join(
        member=member,
        resource_id=resource.pk,
        start=start,
        end=end,
        purpose="候补",
        now=now,
        **kwargs,
    )


def written():
    return (
        WaitlistEntry.objects.count(),
        Booking.objects.count(),
        BookingEvent.objects.count(),
        Notification.objects.count(),
    )


def refused(error, call):
    before = written()
    with pytest.raises(error) as exc:
        call()
    assert written() == before
    return exc.value


def entry(pk):
    return WaitlistEntry.objects.select_related("hold").get(pk=pk)
