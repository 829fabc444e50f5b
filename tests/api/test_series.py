"""The series API (issue 12): preview writes nothing, create answers the clashes."""

import pytest

from bookings.models import Booking, BookingSeries
from tests.api.helpers import api_client
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BODY = {
    "rule": "FREQ=WEEKLY;COUNT=3",
    "start": "2026-11-24T09:00:00+08:00",
    "end": "2026-11-24T10:00:00+08:00",
}


@pytest.fixture
def room():
    room = ResourceFactory(max_days_ahead=400)
    BookingFactory(resource=room, start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))
    return room


@pytest.fixture
def client():
    return api_client(MemberFactory())


def test_preview_lists_each_occurrence_and_writes_nothing(room, client):
    answer = client.post("/api/v1/series/preview/", {**BODY, "resource": room.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert [(o["free"], o["code"]) for o in answer.json()["occurrences"]] == [
        (True, None),
        (False, "conflict"),
        (True, None),
    ]
    assert Booking.objects.count() == 1
    assert not BookingSeries.objects.exists()


def test_all_or_nothing_409_names_the_dates(room, client):
    body = {**BODY, "resource": room.pk, "purpose": "组会"}
    answer = client.post("/api/v1/series/", body, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "series_clash"
    assert "2026-12-01" in answer.json()["message"]
    assert answer.json()["occurrences"][0]["code"] == "conflict"
    assert Booking.objects.count() == 1


def test_skip_then_read_and_cancel_the_following(room, client):
    body = {**BODY, "resource": room.pk, "purpose": "组会", "mode": "skip"}
    made = client.post("/api/v1/series/", body, format="json")
    assert made.status_code == 201, made.content
    assert len(made.json()["bookings"]) == 2
    assert made.json()["skipped"][0]["start"].startswith("2026-12-01T09:00")
    series = made.json()["series"]["id"]
    assert [s["id"] for s in client.get("/api/v1/series/").json()["results"]] == [series]
    detail = client.get(f"/api/v1/series/{series}/").json()
    last = detail["occurrences"][-1]["id"]
    acted = client.post(
        f"/api/v1/series/{series}/actions/",
        {"action": "cancel", "scope": "following", "booking": last},
        format="json",
    )
    assert acted.status_code == 200, acted.content
    assert [b["id"] for b in acted.json()["changed"]] == [last]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"rule": "FREQ=WEEKLY;COUNT=99"}, "series_too_many"),
        ({"rule": "FREQ=MINUTELY;COUNT=2"}, "series_rule_invalid"),
        ({"end": "2026-11-24T08:00:00+08:00"}, "invalid_interval"),
        ({"resource": 999999}, "invalid"),
    ],
)
def test_bad_input_is_a_clear_400(room, client, change, code):
    answer = client.post(
        "/api/v1/series/preview/", {**BODY, "resource": room.pk, **change}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == code


def test_a_conflict_answer_offers_similar_resources(client):
    asked = ResourceFactory(kind="venue", name="报告厅")
    other = ResourceFactory(kind="venue", name="多功能厅")
    BookingFactory(resource=asked, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
    body = {**BODY, "resource": asked.pk, "purpose": "讲座"}
    del body["rule"]
    answer = client.post("/api/v1/bookings/", body, format="json")
    assert answer.status_code == 409
    assert answer.json()["similar"] == [
        {
            "resource": other.pk,
            "resource_name": "多功能厅",
            "start": "2026-11-24T09:00:00+08:00",
            "end": "2026-11-24T10:00:00+08:00",
        }
    ]
