"""The sample-order API (issue 10): submitting, the lists, detail with history, the steps,
the report upload (multipart, bounded) and its download; refusals with their codes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bookings.models import SampleOrder, SampleReportFile, SampleStatus
from tests.api.helpers import api_client
from tests.bookings import sample_support
from tests.bookings.sample_support import PDF, XLSX, at_step, submitted

lab, sides, report_root = sample_support.lab, sample_support.sides, sample_support.report_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now", "report_root")]


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


def test_submit_answers_the_order_with_its_history(lab, sides):
    answer = api_client(sides["requester"]).post(
        f"/api/v1/resources/{lab.pk}/sample-orders/",
        {
            "sample_count": 2,
            "description": "两份粉末",
            "hazard": "chemical",
            "hazard_details": "含乙腈",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "submitted"
    assert body["resource_name"] == lab.name
    assert [e["to_status"] for e in body["events"]] == ["submitted"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sample_count": 1, "description": "a", "hazard": "bio"}, "invalid"),
        ({"sample_count": 0, "description": "a"}, "invalid"),
        ({"sample_count": 1, "description": "a", "hazard": "biological"}, "invalid"),
        ({"sample_count": 1, "description": "a", "colour": "red"}, "unknown_field"),
    ],
)
def test_bad_input_is_a_clear_400(lab, sides, body, code):
    answer = api_client(sides["requester"]).post(
        f"/api/v1/resources/{lab.pk}/sample-orders/", body, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert not SampleOrder.objects.exists()


def test_a_resource_without_sample_mode_refuses(lab, sides):
    lab.offers_samples = False
    lab.save()
    answer = api_client(sides["requester"]).post(
        f"/api/v1/resources/{lab.pk}/sample-orders/",
        {"sample_count": 1, "description": "a"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "mode_not_offered"


def test_lists_and_the_status_filter(lab, sides):
    mine = submitted(lab, sides["requester"])
    accepted = at_step(lab, sides, "accepted")
    client = api_client(sides["requester"])
    assert {o["id"] for o in client.get("/api/v1/sample-orders/").json()["results"]} == {
        mine.pk,
        accepted.pk,
    }
    manager = api_client(sides["manager"])
    answer = manager.get("/api/v1/sample-orders/handled/?status=accepted")
    assert answer.status_code == 200, answer.content.decode()
    handled = answer.json()["results"]
    assert [o["id"] for o in handled] == [accepted.pk]
    assert manager.get("/api/v1/sample-orders/handled/?status=lost").status_code == 400


def test_the_steps_and_their_codes(lab, sides):
    order = submitted(lab, sides["requester"])
    manager = api_client(sides["manager"])
    past = manager.post(
        f"/api/v1/sample-orders/{order.pk}/accept/",
        {"expected_completion": "2026-11-01"},
        format="json",
    )
    assert past.json()["code"] == "sample_completion_past"
    done = manager.post(f"/api/v1/sample-orders/{order.pk}/accept/", {}, format="json")
    assert done.json()["expected_completion"] == "2026-11-28"
    again = manager.post(f"/api/v1/sample-orders/{order.pk}/accept/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "sample_order_state")
    manager.post(f"/api/v1/sample-orders/{order.pk}/receive/", {}, format="json")
    late = api_client(sides["requester"]).post(
        f"/api/v1/sample-orders/{order.pk}/cancel/", {}, format="json"
    )
    assert (late.status_code, late.json()["code"]) == (409, "sample_cancel_too_late")


def test_report_upload_and_download(lab, sides):
    order = at_step(lab, sides, "testing")
    manager = api_client(sides["manager"])
    answer = manager.post(
        f"/api/v1/sample-orders/{order.pk}/report/",
        {
            "files": [SimpleUploadedFile("报告.pdf", PDF), SimpleUploadedFile("数据.xlsx", XLSX)],
            "note": "见附件",
        },
        format="multipart",
    )
    assert answer.status_code == 200, answer.content.decode()
    files = answer.json()["report_files"]
    assert [f["original_name"] for f in files] == ["报告.pdf", "数据.xlsx"]
    download = api_client(sides["requester"]).get(files[0]["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    for close in download._resource_closers:  # not close(): that also ends the DB connection
        close()


def test_a_disguised_or_oversized_report_is_refused(lab, sides, settings):
    order = at_step(lab, sides, "testing")
    manager = api_client(sides["manager"])
    disguised = manager.post(
        f"/api/v1/sample-orders/{order.pk}/report/",
        {"files": [SimpleUploadedFile("报告.pdf", b"<script>alert(1)</script>")]},
        format="multipart",
    )
    assert disguised.json()["code"] == "sample_report_type"
    settings.SAMPLE_REPORT_MAX_BYTES = 1000
    big = manager.post(
        f"/api/v1/sample-orders/{order.pk}/report/",
        {"files": [SimpleUploadedFile("big.pdf", PDF + b"0" * 200_000)]},
        format="multipart",
    )
    assert (big.status_code, big.json()["code"]) == (400, "sample_report_too_large")
    none = manager.post(f"/api/v1/sample-orders/{order.pk}/report/", {}, format="multipart")
    assert none.status_code == 400
    assert not SampleReportFile.objects.exists()
    assert SampleOrder.objects.get().status == SampleStatus.TESTING
