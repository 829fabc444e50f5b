"""Sample orders' report files (typed by content, size and count limits, stored and removed
with their step) and who may read orders and their files."""

import pytest

from alliance.errors import AccessDenied, NotFound, ValidationFailed
from bookings.models import SampleOrder, SampleReportFile, SampleStatus
from bookings.sample_selectors import (
    sample_order_get,
    sample_order_list_handled,
    sample_order_list_mine,
    sample_report_file_get,
)
from bookings.samples import ReportUpload, sample_order_report
from tests.bookings import sample_support
from tests.bookings.sample_support import (
    DOCX,
    OLE,
    PDF,
    XLSX,
    at_step,
    jpeg,
    office_bytes,
    snapshot,
    submitted,
)

lab, sides, report_root = sample_support.lab, sample_support.sides, sample_support.report_root
_chinese = sample_support.chinese_without_delivery

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen_now", "report_root"),
]


# --- Report files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("报告.pdf", PDF, "application/pdf"),
        ("谱图.jpg", jpeg(), "image/jpeg"),
        ("数据.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "报告.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("旧表.xls", OLE, "application/vnd.ms-excel"),
        ("../../etc/报告.doc", OLE, "application/msword"),
    ],
)
def test_report_files_are_typed_by_content(lab, sides, name, content, content_type, report_root):
    order = at_step(lab, sides, "testing")
    sample_order_report(
        actor=sides["manager"], order_id=order.pk, files=[ReportUpload(name, content)]
    )
    stored = SampleReportFile.objects.get()
    assert stored.content_type == content_type
    assert stored.size == len(content)
    assert stored.original_name == name.rsplit("/", 1)[-1]
    assert (report_root / stored.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("报告.pdf", b"MZ\x90\0 not a pdf", "sample_report_type"),
        ("a.html", b"<html><script>alert(1)</script>", "sample_report_type"),
        ("a.gif", b"GIF89a" + b"\0" * 40, "sample_report_type"),
        ("a.zip", office_bytes("other/x.xml"), "sample_report_type"),
        ("a.xlsx", b"PK\x03\x04 broken", "sample_report_unreadable"),
        ("a.jpg", jpeg()[:60], "sample_report_unreadable"),
        ("a.exe", OLE, "sample_report_type"),
        ("empty.pdf", b"", "sample_report_unreadable"),
    ],
)
def test_report_files_of_other_kinds_are_refused_and_nothing_written(
    lab, sides, name, content, code, report_root
):
    order = at_step(lab, sides, "testing")
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        sample_order_report(
            actor=sides["manager"],
            order_id=order.pk,
            files=[ReportUpload("ok.pdf", PDF), ReportUpload(name, content)],
        )
    assert refused.value.code == code
    assert snapshot() == before
    assert not list(report_root.rglob("*.*"))


def test_report_size_and_count_limits(lab, sides, settings, report_root):
    order = at_step(lab, sides, "testing")
    settings.SAMPLE_REPORT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationFailed) as refused:
        sample_order_report(
            actor=sides["manager"], order_id=order.pk, files=[ReportUpload("r.pdf", PDF)]
        )
    assert refused.value.code == "sample_report_too_large"
    settings.SAMPLE_REPORT_MAX_BYTES = 1024 * 1024
    settings.SAMPLE_REPORT_MAX_FILES = 2
    with pytest.raises(ValidationFailed) as refused:
        sample_order_report(
            actor=sides["manager"], order_id=order.pk, files=[ReportUpload("r.pdf", PDF)] * 3
        )
    assert refused.value.code == "sample_report_too_many"
    with pytest.raises(ValidationFailed) as refused:
        sample_order_report(actor=sides["manager"], order_id=order.pk, files=[])
    assert refused.value.code == "sample_report_missing"
    assert SampleOrder.objects.get().status == SampleStatus.TESTING
    assert not list(report_root.rglob("*.*"))


def test_a_failed_step_deletes_the_files_it_stored(lab, sides, report_root, monkeypatch):
    order = at_step(lab, sides, "testing")
    import bookings.samples as samples

    def broken(*args, **kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(samples, "members_notify", broken)
    with pytest.raises(RuntimeError):
        sample_order_report(
            actor=sides["manager"], order_id=order.pk, files=[ReportUpload("r.pdf", PDF)]
        )
    assert not list(report_root.rglob("*.*"))
    assert SampleOrder.objects.get().status == SampleStatus.TESTING


# --- Reads --------------------------------------------------------------------------------


def test_who_sees_what(lab, sides):
    mine = submitted(lab, sides["requester"])
    other = submitted(lab, sides["colleague"])
    assert list(sample_order_list_mine(member=sides["requester"])) == [mine]
    assert set(sample_order_list_handled(member=sides["manager"])) == {mine, other}
    assert set(sample_order_list_handled(member=sides["secretariat"])) == {mine, other}
    assert not sample_order_list_handled(member=sides["other_manager"]).exists()
    with pytest.raises(AccessDenied):
        sample_order_list_handled(member=sides["requester"])
    assert sample_order_get(member=sides["manager"], order_id=mine.pk) == mine
    for who in ("colleague", "stranger", "other_manager"):
        with pytest.raises(NotFound):
            sample_order_get(member=sides[who], order_id=mine.pk)


def test_report_files_are_read_by_either_side_only(lab, sides):
    order = at_step(lab, sides, "reported")
    report_file = order.report_files.get()
    for who in ("requester", "manager", "secretariat"):
        assert (
            sample_report_file_get(member=sides[who], order_id=order.pk, file_id=report_file.pk)
            == report_file
        )
    for who in ("colleague", "stranger", "other_manager"):
        with pytest.raises(NotFound):
            sample_report_file_get(member=sides[who], order_id=order.pk, file_id=report_file.pk)
