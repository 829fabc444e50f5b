"""The qualification endpoints: who may call what (a matrix like tests/api/test_permissions),
the chain request → schedule → grant → book through the API, and each refusal's code with
nothing written."""

from __future__ import annotations

import pytest

from bookings.models import Booking
from bookings.qualifications import qualification_request
from resources.models import Qualification, QualificationEvent
from tests.api.permission_matrix import ROLES, Call
from tests.api.test_permissions import client_as, fill
from tests.api.world import World, client_for, world_build
from tests.conftest import FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SCHEDULE = {"training_at": "2026-11-25T14:00:00+08:00", "place": "电镜室"}

#: endpoint: (call, expected status for each of ROLES in order). The qualification is the
#: researcher's request for A's resource; ``fresh`` is B's resource, which also needs one.
MATRIX = {
    "mine": (Call("get", "/api/v1/qualifications/"), (401, 403, 200, 200, 200, 200, 200)),
    "request": (
        Call("post", "/api/v1/qualifications/", {"resource": "{fresh}"}),
        (401, 403, 201, 201, 201, 201, 201),
    ),
    "to decide": (
        Call("get", "/api/v1/qualification-requests/"),
        (401, 403, 200, 200, 200, 200, 200),
    ),
    "detail": (
        Call("get", "/api/v1/qualifications/{qualification}/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "cancel": (
        Call("post", "/api/v1/qualifications/{qualification}/cancel/"),
        (401, 403, 200, 404, 403, 404, 403),
    ),
    "schedule": (
        Call("post", "/api/v1/qualifications/{qualification}/schedule/", SCHEDULE),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "grant": (
        Call("post", "/api/v1/qualifications/{qualification}/grant/"),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "refuse": (
        Call("post", "/api/v1/qualifications/{qualification}/refuse/", {"reason": "名额已满"}),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    # Only a grant can be revoked: a permitted caller meets the state's 409.
    "revoke": (
        Call("post", "/api/v1/qualifications/{qualification}/revoke/", {"reason": "违规"}),
        (401, 403, 403, 404, 409, 404, 409),
    ),
}
CASES = [
    pytest.param(endpoint, role, expected[i], id=f"{endpoint}-{role}")
    for endpoint, (_, expected) in MATRIX.items()
    for i, role in enumerate(ROLES)
]
REFUSAL_CODES = {
    401: {"not_authenticated"},
    403: {"not_bound", "permission_denied"},
    404: {"not_found"},
    409: {"qualification_state"},
}


@pytest.fixture
def world() -> World:
    world = world_build()
    for resource in (world.resource, world.other_resource):
        resource.requires_qualification = True
        resource.qualification_idle_days = 90
        resource.save()
    return world


@pytest.fixture
def ids(world) -> dict[str, int]:
    qualification = qualification_request(
        member=world.researcher, resource_id=world.resource.pk, now=FROZEN_NOW
    )
    return {
        "qualification": qualification.pk,
        "resource": world.resource.pk,
        "fresh": world.other_resource.pk,
    }


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_qualification_permission_matrix(world, ids, endpoint, role, expected):
    call, _ = MATRIX[endpoint]

    response = getattr(client_as(world, role), call.method)(
        fill(call.url, ids), fill(call.body, ids), format="json"
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["code"] in REFUSAL_CODES[expected]


def test_every_qualification_endpoint_is_in_the_matrix():
    from django.urls import get_resolver

    routes = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                routes.add(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    ours = {r for r in routes if r.startswith("api/v1/qualification")}
    covered = {
        call.url.replace("{qualification}", "<int:qualification_id>").removeprefix("/")
        for call, _ in MATRIX.values()
    }
    assert ours == covered


def test_refused_calls_write_nothing(world, ids):
    def state():
        return (
            list(Qualification.objects.order_by("pk").values_list("pk", "status")),
            QualificationEvent.objects.count(),
        )

    before = state()
    for role in ("anonymous", "unbound", "other_researcher", "other_manager"):
        client = client_as(world, role)
        for action in ("grant", "cancel", "schedule"):
            client.post(f"/api/v1/qualifications/{ids['qualification']}/{action}/", SCHEDULE)
    client_as(world, "researcher").post(f"/api/v1/qualifications/{ids['qualification']}/grant/")

    assert state() == before


def test_request_train_grant_then_book_through_the_api(world):
    member, manager = client_for(world.researcher), client_for(world.manager)
    slot = {
        "resource": world.resource.pk,
        "start": "2026-11-24T14:00:00+08:00",
        "end": "2026-11-24T15:00:00+08:00",
        "purpose": "样品表征",
    }

    refused = member.post("/api/v1/bookings/", slot, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_qualified"
    assert Booking.objects.count() == 0

    asked = member.post(
        "/api/v1/qualifications/",
        {"resource": world.resource.pk, "note": "做过培训"},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    qualification_id = asked.json()["id"]
    assert asked.json()["status"] == "requested"

    waiting = manager.get("/api/v1/qualification-requests/?status=requested").json()
    assert [q["id"] for q in waiting["results"]] == [qualification_id]
    scheduled = manager.post(
        f"/api/v1/qualifications/{qualification_id}/schedule/", SCHEDULE, format="json"
    ).json()
    assert (scheduled["status"], scheduled["training_place"]) == ("training_scheduled", "电镜室")
    assert scheduled["training_at"] == "2026-11-25T14:00:00+08:00"
    granted = manager.post(f"/api/v1/qualifications/{qualification_id}/grant/").json()
    assert granted["status"] == "granted"
    assert granted["lapses_at"] == "2027-02-21T08:00:00+08:00"
    assert [e["action"] for e in granted["events"]] == ["requested", "scheduled", "granted"]
    assert granted["events"][-1]["actor_name"] == world.manager.name

    booked = member.post("/api/v1/bookings/", slot, format="json")
    assert booked.status_code == 201, booked.json()
    mine = member.get("/api/v1/qualifications/").json()["results"]
    assert [q["status"] for q in mine] == ["granted"]


def test_a_second_request_conflicts_and_a_resource_without_the_requirement_is_refused(world, ids):
    member = client_for(world.researcher)

    again = member.post("/api/v1/qualifications/", {"resource": world.resource.pk}, format="json")
    world.other_resource.requires_qualification = False
    world.other_resource.save()
    needless = member.post(
        "/api/v1/qualifications/", {"resource": world.other_resource.pk}, format="json"
    )

    assert (again.status_code, again.json()["code"]) == (409, "qualification_exists")
    assert (needless.status_code, needless.json()["code"]) == (400, "qualification_not_required")
    assert Qualification.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"training_at": "2026-11-22T14:00:00+08:00"}, "training_at"),  # the past
        ({"training_at": "2026-11-25T14:00:00+08:00", "place": "x" * 201}, "place"),
        ({"training_at": "2026-11-25T14:00:00+08:00", "extra": 1}, "extra"),
    ],
)
def test_bad_training_input_is_refused_naming_the_field(world, ids, body, field):
    response = client_for(world.manager).post(
        f"/api/v1/qualifications/{ids['qualification']}/schedule/", body, format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Qualification.objects.get().status == "requested"


def test_a_refusal_needs_a_reason(world, ids):
    response = client_for(world.manager).post(
        f"/api/v1/qualifications/{ids['qualification']}/refuse/", {}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_the_managers_list_filters_by_status_and_resource(world, ids):
    manager = client_for(world.manager)

    def listed(query):
        response = manager.get(f"/api/v1/qualification-requests/{query}")
        assert response.status_code == 200, response.json()
        return [q["id"] for q in response.json()["results"]]

    assert listed("") == [ids["qualification"]]
    assert listed(f"?resource={world.resource.pk}") == [ids["qualification"]]
    assert listed(f"?resource={world.other_resource.pk}") == []
    assert listed("?status=granted") == []
    assert (
        client_for(world.other_manager).get("/api/v1/qualification-requests/").json()["results"]
        == []
    )
    bad = manager.get("/api/v1/qualification-requests/?status=nonsense")
    assert bad.status_code == 400


def test_the_member_finds_the_decision_in_their_inbox(world, ids):
    client_for(world.manager).post(f"/api/v1/qualifications/{ids['qualification']}/grant/")

    inbox = client_for(world.researcher).get("/api/v1/notifications/").json()["results"]

    assert [(n["kind"], n["qualification"], n["booking"]) for n in inbox] == [
        ("qual_granted", ids["qualification"], None)
    ]
