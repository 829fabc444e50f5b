"""The assessment's staff page: the table against the national averages, the year and unit
pickers, the workbook download (its totals are the page's), who gets in, and a constant
number of queries however many instruments and sessions."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.assessment_export import INSTRUMENT_COLUMNS
from bookings.models import UsageSession
from tests.bookings.assessment_fixture import scene_build
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PAGE = reverse("web:staff-assessment")
DOWNLOAD = reverse("web:staff-assessment-download")


@pytest.fixture
def scene():
    return scene_build()


def signed_in(client, who):
    client.force_login(who.user)
    return client


def test_a_manager_sees_their_instruments_against_the_national_averages(client, scene):
    html = signed_in(client, scene.manager_o).get(PAGE, {"year": 2025}).content.decode()

    assert f'data-testid="assessment-row-{scene.x.pk}"' in html
    assert f'data-testid="assessment-row-{scene.zx.pk}"' not in html
    assert f'data-testid="effective-{scene.x.pk}">10.50<' in html
    assert f'data-testid="external-{scene.x.pk}">9.00<' in html
    assert 'data-testid="total-effective">21.50<' in html
    assert "1599" in html
    assert "273" in html
    assert 'data-testid="assessment-unit"' not in html  # no unit picker for a manager
    assert "reports.css" in html


def test_the_default_year_is_the_last_full_one_and_the_years_are_offered(client, scene):
    html = signed_in(client, scene.manager_o).get(PAGE).content.decode()

    assert '<option value="2025" selected>' in html
    assert '<option value="2026">' in html


def test_the_secretariat_picks_a_unit(client, scene):
    html = signed_in(client, scene.secretariat).get(PAGE, {"year": 2025, "unit": scene.z.pk})

    text = html.content.decode()
    assert 'data-testid="assessment-unit"' in text
    assert f'data-testid="assessment-row-{scene.zx.pk}"' in text
    assert f'data-testid="assessment-row-{scene.x.pk}"' not in text


def test_the_download_holds_what_the_page_shows(client, scene):
    signed_in(client, scene.manager_o)

    response = client.get(DOWNLOAD, {"year": 2025})

    assert response["Content-Disposition"] == 'attachment; filename="assessment-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["仪器考核指标"]
    total = [cell.value for cell in list(sheet.iter_rows())[-1]]
    col = {name: i for i, name in enumerate(INSTRUMENT_COLUMNS)}
    assert (total[col["有效工作机时"]], total[col["对外服务机时"]]) == (21.5, 19.0)


@pytest.mark.parametrize("query", [{"year": "2030"}, {"year": "abc"}, {"year": "1999"}])
def test_a_bad_year_is_shown_in_words(client, scene, query):
    response = signed_in(client, scene.manager_o).get(PAGE, query)

    assert response.status_code == 400
    assert 'data-testid="assessment-error"' in response.content.decode()
    assert client.get(DOWNLOAD, query).status_code == 400


def test_a_manager_may_not_open_another_units_assessment(client, scene):
    signed_in(client, scene.manager_o)

    assert client.get(PAGE, {"unit": scene.z.pk}).status_code == 403
    assert client.get(DOWNLOAD, {"unit": scene.z.pk}).status_code == 403


def test_researchers_and_visitors_are_kept_out(client, scene):
    assert client.get(PAGE).status_code == 302
    signed_in(client, scene.researcher_o)

    assert client.get(PAGE).status_code == 403
    assert client.get(DOWNLOAD).status_code == 403


def test_the_staff_index_links_both_reports(client, scene):
    html = signed_in(client, scene.manager_o).get(reverse("web:staff")).content.decode()

    assert PAGE in html
    assert reverse("web:staff-purchase-checks") in html


def test_the_page_takes_the_same_queries_however_many_instruments(client, scene):
    signed_in(client, scene.secretariat)

    def queries():
        with CaptureQueriesContext(connection) as counted:
            assert client.get(PAGE, {"year": 2025}).status_code == 200
        return len(counted)

    few = queries()
    for n in range(5):
        resource = ResourceFactory(unit=scene.e, name=f"新仪器{n}")
        start = local(2025, 9, 1 + n, 9)
        UsageSession.objects.create(
            resource=resource,
            member=MemberFactory(unit=scene.f),
            started_at=start,
            stopped_at=start + dt.timedelta(hours=2),
            source="qr_scan",
        )

    assert queries() == few
