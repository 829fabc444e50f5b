"""GET /api/v1/resources/ (the catalogue and its filters) and /resources/{id}/."""

from __future__ import annotations

import pytest

from resources.models import ResourceKind
from tests.api.world import World, client_for, world_build
from tests.factories import ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/resources/"


@pytest.fixture
def world() -> World:
    return world_build()


def listed(member, **params) -> list[str]:
    response = client_for(member).get(URL, params)
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


# --- The catalogue ------------------------------------------------------------------------


def test_the_catalogue_lists_resources_by_unit_then_name(world):
    ResourceFactory(unit=world.resource.unit, name="X射线衍射仪", address="南科大理学院")

    response = client_for(world.researcher).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["name"] for row in body["results"]] == ["X射线衍射仪", "冷冻电镜", "报告厅"]
    assert body["results"][1] == {
        "id": world.resource.pk,
        "name": "冷冻电镜",
        "kind": "equipment",
        "unit": world.resource.unit_id,
        "unit_name": "南方科技大学",
        "location": {"building": "光明科学城", "room": "", "address": "", "text": "光明科学城"},
        "description": "",
        "capacity": 10,
        "requires_approval": True,
        "requires_check_in": True,
        "is_retired": False,
        "service_modes": ["self_use"],
        "duration_minutes": None,  # set by a search by time (tests/api/test_search.py)
        "first_slots": None,
        "unfit": None,
        "photos": [],
        "rules_display": body["results"][1][
            "rules_display"
        ],  # tests/resources/test_rules_display.py
        "can_book": True,
        "cannot_book_reason": None,
        "check_in_url": f"http://testserver/r/{world.resource.pk}/",
    }
    assert body["results"][1]["rules_display"][0] == {
        "rule": "max_days_ahead",
        "text": "最多提前 30 天预约",
    }


def test_retired_resources_are_hidden_unless_asked_for(world):
    ResourceFactory(unit=world.resource.unit, name="旧离心机", is_retired=True)

    assert "旧离心机" not in listed(world.researcher)
    assert "旧离心机" in listed(world.researcher, include_retired="true")
    assert "旧离心机" not in listed(world.researcher, include_retired="false")


def test_the_catalogue_filters_by_kind_and_unit(world):
    ResourceFactory(unit=world.resource.unit, name="党建活动室", kind=ResourceKind.VENUE)

    assert listed(world.researcher, kind="venue") == ["党建活动室", "报告厅"]
    assert listed(world.researcher, unit=world.resource.unit_id) == ["党建活动室", "冷冻电镜"]
    assert listed(world.researcher, kind="venue", unit=world.resource.unit_id) == ["党建活动室"]


def test_q_finds_words_in_name_description_or_location(world):
    ResourceFactory(unit=world.resource.unit, name="质谱仪", description="高分辨 Orbitrap 质谱")
    ResourceFactory(unit=world.resource.unit, name="会议室", address="光明区科学公园")

    assert listed(world.researcher, q="orbitrap") == ["质谱仪"]
    assert listed(world.researcher, q="科学公园") == ["会议室"]
    assert listed(world.researcher, q="电镜") == ["冷冻电镜"]
    assert listed(world.researcher, q="光明 会议") == ["会议室"]
    assert listed(world.researcher, q="没有这个") == []


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"kind": "spaceship"}, "kind", "invalid_choice"),
        ({"unit": "999999"}, "unit", "invalid_choice"),
        ({"unit": "abc"}, "unit", "invalid_choice"),
        ({"unit": str(10**30)}, "unit", "invalid_choice"),
        ({"q": "长" * 101}, "q", "max_length"),
    ],
)
def test_bad_filters_are_400_with_the_field_s_code(world, params, field, code):
    response = client_for(world.researcher).get(URL, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"][field][0]["code"] == code


def test_the_catalogue_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for n in range(25):
        ResourceFactory(unit=UnitFactory(), name=f"仪器{n}")
    client = client_for(world.researcher)

    with django_assert_max_num_queries(5):
        response = client.get(URL, {"kind": "equipment", "page_size": 30})

    assert response.json()["count"] == 26


# --- Free for a window --------------------------------------------------------------------


# The search by time itself: tests/api/test_search.py.


@pytest.mark.parametrize(
    ("params", "code", "field", "field_code"),
    [
        ({"free_from": "2026-11-24T10:00"}, "invalid", "free_to", "required"),
        ({"free_to": "2026-11-24T10:00"}, "invalid", "free_from", "required"),
        (
            {"free_from": "2026-11-24T10:00", "free_to": "2026-11-24T10:00"},
            "invalid_interval",
            "free_to",
            "invalid_interval",
        ),
        (
            {"free_from": "2026-11-24T10:00", "free_to": "2027-11-24T10:00"},
            "range_too_long",
            "free_to",
            "range_too_long",
        ),
        (
            {"free_from": "yesterday", "free_to": "2026-11-24T10:00"},
            "invalid",
            "free_from",
            "invalid",
        ),
        (
            {"free_from": "0001-01-01T00:00+14:00", "free_to": "2026-11-24T10:00"},
            "invalid",
            "free_from",
            "out_of_range",
        ),
    ],
)
def test_a_bad_free_window_is_400(world, params, code, field, field_code):
    response = client_for(world.researcher).get(URL, params)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["fields"][field][0]["code"] == field_code


# --- One resource -------------------------------------------------------------------------


def test_a_resource_shows_its_rules_and_opening_hours(world):
    resource = ResourceFactory(
        unit=world.resource.unit,
        name="超算节点",
        hours=[(0, "00:00", "00:00"), (1, "08:00", "12:00"), (1, "14:00", "00:00")],
        slot_minutes=60,
        min_duration_minutes=60,
        max_duration_minutes=24 * 60,
        buffer_minutes=15,
    )
    resource.allowed_units.set([world.researcher.unit])

    response = client_for(world.other_researcher).get(f"{URL}{resource.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["opening_hours"] == [
        {"weekday": 0, "start": "00:00", "end": "24:00"},
        {"weekday": 1, "start": "08:00", "end": "12:00"},
        {"weekday": 1, "start": "14:00", "end": "24:00"},
    ]
    assert {
        key: body[key] for key in ("slot_minutes", "max_duration_minutes", "buffer_minutes")
    } == {
        "slot_minutes": 60,
        "max_duration_minutes": 1440,
        "buffer_minutes": 15,
    }
    assert body["min_notice_minutes"] == 60
    assert body["max_days_ahead"] == 30
    assert body["allowed_units"] == [world.researcher.unit_id]
    assert body["created_at"] == "2026-11-23T08:00:00+08:00"


def test_a_retired_resource_still_has_its_page(world):
    retired = ResourceFactory(unit=world.resource.unit, is_retired=True)

    response = client_for(world.researcher).get(f"{URL}{retired.pk}/")

    assert response.status_code == 200
    assert response.json()["is_retired"] is True


@pytest.mark.parametrize("resource_id", ["999999", str(10**30)])
def test_an_unknown_resource_is_404(world, resource_id):
    response = client_for(world.researcher).get(f"{URL}{resource_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
