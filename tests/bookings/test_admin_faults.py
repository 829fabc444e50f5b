"""The back office's fault reports (issue 10): scoped to the manager's unit, the history
inline, and acknowledging through the service."""

import pytest
from django.test import Client

from alliance.models import MemberRole
from bookings.faults import fault_report_create
from bookings.models import FaultReport
from tests.factories import MemberFactory, ResourceFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LIST = "/admin/bookings/faultreport/"


def staff(unit, role=MemberRole.UNIT_MANAGER):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=role)


def signed(member):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    return client


@pytest.fixture
def scene(settings):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    lab = ResourceFactory(unit=UnitFactory(name="深圳湾实验室"))
    manager = staff(lab.unit)
    report = fault_report_create(actor=manager, resource_id=lab.pk, description="真空泵异响")
    return {"lab": lab, "manager": manager, "report": report, "other": staff(UnitFactory())}


def test_a_manager_sees_their_units_reports_only(scene):
    detail = f"{LIST}{scene['report'].pk}/change/"
    assert detail in signed(scene["manager"]).get(LIST).content.decode()
    assert detail not in signed(scene["other"]).get(LIST).content.decode()
    assert signed(scene["other"]).get(detail).status_code in (302, 403, 404)
    page = signed(scene["manager"]).get(detail)
    assert page.status_code == 200
    assert "reported" in page.content.decode()


def test_acknowledging_goes_through_the_service(scene):
    signed(scene["manager"]).post(
        LIST, {"action": "acknowledge", "_selected_action": [scene["report"].pk]}
    )
    report = FaultReport.objects.get()
    assert report.status == "acknowledged"
    assert list(report.events.values_list("action", flat=True)) == ["reported", "acknowledged"]


def test_another_unit_cannot_acknowledge(scene):
    signed(scene["other"]).post(
        LIST, {"action": "acknowledge", "_selected_action": [scene["report"].pk]}
    )
    assert FaultReport.objects.get().status == "open"
