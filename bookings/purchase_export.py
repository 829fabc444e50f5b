"""A duplicate-purchase check's report as an Excel workbook (查重评议报告), in Chinese: the
planned purchase, then one row per matched instrument as the kept snapshot has it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import openpyxl
from django.utils import timezone

from bookings.purchase_models import PurchaseCheck, PurchaseOutcome
from bookings.workbooks import SheetWriter, column_widths, workbook_bytes

MODE_LABELS = {"self_use": "自主上机", "assisted": "委托上机", "sample": "送样检测"}
OUTCOME_LABELS = {
    PurchaseOutcome.UNDECIDED: "未定",
    PurchaseOutcome.BOUGHT: "仍购置",
    PurchaseOutcome.SHARED: "不购置，改为共享",
}


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def purchase_check_workbook(check: PurchaseCheck, *, resource_url: Callable[[int], str]) -> bytes:
    """The report of ``check`` (with ``unit``, ``entered_by`` loaded); ``resource_url`` gives
    the address of an instrument's page, where it is booked."""
    report = check.report
    year = report["year"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "查重评议报告"
    out = SheetWriter(sheet)
    out.append(["大型科研仪器购置查重评议报告"], bold=True)
    for label, value in (
        ("申购单位", check.unit.name),
        ("拟购仪器", check.instrument_name),
        ("分类代码", check.classification_code),
        ("主要技术指标", check.specifications),
        ("拟购价格（元）", check.price),
        ("提交人", check.entered_by.name),
        ("提交时间", timezone.localtime(check.created_at).strftime("%Y-%m-%d %H:%M")),
        ("比对范围", f"分类代码前四位为 {report['class_code']} 的联合体在用仪器"),
        ("统计年度", year),
        ("满负荷标准（有效机时/年）", report["fully_used_hours"]),
        ("同类仪器数", report["matched"]),
        ("未达满负荷（可共享）", report["with_room"]),
        ("结论", OUTCOME_LABELS[check.outcome]),
        ("结论说明", check.outcome_reason),
    ):
        out.append([label, value])
    out.skip()
    out.append(
        [
            "序号",
            "仪器名称",
            "所属单位",
            "分类代码",
            "分类名称",
            "同一小类",
            f"{year}年有效机时",
            f"达到{report['fully_used_hours']}机时",
            "定额机时",
            "服务方式",
            "需审批",
            "需上机资格",
            "地点",
            "联系人",
            "联系电话",
            "预约链接",
        ],
        bold=True,
    )
    for number, row in enumerate(report["instruments"], start=1):
        out.append(
            [
                number,
                row["name"],
                row["unit_name"],
                row["classification_code"],
                row["classification_name"],
                yes_no(row["same_code"]),
                Decimal(row["effective_hours"]),
                yes_no(row["fully_used"]),
                row["expected_yearly_hours"],
                "、".join(MODE_LABELS.get(mode, mode) for mode in row["service_modes"]),
                yes_no(row["requires_approval"]),
                yes_no(row["requires_qualification"]),
                row["location"],
                row["contact_name"],
                row["contact_phone"],
                resource_url(row["resource_id"]),
            ]
        )
    column_widths(sheet, [22, 28, 24, 10, 16, 10, 14, 14, 10, 24, 8, 10, 24, 10, 16, 40])
    return workbook_bytes(workbook)
