"""Fault reports in the web app (issue 10): the button and the 维修中 note on a resource's page,
the form's answers, the member's list and the managers' list with its steps."""

import datetime as dt

import pytest

from alliance.models import MemberRole
from bookings.faults import fault_report_create
from bookings.models import BookingStatus, FaultReport
from resources.models import Closure
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


@pytest.fixture
def lab():
    return ResourceFactory(name="冷冻电镜")


@pytest.fixture
def booker(lab):
    member = MemberFactory(name="张三")
    BookingFactory(
        resource=lab,
        member=member,
        start=local(2026, 11, 20, 9),
        end=local(2026, 11, 20, 10),
        status=BookingStatus.COMPLETED,
    )
    return member


def signed(client, member):
    client.force_login(member.user)
    return client


def test_the_button_shows_for_a_booker_only(client, lab, booker):
    stranger_page = signed(client, MemberFactory()).get(f"/r/{lab.pk}/").content.decode()
    assert 'data-testid="report-fault"' not in stranger_page
    page = signed(client, booker).get(f"/r/{lab.pk}/").content.decode()
    assert 'data-testid="report-fault"' in page
    assert 'data-testid="out-of-service"' not in page


def test_a_stopping_report_from_the_form_shows_in_repair(client, lab, booker):
    client = signed(client, booker)
    form = client.get(f"/r/{lab.pk}/fault/", HTTP_HX_REQUEST="true")
    assert 'data-testid="fault-form"' in form.content.decode()
    answer = client.post(
        f"/r/{lab.pk}/fault/",
        {"description": "真空泵异响", "urgency": "urgent", "stop_instrument": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert answer.headers["HX-Redirect"] == f"/r/{lab.pk}/"
    page = client.get(f"/r/{lab.pk}/").content.decode()
    assert "维修中" in page
    assert "2026-11-30" in page
    assert Closure.objects.filter(resource=lab).count() == 1


def test_a_blank_description_shows_the_form_again(client, lab, booker):
    answer = signed(client, booker).post(
        f"/r/{lab.pk}/fault/", {"description": " "}, HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="fault-error"' in answer.content.decode()
    assert not FaultReport.objects.exists()


def test_a_stranger_is_told_why(client, lab):
    answer = signed(client, MemberFactory()).post(
        f"/r/{lab.pk}/fault/", {"description": "坏了"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-code="fault_report_not_allowed"' in answer.content.decode()
    assert not FaultReport.objects.exists()


def test_my_reports_and_the_managers_steps(client, lab, booker):
    report = fault_report_create(
        actor=booker, resource_id=lab.pk, description="坏了", stop_instrument=True
    )
    mine = signed(client, booker).get("/me/faults/").content.decode()
    assert f'data-testid="fault-{report.pk}"' in mine
    assert client.get("/staff/faults/").status_code == 404  # a researcher

    manager = MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER)
    client = signed(client, manager)
    assert f'data-testid="staff-fault-{report.pk}"' in client.get("/staff/faults/").content.decode()
    client.post(
        f"/staff/faults/{report.pk}/update/",
        {"status": "in_repair", "expected_return": "2026-12-02", "note": ""},
    )
    report.refresh_from_db()
    assert report.status == "in_repair"
    assert report.expected_return == dt.date(2026, 12, 2)
    client.post(f"/staff/faults/{report.pk}/resolve/", {"note": "已修复"})
    report.refresh_from_db()
    assert report.status == "resolved"
    page = client.get(f"/r/{lab.pk}/").content.decode()
    assert 'data-testid="out-of-service"' not in page


def test_another_units_manager_cannot_step(client, lab, booker):
    report = fault_report_create(actor=booker, resource_id=lab.pk, description="坏了")
    other = signed(client, MemberFactory(role=MemberRole.UNIT_MANAGER))
    assert other.post(f"/staff/faults/{report.pk}/resolve/", {"note": "x"}).status_code == 404
    report.refresh_from_db()
    assert report.status == "open"


def test_the_me_page_links_to_the_reports(client, booker):
    page = signed(client, booker).get("/me/").content.decode()
    assert 'href="/me/faults/"' in page
    assert 'href="/staff/faults/"' not in page
    manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
    assert 'href="/staff/faults/"' in signed(client, manager).get("/me/").content.decode()
