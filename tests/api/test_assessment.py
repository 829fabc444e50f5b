"""The assessment through the API: the JSON rows are the hand-computed oracle's
(tests/bookings/assessment_fixture.py), the workbook's totals are the JSON's, refusals
carry their code, and the answer takes the same queries however many instruments."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.assessment_export import INSTRUMENT_COLUMNS
from tests.api.world import client_for
from tests.bookings.assessment_fixture import scene_build
from tests.factories import ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/assessment/"


@pytest.fixture
def scene():
    return scene_build()


def test_a_manager_gets_their_units_instruments_with_the_oracles_figures(scene):
    response = client_for(scene.manager_o).get(URL, {"year": 2025})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["year"], body["complete"], body["unit"]) == (2025, True, None)
    assert body["national_averages"] == {
        "round": 2025,
        "effective_hours": 1599,
        "external_hours": 273,
    }
    x = next(row for row in body["rows"] if row["name"] == "场发射扫描电镜")
    assert (x["effective_hours"], x["external_hours"], x["units_served"]) == (10.5, 9.0, 2)
    assert (x["income"], x["records"], x["expected_yearly_hours"]) == ("1200.50", 6, 1400)
    assert (x["share_rate"], x["quota_rate"]) == (round(9 / 10.5, 4), round(10.5 / 1400, 4))
    assert (x["asset_number"], x["original_value"], x["purchase_date"]) == (
        "SZBL-2020-001",
        "5000000.00",
        "2020-05-01",
    )
    assert body["totals"]["effective_hours"] == 21.5
    assert body["totals"]["income"] == "1200.50"


def test_the_default_year_is_the_last_full_one(scene):
    assert client_for(scene.manager_o).get(URL).json()["year"] == 2025


def test_the_workbook_totals_are_the_json_totals(scene):
    client = client_for(scene.secretariat)
    totals = client.get(URL, {"year": 2025}).json()["totals"]

    response = client.get(f"{URL}workbook/", {"year": 2025})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="assessment-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["仪器考核指标"]
    total = [cell.value for cell in list(sheet.iter_rows())[-1]]
    col = {name: i for i, name in enumerate(INSTRUMENT_COLUMNS)}
    assert total[col["有效工作机时"]] == totals["effective_hours"]
    assert total[col["对外服务机时"]] == totals["external_hours"]
    assert total[col["服务单位数"]] == totals["units_served"]
    assert total[col["使用记录数"]] == totals["records"]


def test_the_secretariat_narrows_to_one_unit(scene):
    body = client_for(scene.secretariat).get(URL, {"year": 2025, "unit": scene.z.pk}).json()

    assert body["unit"] == scene.z.pk
    assert [row["name"] for row in body["rows"]] == ["核磁共振仪"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"year": 2030}, 400, "assessment_year_invalid"),
        ({"year": "abc"}, 400, "invalid"),
        ({"year": 1999}, 400, "invalid"),
        ({"yaer": 2025}, 400, "unknown_field"),
        ({"year": 2025, "unit": "z"}, 400, "invalid"),
    ],
)
def test_bad_queries_are_refused_with_their_code(scene, query, status, code):
    response = client_for(scene.manager_o).get(URL, query)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_a_manager_may_not_ask_for_another_unit_nor_a_researcher_for_any(scene):
    other = client_for(scene.manager_o).get(URL, {"year": 2025, "unit": scene.z.pk})
    researcher = client_for(scene.researcher_o).get(f"{URL}workbook/", {"year": 2025})

    assert (other.status_code, other.json()["code"]) == (403, "permission_denied")
    assert (researcher.status_code, researcher.json()["code"]) == (403, "permission_denied")


def test_the_answer_takes_the_same_queries_however_many_instruments(scene):
    client = client_for(scene.secretariat)

    def queries():
        with CaptureQueriesContext(connection) as counted:
            assert client.get(URL, {"year": 2025}).status_code == 200
        return len(counted)

    queries()  # the first request of a token also records when it was used
    few = queries()
    for n in range(5):
        ResourceFactory(unit=scene.e, name=f"新仪器{n}")

    assert queries() == few
