"""Specification of the fault report endpoints (issue 10): reporting with a photo (multipart)
or without (JSON), the refusals with their codes, the lists by side, and the managers' steps
by the right and the wrong side."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.models import MemberRole
from bookings.models import Booking, BookingStatus, FaultReport
from resources.models import Closure
from tests.api.helpers import api_client
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory
from tests.resources.photo_support import camera_jpeg, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now", "media_root")]


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


@pytest.fixture
def scene():
    lab = ResourceFactory(unit=UnitFactory(name="深圳湾实验室"), name="冷冻电镜")
    reporter = MemberFactory(name="张博")
    BookingFactory(
        resource=lab,
        member=reporter,
        start=local(2026, 11, 20, 9),
        end=local(2026, 11, 20, 10),
        status=BookingStatus.COMPLETED,
    )
    booker = MemberFactory()
    upcoming = BookingFactory(
        resource=lab, member=booker, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10)
    )
    return {
        "lab": lab,
        "reporter": reporter,
        "upcoming": upcoming,
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "stranger": MemberFactory(),
    }


def url(resource):
    return f"/api/v1/resources/{resource.pk}/faults/"


def test_a_booker_reports_a_stopping_fault_with_a_photo(scene, media_root):
    response = api_client(scene["reporter"]).post(
        url(scene["lab"]),
        {
            "description": "真空泵异响",
            "urgency": "urgent",
            "stop_instrument": "true",
            "photo": SimpleUploadedFile("p.jpg", camera_jpeg()),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open"
    assert body["stop_instrument"] is True
    assert body["out_of_service_until"] == "2026-11-30"
    assert body["photo"].startswith("http")
    assert [e["action"] for e in body["events"]] == ["reported"]
    assert Booking.objects.get(pk=scene["upcoming"].pk).status == BookingStatus.CANCELLED
    assert len(stored_files(media_root)) == 1


def test_json_without_a_photo_is_accepted(scene):
    response = api_client(scene["reporter"]).post(
        url(scene["lab"]), {"description": "屏幕闪烁"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["closure"] is None


def test_a_stranger_is_refused_before_the_photo_is_read(scene, media_root):
    response = api_client(scene["stranger"]).post(
        url(scene["lab"]),
        {"description": "坏了", "photo": SimpleUploadedFile("p.jpg", camera_jpeg())},
        format="multipart",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "fault_report_not_allowed"
    assert not FaultReport.objects.exists()
    assert stored_files(media_root) == []


def test_a_bad_photo_is_a_400_and_nothing_is_written(scene, media_root):
    response = api_client(scene["reporter"]).post(
        url(scene["lab"]),
        {
            "description": "坏了",
            "stop_instrument": "true",
            "photo": SimpleUploadedFile("p.jpg", b"nope"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "photo_not_image"
    assert not FaultReport.objects.exists()
    assert not Closure.objects.exists()


def test_unknown_fields_and_bad_choices_are_400(scene):
    client = api_client(scene["reporter"])
    for data in ({"description": "坏了", "colour": "red"}, {"description": "坏了", "urgency": "x"}):
        assert client.post(url(scene["lab"]), data, format="json").status_code == 400
    assert not FaultReport.objects.exists()


@pytest.fixture
def report(scene):
    response = api_client(scene["reporter"]).post(
        url(scene["lab"]), {"description": "坏了", "stop_instrument": True}, format="json"
    )
    return response.json()


def test_lists_by_side(scene, report):
    for who, count in (("reporter", 1), ("manager", 1), ("other_manager", 0), ("stranger", 0)):
        response = api_client(scene[who]).get("/api/v1/faults/")
        assert response.json()["count"] == count, who
    assert api_client(scene["stranger"]).get(f"/api/v1/faults/{report['id']}/").status_code == 404


def test_the_manager_steps_through_a_report(scene, report):
    client = api_client(scene["manager"])
    base = f"/api/v1/faults/{report['id']}"
    answer = client.post(f"{base}/acknowledge/", {"note": "已收到"}, format="json")
    assert answer.status_code == 200, answer.json()
    answer = client.post(
        f"{base}/update/", {"status": "in_repair", "expected_return": "2026-12-02"}, format="json"
    )
    assert answer.json()["out_of_service_until"] == "2026-12-02"
    answer = client.post(f"{base}/resolve/", {"note": "已修复"}, format="json")
    assert answer.json()["status"] == "resolved"
    assert answer.json()["out_of_service_until"] is None
    again = client.post(f"{base}/dismiss/", {"note": "x"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "fault_report_closed"


def test_the_wrong_side_is_refused(scene, report):
    base = f"/api/v1/faults/{report['id']}"
    assert (
        api_client(scene["reporter"]).post(f"{base}/acknowledge/", {}, format="json").status_code
        == 403
    )
    other = api_client(scene["other_manager"]).post(
        f"{base}/resolve/", {"note": "好"}, format="json"
    )
    assert other.status_code == 404
    assert FaultReport.objects.get().status == "open"


def test_a_past_expected_return_is_refused(scene, report):
    answer = api_client(scene["manager"]).post(
        f"/api/v1/faults/{report['id']}/update/", {"expected_return": "2026-11-23"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "fault_expected_return_past"


def test_no_bound_member_no_report(scene):
    assert api_client().post(
        url(scene["lab"]), {"description": "x"}, format="json"
    ).status_code in (401, 403)
