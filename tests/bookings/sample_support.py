"""Shared by the sample-order tests: a resource that takes samples, the two sides, report
files of every accepted and refused kind made in memory, and orders at each step."""

from __future__ import annotations

import io
import zipfile

import pytest

from alliance.models import MemberRole
from bookings.sample_models import SampleOrder, SampleOrderEvent, SampleReportFile
from bookings.samples import (
    ReportUpload,
    sample_order_accept,
    sample_order_receive,
    sample_order_report,
    sample_order_start_testing,
    sample_order_submit,
)
from notifications.models import Notification
from tests.factories import MemberFactory, ResourceFactory, UnitFactory
from tests.resources.photo_support import image_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def office_bytes(main_part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return out.getvalue()


DOCX = office_bytes("word/document.xml")
XLSX = office_bytes("xl/workbook.xml")


@pytest.fixture
def report_root(settings, tmp_path):
    settings.SAMPLE_REPORT_ROOT = tmp_path / "samples"
    return settings.SAMPLE_REPORT_ROOT


@pytest.fixture
def lab():
    return ResourceFactory(
        unit=UnitFactory(name="深圳湾实验室"),
        name="液相色谱质谱联用仪",
        offers_samples=True,
        sample_turnaround_days=5,
    )


@pytest.fixture
def sides(lab):
    return {
        "requester": MemberFactory(name="张博"),
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER, name="王主任"),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT, name="秘书处"),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "stranger": MemberFactory(),
        "colleague": MemberFactory(unit=lab.unit),
    }


def submitted(lab, requester, **kwargs):
    values = {"sample_count": 3, "description": "三份蛋白样品，测分子量", **kwargs}
    return sample_order_submit(actor=requester, resource_id=lab.pk, **values)


def at_step(lab, sides, step: str):
    """An order moved by the right sides up to ``step`` (submitted, accepted, received,
    testing, reported)."""
    order = submitted(lab, sides["requester"])
    if step == "submitted":
        return order
    manager = sides["manager"]
    steps = ["accepted", "received", "testing", "reported"]
    for name in steps[: steps.index(step) + 1]:
        if name == "accepted":
            sample_order_accept(actor=manager, order_id=order.pk)
        elif name == "received":
            sample_order_receive(actor=manager, order_id=order.pk)
        elif name == "testing":
            sample_order_start_testing(actor=manager, order_id=order.pk)
        else:
            sample_order_report(
                actor=manager, order_id=order.pk, files=[ReportUpload("报告.pdf", PDF)]
            )
    order.refresh_from_db()
    return order


def jpeg() -> bytes:
    return image_bytes()


@pytest.fixture(autouse=True)
def chinese_without_delivery(settings):
    """Notices in Chinese, kept in the outbox (nothing sent while the tests look)."""
    settings.LANGUAGE_CODE = "zh-hans"
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


def snapshot():
    """What a refused step must leave as it was: orders, their history, files, notices."""
    return (
        list(SampleOrder.objects.values_list("pk", "status", "updated_at").order_by("pk")),
        SampleOrderEvent.objects.count(),
        SampleReportFile.objects.count(),
        Notification.objects.count(),
    )
