"""The usage-session endpoints: the mini-program starts and stops a session with the QR
code; managers list their resources' sessions, enter past ones by hand and correct them."""

import datetime as dt

import pytest
import time_machine

from alliance.models import MemberRole
from bookings.models import UsageSession
from tests.api.helpers import api_client
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

NINE = local(2026, 11, 24, 9)


@pytest.fixture
def lab():
    return ResourceFactory(allows_walk_up=True)


@pytest.fixture
def manager(lab):
    return MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER)


def start(client, lab, **body):
    return client.post(f"/api/v1/resources/{lab.pk}/sessions/start/", body, format="json")


def test_a_member_starts_and_stops_a_session_inside_their_booking(lab):
    member = MemberFactory()
    booking = BookingFactory(
        resource=lab, member=member, start=NINE, end=NINE + dt.timedelta(hours=1)
    )
    client = api_client(member)
    with time_machine.travel(NINE, tick=False):
        started = start(client, lab, code=lab.checkin_code, samples=2)
    assert started.status_code == 201, started.json()
    body = started.json()
    assert (body["booking"], body["source"], body["samples"]) == (booking.pk, "check_in", 2)
    assert body["stopped_at"] is None
    with time_machine.travel(NINE + dt.timedelta(minutes=30), tick=False):
        stopped = client.post(
            f"/api/v1/resources/{lab.pk}/sessions/{body['id']}/stop/", {}, format="json"
        )
    assert stopped.status_code == 200
    assert stopped.json()["stopped_at"] == "2026-11-24T09:30:00+08:00"


def test_refusals_carry_their_codes_and_write_nothing(lab):
    lab.allows_walk_up = False
    lab.save()
    client = api_client(MemberFactory())
    wrong = start(client, lab, code="nope")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "check_in_code_invalid")
    walk_up = start(client, lab, code=lab.checkin_code)
    assert (walk_up.status_code, walk_up.json()["code"]) == (409, "walk_up_not_allowed")
    unknown = start(client, lab, code=lab.checkin_code, extra=1)
    assert unknown.status_code == 400
    assert not UsageSession.objects.exists()


def test_someone_elses_session_is_invisible_and_cannot_be_stopped(lab):
    owner, other = MemberFactory(), MemberFactory()
    session_id = start(api_client(owner), lab, code=lab.checkin_code).json()["id"]
    answer = api_client(other).post(
        f"/api/v1/resources/{lab.pk}/sessions/{session_id}/stop/", {}, format="json"
    )
    assert answer.status_code == 404
    assert UsageSession.objects.get().is_running


def test_managers_list_enter_and_correct_sessions_of_their_resources(lab, manager):
    user = MemberFactory()
    start(api_client(user), lab, code=lab.checkin_code)
    client = api_client(manager)
    listed = client.get("/api/v1/sessions/?running=true")
    assert listed.status_code == 200
    assert [s["member"] for s in listed.json()["results"]] == [user.pk]
    assert api_client(MemberFactory()).get("/api/v1/sessions/").json()["results"] == []

    entered = client.post(
        "/api/v1/sessions/",
        {
            "resource": lab.pk,
            "member": user.pk,
            "started_at": "2026-11-20T09:00:00+08:00",
            "stopped_at": "2026-11-20T11:00:00+08:00",
            "reason": "停电后补录",
            "samples": 6,
        },
        format="json",
    )
    assert entered.status_code == 201, entered.json()
    assert (entered.json()["source"], entered.json()["entered_by"]) == ("manual", manager.pk)
    refused = api_client(user).post(
        "/api/v1/sessions/",
        {
            "resource": lab.pk,
            "member": user.pk,
            "started_at": "2026-11-21T09:00:00+08:00",
            "stopped_at": "2026-11-21T11:00:00+08:00",
            "reason": "自己补录",
        },
        format="json",
    )
    assert refused.status_code == 403
    corrected = client.patch(
        f"/api/v1/sessions/{entered.json()['id']}/",
        {"stopped_at": "2026-11-20T10:00:00+08:00", "reason": "实际一小时"},
        format="json",
    )
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["stopped_at"] == "2026-11-20T10:00:00+08:00"
    assert UsageSession.objects.count() == 2
