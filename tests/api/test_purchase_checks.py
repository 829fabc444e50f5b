"""The duplicate-purchase check through the API: entering one answers its report with links
to book the matched instruments; refusals carry their code and write nothing; the outcome,
the summary and the workbook; the list in a constant number of queries."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import PurchaseCheck
from tests.api.world import client_for, world_build
from tests.factories import ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/purchase-checks/"
PURCHASE = {
    "instrument_name": "冷冻电镜",
    "classification_code": "010101",
    "specifications": "300 kV，自动进样",
    "price": "20000000.00",
}


@pytest.fixture
def world():
    world = world_build()
    world.resource.classification_code = "010101"
    world.resource.save()
    ResourceFactory(unit=world.other_resource.unit, name="透射电镜", classification_code="0101")
    return world


def test_a_manager_enters_a_check_for_their_unit_and_gets_the_report(world):
    response = client_for(world.manager).post(URL, PURCHASE, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["unit"], body["entered_by"], body["outcome"]) == (
        world.resource.unit_id,
        world.manager.pk,
        "undecided",
    )
    assert body["price"] == "20000000.00"
    report = body["report"]
    assert (report["year"], report["class_code"], report["matched"]) == (2025, "0101", 2)
    names = {row["name"]: row for row in report["instruments"]}
    assert names["冷冻电镜"]["own_unit"] is True
    assert names["冷冻电镜"]["same_code"] is True
    assert names["冷冻电镜"]["book_url"] == f"http://testserver/r/{world.resource.pk}/"
    assert names["透射电镜"]["effective_hours"] == "0.00"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"classification_code": "01"}, "purchase_class_too_broad"),
        ({"classification_code": "0x01"}, "invalid"),
        ({"price": "-5"}, "invalid"),
        ({"price": "1.234"}, "invalid"),
        ({"instrument_name": ""}, "invalid"),
        ({"colour": "red"}, "unknown_field"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_is_written(world, changes, code):
    response = client_for(world.manager).post(URL, {**PURCHASE, **changes}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert not PurchaseCheck.objects.exists()


def test_another_units_check_is_refused_for_a_manager_and_nothing_is_written(world):
    other_unit = world.other_resource.unit_id

    response = client_for(world.manager).post(URL, {**PURCHASE, "unit": other_unit}, format="json")

    assert response.status_code == 403
    assert not PurchaseCheck.objects.exists()


def test_the_outcome_and_the_summary(world):
    manager = client_for(world.manager)
    check = manager.post(URL, PURCHASE, format="json").json()

    missing = manager.post(f"{URL}{check['id']}/outcome/", {"outcome": "shared"}, format="json")
    done = manager.post(
        f"{URL}{check['id']}/outcome/",
        {"outcome": "shared", "reason": "改用南科大的冷冻电镜"},
        format="json",
    )
    summary = client_for(world.secretariat).get(f"{URL}summary/").json()

    assert missing.status_code == 400
    assert missing.json()["fields"]["reason"][0]["code"] == "required"
    assert done.status_code == 200
    assert (done.json()["outcome"], done.json()["outcome_reason"]) == (
        "shared",
        "改用南科大的冷冻电镜",
    )
    assert summary == {
        "total": 1,
        "undecided": 0,
        "bought": 0,
        "shared": 1,
        "shared_price": "20000000.00",
    }


def test_the_workbook_downloads(world):
    manager = client_for(world.manager)
    check = manager.post(URL, PURCHASE, format="json").json()

    response = manager.get(f"{URL}{check['id']}/workbook/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "大型科研仪器购置查重评议报告"


def test_the_list_takes_the_same_queries_however_many_checks(world):
    client = client_for(world.secretariat)

    def queries():
        with CaptureQueriesContext(connection) as counted:
            assert client.get(URL).status_code == 200
        return len(counted)

    client.post(URL, {**PURCHASE, "unit": world.resource.unit_id}, format="json")
    one = queries()
    for _ in range(5):
        client.post(URL, {**PURCHASE, "unit": world.other_resource.unit_id}, format="json")

    assert queries() == one
    assert len(client.get(URL).json()["results"]) == 6
