"""The API's answers for issue 12: ``quota_exceeded`` with its structured detail,
``booking_suspended`` with its date, and the member's own credit."""

import datetime as dt

import pytest

from bookings.models import Booking, CreditAccount, Quota
from tests.api.helpers import api_client
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def slot(resource, day, hour):
    return {
        "resource": resource.pk,
        "start": local(2026, 11, day, hour).isoformat(),
        "end": (local(2026, 11, day, hour) + dt.timedelta(hours=1)).isoformat(),
        "purpose": "配额",
    }


def test_a_refused_booking_names_the_quota_and_what_is_left():
    resource = ResourceFactory()
    Quota.objects.create(
        resource=resource, scope="member", measure="bookings", period="day", limit=1
    )
    member = MemberFactory()
    client = api_client(member)
    url = "/api/v1/bookings/"
    assert client.post(url, slot(resource, 25, 9), format="json").status_code == 201
    response = client.post(url, slot(resource, 25, 11), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "quota_exceeded"
    assert body["quota_detail"]["left"] == 0
    assert body["quota_detail"]["limit"] == 1
    assert "0" in body["message"]
    assert Booking.objects.count() == 1


def test_a_suspended_member_is_refused_with_the_date_it_ends(frozen_now):
    member = MemberFactory()
    CreditAccount.objects.create(
        member=member,
        score=50,
        recovered_at=frozen_now,
        suspended_until=frozen_now + dt.timedelta(days=30),
    )
    resource = ResourceFactory()
    response = api_client(member).post("/api/v1/bookings/", slot(resource, 25, 9), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "booking_suspended"
    assert response.json()["suspended_until"]
    assert not Booking.objects.exists()
    credit = api_client(member).get("/api/v1/me/credit/").json()
    assert credit["score"] == 50
    assert credit["suspended_until"]
    assert credit["history"] == []
