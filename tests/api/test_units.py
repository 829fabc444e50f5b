"""GET /api/v1/units/ and /units/{id}/."""

from __future__ import annotations

import pytest

from alliance.models import Unit
from tests.api.helpers import api_client
from tests.api.world import World, client_for, world_build
from tests.factories import UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def world() -> World:
    return world_build()


def test_units_are_listed_by_name_without_inactive_ones(world):
    UnitFactory(name="已退出单位", is_active=False)

    response = client_for(world.researcher).get("/api/v1/units/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [unit["name"] for unit in body["results"]] == [
        "南方科技大学",
        "深圳大学",
        "联合体秘书处",
    ]


def test_a_unit_shows_its_kind_and_contact_point(world):
    unit = UnitFactory(
        name="深圳湾实验室",
        short_name="湾实验室",
        kind="lab",
        contact_name="周老师",
        contact_phone="0755-12345678",
    )

    response = client_for(world.researcher).get(f"/api/v1/units/{unit.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": unit.pk,
        "name": "深圳湾实验室",
        "short_name": "湾实验室",
        "kind": "lab",
        "contact_name": "周老师",
        "contact_phone": "0755-12345678",
        "contact_email": "",
        "is_active": True,
    }


def test_an_unbound_wechat_user_may_browse_units(world):
    response = api_client(openid="o-visitor").get("/api/v1/units/")

    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("unit_id", ["999999", str(10**30)])
def test_an_unknown_unit_is_404(world, unit_id):
    response = client_for(world.researcher).get(f"/api/v1/units/{unit_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_inactive_unit_is_404(world):
    unit = UnitFactory(is_active=False)

    response = client_for(world.researcher).get(f"/api/v1/units/{unit.pk}/")

    assert response.status_code == 404


def test_the_unit_list_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    UnitFactory.create_batch(30)
    client = client_for(world.researcher)

    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/units/", {"page_size": 50})

    assert len(response.json()["results"]) == 33


def test_an_unbound_wechat_user_does_not_see_contact_details(world):
    unit = UnitFactory(name="深圳湾实验室", contact_name="周老师", contact_phone="0755-12345678")

    detail = api_client(openid="o-visitor").get(f"/api/v1/units/{unit.pk}/").json()
    listed = api_client(openid="o-visitor").get("/api/v1/units/").json()["results"]

    assert (detail["contact_name"], detail["contact_phone"]) == ("", "")
    assert all(u["contact_phone"] == "" for u in listed)
    member_view = client_for(world.researcher).get(f"/api/v1/units/{unit.pk}/").json()
    assert member_view["contact_phone"] == "0755-12345678"


# --- Deactivating and reactivating a unit -----------------------------------------------------

SLOT = {"start": "2026-11-24T14:00:00+08:00", "end": "2026-11-24T15:00:00+08:00", "purpose": "测"}


def test_the_secretariat_deactivates_a_unit_and_its_members_and_resources_stop(world):
    unit_id = world.researcher.unit_id
    pending = client_for(world.other_researcher).post(
        "/api/v1/bookings/", {**SLOT, "resource": world.resource.pk}, format="json"
    )
    assert pending.status_code == 201

    response = client_for(world.secretariat).post(f"/api/v1/units/{unit_id}/deactivate/")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client_for(world.researcher).get(f"/api/v1/units/{unit_id}/").status_code == 404
    own = client_for(world.researcher).post(
        "/api/v1/bookings/", {**SLOT, "resource": world.other_resource.pk}, format="json"
    )
    assert (own.status_code, own.json()["code"]) == (400, "booking_unit_inactive")
    theirs = client_for(world.other_researcher).post(
        "/api/v1/bookings/",
        {**SLOT, "start": "2026-11-25T14:00:00+08:00", "end": "2026-11-25T15:00:00+08:00"}
        | {"resource": world.resource.pk},
        format="json",
    )
    assert (theirs.status_code, theirs.json()["code"]) == (400, "resource_unit_inactive")
    manage = client_for(world.manager).patch(
        f"/api/v1/resources/{world.resource.pk}/", {"capacity": 2}, format="json"
    )
    assert (manage.status_code, manage.json()["code"]) == (403, "actor_unit_inactive")
    # Others' bookings leave the manager's view: not found, before any refusal.
    approve = client_for(world.manager).post(f"/api/v1/bookings/{pending.json()['id']}/approve/")
    assert (approve.status_code, approve.json()["code"]) == (404, "not_found")
    assert client_for(world.manager).get("/api/v1/approvals/").json()["count"] == 0


def test_a_reactivated_unit_books_again(world):
    unit_id = world.researcher.unit_id
    secretariat = client_for(world.secretariat)
    secretariat.post(f"/api/v1/units/{unit_id}/deactivate/")

    response = secretariat.post(f"/api/v1/units/{unit_id}/reactivate/")

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    booked = client_for(world.researcher).post(
        "/api/v1/bookings/", {**SLOT, "resource": world.other_resource.pk}, format="json"
    )
    assert booked.status_code == 201


@pytest.mark.parametrize("who", ["researcher", "manager", "other_manager"])
def test_only_the_secretariat_deactivates_a_unit(world, who):
    unit_id = world.researcher.unit_id

    response = client_for(getattr(world, who)).post(f"/api/v1/units/{unit_id}/deactivate/")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Unit.objects.get(pk=unit_id).is_active


def test_deactivating_an_unknown_unit_is_not_found(world):
    response = client_for(world.secretariat).post("/api/v1/units/987654/deactivate/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_secretariats_own_unit_is_not_deactivated(world):
    unit_id = world.secretariat.unit_id

    response = client_for(world.secretariat).post(f"/api/v1/units/{unit_id}/deactivate/")

    assert (response.status_code, response.json()["code"]) == (409, "unit_has_secretariat")
    assert Unit.objects.get(pk=unit_id).is_active
