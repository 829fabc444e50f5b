"""GET /api/v1/units/ and /units/{id}/."""

from __future__ import annotations

import pytest

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
