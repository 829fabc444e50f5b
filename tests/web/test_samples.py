"""Sample orders in the web app (issue 10): the link on a resource's page, the submit form and
its refusals, the requester's list and detail (cancel, confirm, download), the handlers'
queue with its steps and the report upload, and constant queries on every page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import SampleOrder, SampleReportFile, SampleStatus
from tests.bookings import sample_support
from tests.bookings.sample_support import PDF, at_step, submitted

lab, sides, report_root = sample_support.lab, sample_support.sides, sample_support.report_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now", "report_root")]


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


def signed(client, member):
    client.force_login(member.user)
    return client


def test_the_resource_page_links_to_the_form_only_when_it_takes_samples(client, lab, sides):
    client = signed(client, sides["requester"])
    assert 'data-testid="submit-samples"' in client.get(f"/r/{lab.pk}/").content.decode()
    lab.offers_samples = False
    lab.save()
    assert 'data-testid="submit-samples"' not in client.get(f"/r/{lab.pk}/").content.decode()
    refused = client.get(f"/r/{lab.pk}/samples/")
    assert refused.status_code == 403
    assert 'data-code="mode_not_offered"' in refused.content.decode()


def test_submitting_from_the_form_opens_the_order(client, lab, sides):
    client = signed(client, sides["requester"])
    form = client.get(f"/r/{lab.pk}/samples/").content.decode()
    assert 'data-testid="sample-form"' in form
    answer = client.post(
        f"/r/{lab.pk}/samples/",
        {"sample_count": "2", "description": "两份粉末", "hazard": "none"},
    )
    order = SampleOrder.objects.get()
    assert answer.status_code == 302
    assert answer.url == f"/me/samples/{order.pk}/"
    page = client.get(answer.url).content.decode()
    assert 'data-status="submitted"' in page
    assert 'data-testid="sample-cancel"' in page


@pytest.mark.parametrize(
    "values",
    [
        {"sample_count": "x", "description": "a"},
        {"sample_count": "1", "description": " "},
        {"sample_count": "1", "description": "a", "hazard": "biological"},
    ],
)
def test_bad_input_shows_the_form_again_and_writes_nothing(client, lab, sides, values):
    answer = signed(client, sides["requester"]).post(f"/r/{lab.pk}/samples/", values)
    assert answer.status_code == 400
    assert 'data-testid="sample-error"' in answer.content.decode()
    assert not SampleOrder.objects.exists()


def test_the_requester_cancels_and_confirms(client, lab, sides):
    client = signed(client, sides["requester"])
    order = submitted(lab, sides["requester"])
    client.post(f"/me/samples/{order.pk}/cancel/", {"reason": "不送了"})
    assert SampleOrder.objects.get(pk=order.pk).status == SampleStatus.CANCELLED
    reported = at_step(lab, sides, "reported")
    page = client.get(f"/me/samples/{reported.pk}/").content.decode()
    assert 'data-testid="sample-confirm"' in page
    report_file = reported.report_files.get()
    download = client.get(f"/samples/{reported.pk}/files/{report_file.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    for close in download._resource_closers:  # not close(): that also ends the DB connection
        close()
    client.post(f"/me/samples/{reported.pk}/confirm/")
    assert SampleOrder.objects.get(pk=reported.pk).status == SampleStatus.CONFIRMED


def test_a_late_cancel_is_told_and_changes_nothing(client, lab, sides):
    order = at_step(lab, sides, "received")
    client = signed(client, sides["requester"])
    answer = client.post(f"/me/samples/{order.pk}/cancel/", follow=True)
    assert "不能再取消" in answer.content.decode() or "no longer" in answer.content.decode()
    assert SampleOrder.objects.get(pk=order.pk).status == SampleStatus.RECEIVED


def test_others_see_neither_the_order_nor_its_report(client, lab, sides):
    order = at_step(lab, sides, "reported")
    report_file = order.report_files.get()
    for who in ("stranger", "colleague", "other_manager"):
        client = signed(client, sides[who])
        assert client.get(f"/me/samples/{order.pk}/").status_code == 404
        assert client.get(f"/samples/{order.pk}/files/{report_file.pk}/").status_code == 404
        assert client.post(f"/me/samples/{order.pk}/confirm/").status_code == 404
    assert client.get("/staff/samples/").status_code == 200  # other_manager: their own queue
    assert signed(client, sides["stranger"]).get("/staff/samples/").status_code == 404


def test_the_managers_steps_from_the_queue(client, lab, sides):
    order = submitted(lab, sides["requester"])
    client = signed(client, sides["manager"])
    queue = client.get("/staff/samples/").content.decode()
    assert f'data-testid="sample-accept-{order.pk}"' in queue
    client.post(f"/staff/samples/{order.pk}/accept/", {"expected_completion": "2026-11-30"})
    client.post(f"/staff/samples/{order.pk}/receive/")
    client.post(f"/staff/samples/{order.pk}/testing/")
    bad = SimpleUploadedFile("a.html", b"<html></html>")
    client.post(f"/staff/samples/{order.pk}/report/", {"files": [bad]})
    assert SampleOrder.objects.get(pk=order.pk).status == SampleStatus.TESTING
    good = SimpleUploadedFile("报告.pdf", PDF)
    client.post(f"/staff/samples/{order.pk}/report/", {"files": [good]})
    order.refresh_from_db()
    assert order.status == SampleStatus.REPORTED
    assert str(order.expected_completion) == "2026-11-30"
    assert SampleReportFile.objects.get().original_name == "报告.pdf"


def test_a_requester_cannot_take_the_handlers_steps(client, lab, sides):
    order = submitted(lab, sides["requester"])
    client = signed(client, sides["requester"])
    client.post(f"/staff/samples/{order.pk}/accept/")
    assert SampleOrder.objects.get(pk=order.pk).status == SampleStatus.SUBMITTED


def test_the_me_page_links_to_the_orders(client, sides):
    page = signed(client, sides["manager"]).get("/me/").content.decode()
    assert 'data-testid="my-samples-link"' in page
    assert 'data-testid="staff-samples-link"' in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_every_page_reads_a_constant_number_of_queries(client, lab, sides):
    requester = signed(client, sides["requester"])
    first = at_step(lab, sides, "reported")
    counts = {
        "mine": _queries(requester, "/me/samples/"),
        "detail": _queries(requester, f"/me/samples/{first.pk}/"),
        "form": _queries(requester, f"/r/{lab.pk}/samples/"),
    }
    manager_client = client.__class__()
    manager_client.force_login(sides["manager"].user)
    counts["staff"] = _queries(manager_client, "/staff/samples/")
    for _ in range(3):
        at_step(lab, sides, "reported")
    submitted(lab, sides["requester"])
    more = {
        "mine": _queries(requester, "/me/samples/"),
        "detail": _queries(requester, f"/me/samples/{first.pk}/"),
        "form": _queries(requester, f"/r/{lab.pk}/samples/"),
        "staff": _queries(manager_client, "/staff/samples/"),
    }
    assert more == counts
