"""The duplicate-purchase check's staff pages: the list with the counts and the form, entering
a check and landing on its printable report, recording the outcome, the Excel download; who
gets in; refusals shown in words with nothing written; constant query counts."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import MemberRole
from bookings.models import PurchaseCheck
from bookings.purchase_checks import purchase_check_create, purchase_check_outcome_set
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LIST = reverse("web:staff-purchase-checks")
FORM = {
    "instrument_name": "场发射扫描电镜",
    "classification_code": "010101",
    "specifications": "分辨率 0.8 nm",
    "price": "3800000",
}


@pytest.fixture
def scene():
    planner = UnitFactory(name="深圳理工大学")
    owner = UnitFactory(name="深圳湾实验室")
    sem = ResourceFactory(unit=owner, name="共享扫描电镜", classification_code="010101")
    return {
        "planner": planner,
        "owner": owner,
        "sem": sem,
        "manager": MemberFactory(unit=planner, role=MemberRole.UNIT_MANAGER),
        "other_manager": MemberFactory(unit=owner, role=MemberRole.UNIT_MANAGER),
        "researcher": MemberFactory(unit=planner),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
    }


def signed_in(client, who):
    client.force_login(who.user)
    return client


def check_for(scene, unit="planner", actor="manager"):
    return purchase_check_create(
        actor=scene[actor], unit_id=scene[unit].pk, **{**FORM, "price": "3800000.00"}
    )


def test_a_manager_enters_a_check_and_lands_on_its_report(client, scene):
    response = signed_in(client, scene["manager"]).post(LIST, {**FORM, "unit": ""})

    check = PurchaseCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:staff-purchase-check", args=[check.pk])
    assert check.unit == scene["planner"]
    html = client.get(response["Location"]).content.decode()
    assert f'data-testid="purchase-row-{scene["sem"].pk}"' in html
    assert 'data-fully-used="false"' in html
    assert reverse("web:resource", args=[scene["sem"].pk]) in html
    assert "@media print" in Path(finders.find("web/reports.css")).read_text()
    assert "reports.css" in html


def test_a_refusal_is_shown_in_words_and_nothing_is_written(client, scene):
    response = signed_in(client, scene["manager"]).post(LIST, {**FORM, "classification_code": "01"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-code="purchase_class_too_broad"' in html
    assert 'value="场发射扫描电镜"' in html  # what was typed stays
    assert not PurchaseCheck.objects.exists()


def test_a_manager_cannot_enter_a_check_for_another_unit(client, scene):
    response = signed_in(client, scene["manager"]).post(LIST, {**FORM, "unit": scene["owner"].pk})

    assert 'data-code="permission_denied"' in response.content.decode()
    assert not PurchaseCheck.objects.exists()


def test_the_secretariat_chooses_the_unit(client, scene):
    html = signed_in(client, scene["secretariat"]).get(LIST).content.decode()
    assert 'data-testid="purchase-unit"' in html

    client.post(LIST, {**FORM, "unit": scene["owner"].pk})

    assert PurchaseCheck.objects.get().unit == scene["owner"]


def test_the_outcome_is_recorded_and_counted(client, scene):
    check = check_for(scene)
    url = reverse("web:staff-purchase-check-outcome", args=[check.pk])
    signed_in(client, scene["manager"])

    refused = client.post(url, {"outcome": "shared", "reason": ""}, follow=True)
    check.refresh_from_db()
    assert check.outcome == "undecided"
    assert "app-message--error" in refused.content.decode()

    client.post(url, {"outcome": "shared", "reason": "改用深圳湾实验室的电镜"})
    check.refresh_from_db()
    assert (check.outcome, check.outcome_by) == ("shared", scene["manager"])
    listing = client.get(LIST).content.decode()
    assert 'data-testid="purchase-shared">1<' in listing
    assert 'data-testid="purchase-shared-price">3800000.00<' in listing


def test_the_report_downloads_as_a_workbook(client, scene):
    check = check_for(scene)

    response = signed_in(client, scene["manager"]).get(
        reverse("web:staff-purchase-check-download", args=[check.pk])
    )

    assert (
        response["Content-Disposition"] == f'attachment; filename="purchase-check-{check.pk}.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    links = [row[15].value for row in sheet.iter_rows() if row[0].value == 1]
    assert links == [f"http://testserver/r/{scene['sem'].pk}/"]


@pytest.mark.parametrize("who", ["researcher"])
def test_researchers_get_no_purchase_pages(client, scene, who):
    check = check_for(scene)
    signed_in(client, scene[who])

    assert client.get(LIST).status_code == 403
    assert client.get(reverse("web:staff-purchase-check", args=[check.pk])).status_code == 403
    response = client.post(
        reverse("web:staff-purchase-check-outcome", args=[check.pk]),
        {"outcome": "shared", "reason": "x"},
    )
    assert response.status_code == 403
    check.refresh_from_db()
    assert check.outcome == "undecided"


def test_another_units_check_is_not_found(client, scene):
    check = check_for(scene)
    signed_in(client, scene["other_manager"])

    assert client.get(reverse("web:staff-purchase-check", args=[check.pk])).status_code == 404
    download = reverse("web:staff-purchase-check-download", args=[check.pk])
    assert client.get(download).status_code == 404
    response = client.post(
        reverse("web:staff-purchase-check-outcome", args=[check.pk]),
        {"outcome": "bought", "reason": "x"},
    )
    assert response.status_code == 404
    check.refresh_from_db()
    assert check.outcome == "undecided"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("web:sign-in") in response["Location"]


def test_the_pages_take_the_same_queries_however_many_checks(client, scene):
    signed_in(client, scene["secretariat"])
    first = check_for(scene, actor="secretariat")

    def queries(url):
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url).status_code == 200
        return len(counted)

    report = reverse("web:staff-purchase-check", args=[first.pk])
    small_list, small_report = queries(LIST), queries(report)
    for n in range(6):
        ResourceFactory(unit=scene["owner"], name=f"扫描电镜{n}", classification_code="010101")
        check = check_for(scene, unit="owner", actor="secretariat")
        purchase_check_outcome_set(
            actor=scene["secretariat"], check_id=check.pk, outcome="bought", reason="x"
        )

    assert queries(LIST) == small_list
    assert queries(reverse("web:staff-purchase-check", args=[check.pk])) == small_report
