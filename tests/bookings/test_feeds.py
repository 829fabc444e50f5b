"""iCalendar feeds parse with the icalendar library and hold the right events; a wrong or
reset token finds nothing; the resource feed reveals nobody's name or purpose."""

import pytest
from icalendar import Calendar

from alliance.errors import AccessDenied, NotFound
from alliance.models import MemberRole
from bookings.feeds import calendar_feed_render, calendar_feed_reset
from bookings.models import BookingStatus, CalendarFeed
from bookings.services import booking_cancel, booking_create
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


@pytest.fixture
def scene():
    room = ResourceFactory(
        name="光明青年人才驿站 报告厅", building="光明区华夏路", requires_approval=False
    )
    booker = MemberFactory(name="李研究员")
    kept = booking_create(
        member=booker,
        resource_id=room.pk,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 11),
        purpose="党课：科学家精神",
    )
    cancelled = booking_create(
        member=booker,
        resource_id=room.pk,
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 10),
        purpose="临时会议",
    )
    booking_cancel(actor=booker, booking_id=cancelled.pk)
    other = booking_create(
        member=MemberFactory(name="王工程师"),
        resource_id=room.pk,
        start=local(2026, 11, 26, 14),
        end=local(2026, 11, 26, 15),
        purpose="秘密项目评审",
    )
    return room, booker, kept, cancelled, other


def events(ics: bytes):
    return {str(e["uid"]): e for e in Calendar.from_ical(ics).walk("VEVENT")}


def test_member_feed_holds_their_bookings_with_times_and_status(scene):
    room, booker, kept, cancelled, other = scene
    token = calendar_feed_reset(actor=booker, member=booker)
    found = events(calendar_feed_render(token=token))
    assert set(found) == {
        f"booking-{kept.pk}@alliance-share",
        f"booking-{cancelled.pk}@alliance-share",
    }
    event = found[f"booking-{kept.pk}@alliance-share"]
    assert event.decoded("dtstart") == local(2026, 11, 24, 9)
    assert event.decoded("dtend") == local(2026, 11, 24, 11)
    assert str(event["status"]) == "CONFIRMED"
    assert "光明青年人才驿站" in str(event["summary"])
    assert str(found[f"booking-{cancelled.pk}@alliance-share"]["status"]) == "CANCELLED"


def test_resource_feed_shows_busy_times_without_names_or_purposes(scene):
    room, booker, kept, cancelled, other = scene
    manager = MemberFactory(unit=room.unit, role=MemberRole.UNIT_MANAGER)
    ics = calendar_feed_render(token=calendar_feed_reset(actor=manager, resource=room))
    found = events(ics)
    assert set(found) == {f"booking-{kept.pk}@alliance-share", f"booking-{other.pk}@alliance-share"}
    text = ics.decode()
    for secret in ["李研究员", "王工程师", "秘密项目评审", "党课"]:
        assert secret not in text


def test_wrong_or_reset_token_finds_nothing(scene):
    room, booker, *_ = scene
    old = calendar_feed_reset(actor=booker, member=booker)
    new = calendar_feed_reset(actor=booker, member=booker)
    assert CalendarFeed.objects.count() == 1
    calendar_feed_render(token=new)
    for token in [old, "not-a-token", ""]:
        with pytest.raises(NotFound):
            calendar_feed_render(token=token)


def test_token_is_stored_only_as_a_digest(scene):
    room, booker, *_ = scene
    token = calendar_feed_reset(actor=booker, member=booker)
    assert not CalendarFeed.objects.filter(token_digest=token).exists()
    assert token not in str(list(CalendarFeed.objects.values()))


def test_only_the_member_or_the_resource_managers_can_reset(scene):
    room, booker, *_ = scene
    stranger = MemberFactory(role=MemberRole.UNIT_MANAGER)
    with pytest.raises(AccessDenied):
        calendar_feed_reset(actor=stranger, member=booker)
    with pytest.raises(AccessDenied):
        calendar_feed_reset(actor=stranger, resource=room)
    assert not CalendarFeed.objects.exists()


def test_pending_bookings_are_tentative(scene):
    room, booker, *_ = scene
    lab = ResourceFactory(requires_approval=True)
    pending = booking_create(
        member=booker,
        resource_id=lab.pk,
        start=local(2026, 11, 27, 9),
        end=local(2026, 11, 27, 10),
        purpose="测试",
    )
    assert pending.status == BookingStatus.PENDING
    found = events(calendar_feed_render(token=calendar_feed_reset(actor=booker, member=booker)))
    assert str(found[f"booking-{pending.pk}@alliance-share"]["status"]) == "TENTATIVE"
