"""Asset data for the open-sharing assessment and the qualification settings of a resource:
read by every signed-in caller, written by the resource's managers only, each value
checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from resources.assets import (
    CLASSIFICATION_TOP_LEVEL,
    classification_code_validate,
    expected_yearly_hours,
)
from resources.models import Resource
from tests.api.world import World, client_for, world_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def world() -> World:
    return world_build()


def url(resource) -> str:
    return f"/api/v1/resources/{resource.pk}/"


ASSET = {
    "asset_number": "SZBL-2021-0001",
    "original_value": "45000000.00",
    "purchase_date": "2021-06-18",
    "classification_code": "0101",
    "classification_name": "分析仪器/电子光学仪器",
    "specialised": True,
    "requires_qualification": True,
    "qualification_valid_days": 365,
    "qualification_idle_days": 90,
}


def test_a_manager_records_the_asset_data_and_everyone_reads_it(world):
    response = client_for(world.manager).patch(url(world.resource), ASSET, format="json")

    assert response.status_code == 200, response.json()
    body = client_for(world.other_researcher).get(url(world.resource)).json()
    assert {key: body[key] for key in ASSET} == ASSET
    assert body["yearly_hours_override"] is None
    assert body["expected_yearly_hours"] == 800  # specialised


def test_the_expected_hours_default_by_kind_and_may_be_set(world):
    client = client_for(world.manager)

    assert client.get(url(world.resource)).json()["expected_yearly_hours"] == 1400
    body = client.patch(url(world.resource), {"yearly_hours_override": 1000}, format="json").json()
    assert body["expected_yearly_hours"] == 1000
    body = client.patch(url(world.resource), {"yearly_hours_override": None}, format="json").json()
    assert body["expected_yearly_hours"] == 1400


@pytest.mark.parametrize("who", ["researcher", "other_manager"])
def test_others_may_not_write_the_asset_data(world, who):
    response = client_for(getattr(world, who)).patch(
        url(world.resource), {"asset_number": "X-1"}, format="json"
    )

    assert response.status_code == 403
    assert Resource.objects.get(pk=world.resource.pk).asset_number == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("classification_code", "99"),  # no such top-level category
        ("classification_code", "011"),  # odd length
        ("classification_code", "01010101"),  # deeper than three levels
        ("original_value", "-1.00"),
        ("original_value", "1.001"),
        ("qualification_idle_days", 0),
        ("qualification_valid_days", -3),
        ("yearly_hours_override", 8785),  # more hours than a leap year has
        ("purchase_date", "2021-02-30"),
    ],
)
def test_bad_asset_values_are_refused_and_nothing_changes(world, field, value):
    before = Resource.objects.get(pk=world.resource.pk).updated_at

    response = client_for(world.manager).patch(url(world.resource), {field: value}, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Resource.objects.get(pk=world.resource.pk).updated_at == before


def test_the_classification_table_and_its_check():
    assert CLASSIFICATION_TOP_LEVEL["01"] == "分析仪器"
    for good in ("", "01", "0101", "150199"):
        classification_code_validate(good)
    for bad in ("1", "16", "abcd", "0101010"):
        with pytest.raises(ValidationError) as refused:
            classification_code_validate(bad)
        assert refused.value.code == "invalid_classification"


@pytest.mark.parametrize(
    ("specialised", "override", "hours"),
    [(False, None, 1400), (True, None, 800), (True, 1200, 1200), (False, 0, 0)],
)
def test_expected_yearly_hours(specialised, override, hours):
    assert expected_yearly_hours(specialised=specialised, override=override) == hours
