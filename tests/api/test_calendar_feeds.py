"""Calendar feeds through the API: a bound member issues their feed URL; calendar apps fetch
it without signing in; a wrong or replaced token is 404."""

import pytest
from icalendar import Calendar
from rest_framework.test import APIClient

from alliance.models import MemberRole
from bookings.services import booking_create
from tests.api.helpers import api_client
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def feed_path(url):
    return url[url.index("/calendars/") :]


def test_member_feed_url_opens_in_a_calendar_app_and_holds_their_booking():
    member = MemberFactory()
    room = ResourceFactory(name="白求恩党群服务中心 会议室")
    booking = booking_create(
        member=member,
        resource_id=room.pk,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
        purpose="支部学习",
    )
    answer = api_client(member).post("/api/v1/calendar-feeds/", {}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["kind"] == "member"
    feed = APIClient().get(feed_path(answer.json()["url"]))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"booking-{booking.pk}@alliance-share"]


def test_issuing_again_replaces_the_url_and_unknown_tokens_are_404():
    member = MemberFactory()
    client = api_client(member)
    first = client.post("/api/v1/calendar-feeds/", {}, format="json").json()["url"]
    second = client.post("/api/v1/calendar-feeds/", {}, format="json").json()["url"]
    assert APIClient().get(feed_path(first)).status_code == 404
    assert APIClient().get(feed_path(second)).status_code == 200
    assert APIClient().get("/calendars/guess.ics").status_code == 404


def test_resource_feed_is_for_its_managers_only():
    room = ResourceFactory()
    manager = MemberFactory(unit=room.unit, role=MemberRole.UNIT_MANAGER)
    ok = api_client(manager).post("/api/v1/calendar-feeds/", {"resource": room.pk}, format="json")
    assert ok.status_code == 201
    assert ok.json()["kind"] == "resource"
    refused = api_client(MemberFactory()).post(
        "/api/v1/calendar-feeds/", {"resource": room.pk}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    missing = api_client(manager).post(
        "/api/v1/calendar-feeds/", {"resource": 999999}, format="json"
    )
    assert missing.status_code == 404


def test_unbound_and_anonymous_callers_cannot_issue_feeds():
    assert (
        api_client(openid="o-unbound")
        .post("/api/v1/calendar-feeds/", {}, format="json")
        .json()["code"]
        == "not_bound"
    )
    assert APIClient().post("/api/v1/calendar-feeds/", {}, format="json").status_code == 401
