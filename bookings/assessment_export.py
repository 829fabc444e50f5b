"""The national open-sharing assessment as an Excel workbook, in Chinese:

1. 仪器考核指标: one row per instrument with its asset data and indicators, and a totals row;
2. 使用记录: every usage record behind the figures (an instrument's 有效工作机时 is the sum of
   its records' 有效机时, its 对外服务机时 the sum of their 对外服务机时), and a totals row;
3. 说明: the year, the scope, when it was made, and what each indicator means.

Hours are to the hundredth; a record also gives its exact seconds within the year, so that a
sum of many records can be checked against its instrument to the second.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
from django.utils import timezone

from bookings.assessment import (
    NATIONAL_EFFECTIVE_HOURS,
    NATIONAL_EXTERNAL_HOURS,
    NATIONAL_ROUND,
    Assessment,
    assessment_records,
)
from bookings.purchase_export import yes_no
from bookings.usage_models import UsageSource
from bookings.workbooks import SheetWriter, column_widths, workbook_bytes

INSTRUMENT_COLUMNS = [
    "序号",
    "仪器名称",
    "所属单位",
    "资产编号",
    "仪器原值（元）",
    "购置日期",
    "分类代码",
    "分类名称",
    "专用仪器",
    "定额机时",
    "有效工作机时",
    "对外服务机时",
    "服务单位数",
    "共享率（对外÷有效）",
    "定额完成率（有效÷定额）",
    "服务收入（元）",
    "使用记录数",
    "记录机时（含未计入有效的）",
    f"有效机时÷全国平均（{NATIONAL_EFFECTIVE_HOURS}）",
    f"对外机时÷全国平均（{NATIONAL_EXTERNAL_HOURS}）",
]
RECORD_COLUMNS = [
    "记录编号",
    "仪器名称",
    "所属单位",
    "使用人",
    "使用单位",
    "操作人",
    "开始时间",
    "结束时间",
    "本年度机时",
    "本年度秒数",
    "有效机时",
    "对外服务机时",
    "对外服务",
    "预约编号",
    "服务收入（元）",
    "来源",
    "未计入有效的原因",
]
SOURCE_LABELS = {
    UsageSource.QR_SCAN: "扫码上机",
    UsageSource.CHECK_IN: "预约签到",
    UsageSource.MANUAL: "手工补录",
    UsageSource.INTERLOCK: "电源控制",
}
FLAG_LABELS = {"left_running": "超时未结束，系统关闭", "superseded_by_booking": "被下一预约接替"}
TIME = "%Y-%m-%d %H:%M:%S"
PERCENT = "0.00%"


def _local(value) -> str:
    return timezone.localtime(value).strftime(TIME) if value is not None else ""


def _percent(cell, value: float | None) -> None:
    cell.value = value
    cell.number_format = PERCENT


def _instruments_sheet(sheet, assessment: Assessment) -> None:
    out = SheetWriter(sheet)
    out.append(INSTRUMENT_COLUMNS, bold=True)
    for number, row in enumerate(assessment.rows, start=1):
        resource = row.resource
        cells = out.append(
            [
                number,
                resource.name,
                resource.unit.name,
                resource.asset_number,
                resource.original_value,
                resource.purchase_date,
                resource.classification_code,
                resource.classification_name,
                yes_no(resource.specialised),
                resource.expected_yearly_hours,
                row.effective_hours,
                row.external_hours,
                row.units_served,
                None,
                None,
                row.income,
                row.records,
                row.used_hours,
                None,
                None,
            ]
        )
        cells[5].number_format = "yyyy-mm-dd"
        _percent(cells[13], row.share_rate)
        _percent(cells[14], row.quota_rate)
        _percent(cells[18], row.national_effective_rate)
        _percent(cells[19], row.national_external_rate)
    totals = assessment.totals
    cells = out.append(
        [
            "合计",
            f"{totals.instruments} 台",
            "",
            "",
            sum((r.resource.original_value or Decimal(0) for r in assessment.rows), Decimal(0)),
            None,
            "",
            "",
            "",
            totals.expected_yearly_hours,
            totals.effective_hours,
            totals.external_hours,
            totals.units_served,
            None,
            None,
            totals.income,
            totals.records,
            totals.used_hours,
            None,
            None,
        ],
        bold=True,
    )
    _percent(cells[13], totals.share_rate)
    _percent(cells[14], totals.quota_rate)
    sheet.freeze_panes = "C2"
    column_widths(
        sheet, [6, 28, 24, 16, 14, 12, 10, 16, 8, 10, 12, 12, 10, 12, 12, 14, 10, 14, 14, 14]
    )


def _records_sheet(sheet, assessment: Assessment) -> None:
    out = SheetWriter(sheet)
    out.append(RECORD_COLUMNS, bold=True)
    seconds, effective, external = 0, 0.0, 0.0
    income: Decimal | None = None
    count = 0
    for record in assessment_records(assessment=assessment):
        session = record.session
        out.append(
            [
                session.pk,
                session.resource.name,
                session.resource.unit.name,
                session.member.name,
                record.unit.name,
                session.operator.name if session.operator_id else "",
                _local(session.started_at),
                _local(session.stopped_at) if session.stopped_at else "使用中",
                record.hours,
                record.seconds,
                record.effective_hours,
                record.external_hours,
                yes_no(record.external),
                session.booking_id,
                record.income,
                SOURCE_LABELS.get(session.source, session.source),
                ""
                if record.effective
                else FLAG_LABELS.get(session.flag_reason, session.flag_reason),
            ]
        )
        count += 1
        seconds += record.seconds
        effective += record.effective_hours
        external += record.external_hours
        if record.income is not None:
            income = (income or Decimal("0.00")) + record.income
    out.append(
        [
            "合计",
            f"{count} 条",
            "",
            "",
            "",
            "",
            "",
            "",
            round(seconds / 3600, 2),
            seconds,
            round(effective, 2),
            round(external, 2),
            "",
            None,
            income,
        ],
        bold=True,
    )
    sheet.freeze_panes = "C2"
    column_widths(sheet, [10, 28, 24, 12, 24, 12, 20, 20, 12, 12, 10, 12, 8, 10, 14, 10, 22])


def _notes_sheet(sheet, assessment: Assessment, scope: str) -> None:
    out = SheetWriter(sheet)
    out.append(["大型科研仪器开放共享评价考核数据"], bold=True)
    generated = timezone.localtime(assessment.now).strftime("%Y-%m-%d %H:%M")
    for label, value in (
        ("年度", assessment.year),
        ("范围", scope),
        ("统计截至", "全年" if assessment.complete else f"{generated}（年度未结束）"),
        ("导出时间", generated),
        (f"全国平均有效工作机时（{NATIONAL_ROUND}年）", NATIONAL_EFFECTIVE_HOURS),
        (f"全国平均对外服务机时（{NATIONAL_ROUND}年）", NATIONAL_EXTERNAL_HOURS),
    ):
        out.append([label, value])
    out.skip()
    out.append(["指标", "定义"], bold=True)
    for label, meaning in (
        (
            "有效工作机时",
            "年度内使用记录的机时之和（跨年记录只计本年部分；使用中的记录计至导出时），不含系统代为关闭、未经管理员更正的记录",
        ),
        (
            "对外服务机时",
            "有效工作机时中，使用单位（预约单位，无预约时为使用人单位）不是仪器所属单位的部分",
        ),
        ("服务单位数", "有对外服务机时的不同单位数；合计行每个单位只计一次"),
        ("共享率", "对外服务机时 ÷ 有效工作机时"),
        ("定额机时", "仪器自定的年度定额，否则通用仪器 1400、专用仪器 800"),
        ("定额完成率", "有效工作机时 ÷ 定额机时"),
        ("服务收入", "本年度开始的使用记录所登记的收费之和；无任何登记时留空"),
        ("使用记录", "第二张表逐条列出；每台仪器的有效工作机时、对外服务机时等于其记录之和"),
    ):
        out.append([label, meaning])
    column_widths(sheet, [30, 100])


def assessment_scope_label(assessment: Assessment) -> str:
    """Whose instruments the assessment holds, in words: the unit asked for, the one unit
    they all belong to, or how many units."""
    if assessment.unit is not None:
        return assessment.unit.name
    units = {row.resource.unit.name for row in assessment.rows}
    if len(units) == 1:
        return units.pop()
    return f"联合体 {len(units)} 个成员单位"


def assessment_workbook_name(assessment: Assessment) -> str:
    unit = f"-unit-{assessment.unit.pk}" if assessment.unit is not None else ""
    return f"assessment-{assessment.year}{unit}.xlsx"


def assessment_workbook(assessment: Assessment) -> bytes:
    """The workbook of ``assessment``."""
    scope = assessment_scope_label(assessment)
    workbook = openpyxl.Workbook()
    instruments = workbook.active
    instruments.title = "仪器考核指标"
    _instruments_sheet(instruments, assessment)
    _records_sheet(workbook.create_sheet("使用记录"), assessment)
    _notes_sheet(workbook.create_sheet("说明"), assessment, scope)
    return workbook_bytes(workbook)
