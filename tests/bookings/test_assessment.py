"""The national open-sharing assessment against a hand-computed oracle
(tests/bookings/assessment_fixture.py): each indicator per instrument, the totals, the
records behind them, who sees which instruments, and the workbook, whose totals are the sums
of its records and the figures' usage_hours."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest

from alliance.errors import AccessDenied, ValidationFailed
from bookings.assessment import assessment_get, assessment_records
from bookings.assessment_export import INSTRUMENT_COLUMNS, RECORD_COLUMNS, assessment_workbook
from bookings.figures import Period, usage_hours
from bookings.models import UsageSession
from tests.bookings.assessment_fixture import scene_build
from tests.conftest import FROZEN_NOW, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def scene():
    return scene_build()


def by_name(assessment):
    return {row.resource.name: row for row in assessment.rows}


def test_each_indicator_of_each_instrument_is_the_hand_computed_one(scene):
    rows = by_name(assessment_get(member=scene.manager_o, year=2025))

    x, y, r = rows["场发射扫描电镜"], rows["同步辐射线站"], rows["旧质谱仪"]
    assert (x.used_hours, x.effective_hours, x.external_hours) == (13.5, 10.5, 9.0)
    assert (x.units_served, x.income, x.records) == (2, Decimal("1200.50"), 6)
    assert (x.share_rate, x.quota_rate) == (round(9 / 10.5, 4), round(10.5 / 1400, 4))
    assert x.national_effective_rate == round(10.5 / 1599, 4)
    assert x.national_external_rate == round(9 / 273, 4)
    assert (y.effective_hours, y.external_hours, y.units_served, y.income) == (10.0, 10.0, 1, None)
    assert (y.resource.expected_yearly_hours, y.quota_rate) == (800, round(10 / 800, 4))
    assert (r.effective_hours, r.external_hours, r.share_rate) == (1.0, 0.0, 0.0)


def test_the_instruments_are_the_units_equipment_retired_ones_only_when_used(scene):
    names = [row.resource.name for row in assessment_get(member=scene.manager_o, year=2025).rows]

    # Not the idle retired one (报废离心机), the venue (报告厅), nor Z's (核磁共振仪).
    assert sorted(names) == sorted(["同步辐射线站", "场发射扫描电镜", "旧质谱仪"])


def test_the_totals(scene):
    totals = assessment_get(member=scene.manager_o, year=2025).totals

    assert (totals.instruments, totals.records) == (3, 8)
    assert (totals.used_hours, totals.effective_hours, totals.external_hours) == (24.5, 21.5, 19.0)
    assert (totals.units_served, totals.income) == (2, Decimal("1200.50"))
    assert totals.expected_yearly_hours == 1400 + 800 + 1400
    assert totals.share_rate == round(19 / 21.5, 4)


def test_the_figures_are_the_figures_primitive(scene):
    assessment = assessment_get(member=scene.secretariat, year=2025)

    figures = usage_hours(period=Period.year(2025), now=FROZEN_NOW)
    for row in assessment.rows:
        expected = figures[row.resource.pk]
        assert (row.used_hours, row.effective_hours, row.external_hours, row.units_served) == (
            expected.used_hours,
            expected.effective_hours,
            expected.external_hours,
            expected.units_served,
        )


def test_a_session_across_new_year_counts_its_hours_in_both_years_its_fee_in_the_first(scene):
    def record_of(year):
        assessment = assessment_get(member=scene.manager_o, year=year)
        return next(r for r in assessment_records(assessment=assessment) if r.session == scene.x4)

    before, after = record_of(2025), record_of(2026)

    assert (before.hours, before.seconds, before.income) == (2.0, 7200, Decimal("100.00"))
    assert (after.hours, after.seconds, after.income) == (2.0, 7200, None)
    assert (
        by_name(assessment_get(member=scene.manager_o, year=2026))["场发射扫描电镜"].income is None
    )


def test_the_records_are_every_session_behind_the_figures(scene):
    assessment = assessment_get(member=scene.manager_o, year=2025)

    records = list(assessment_records(assessment=assessment))

    assert len(records) == assessment.totals.records == 8
    sums = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for record in records:
        total = sums[record.session.resource_id]
        total[0] += record.hours
        total[1] += record.effective_hours
        total[2] += record.external_hours
        total[3] += 1
    for row in assessment.rows:
        used, effective, external, count = sums[row.resource.pk]
        assert (round(used, 2), round(effective, 2), round(external, 2), count) == (
            row.used_hours,
            row.effective_hours,
            row.external_hours,
            row.records,
        )
    operated = next(r for r in records if r.session == scene.x1)
    assert (operated.unit, operated.session.operator.name, operated.external) == (
        scene.e,
        "操作员",
        True,
    )
    flagged = next(r for r in records if r.session.flagged)
    assert (flagged.hours, flagged.effective, flagged.effective_hours) == (3.0, False, 0.0)


def test_a_running_session_counts_up_to_now_in_the_current_year(scene):
    UsageSession.objects.create(
        resource=scene.y,
        member=scene.researcher_o,
        started_at=local(2026, 11, 23, 6),
        source="qr_scan",
    )

    assessment = assessment_get(member=scene.manager_o, year=2026)

    assert by_name(assessment)["同步辐射线站"].used_hours == 2.0
    assert not assessment.complete
    assert assessment_get(member=scene.manager_o, year=2025).complete


# --- Who sees what ---------------------------------------------------------------------------


def test_a_manager_sees_their_units_instruments_the_secretariat_any_units(scene):
    mine = assessment_get(member=scene.manager_o, year=2025)
    theirs = assessment_get(member=scene.manager_z, year=2025)
    one = assessment_get(member=scene.secretariat, year=2025, unit_id=scene.z.pk)
    every = assessment_get(member=scene.secretariat, year=2025)

    assert {row.resource.unit for row in mine.rows} == {scene.o}
    assert [row.resource.name for row in theirs.rows] == ["核磁共振仪"]
    assert by_name(theirs)["核磁共振仪"].external_hours == 3.0
    assert ([row.resource for row in one.rows], one.unit) == ([scene.zx], scene.z)
    assert len(every.rows) == 4


@pytest.mark.parametrize("who", ["researcher_o", "manager_z"])
def test_others_are_refused(scene, who):
    with pytest.raises(AccessDenied):
        assessment_get(member=getattr(scene, who), year=2025, unit_id=scene.o.pk)
    if who == "researcher_o":
        with pytest.raises(AccessDenied):
            assessment_get(member=scene.researcher_o, year=2025)
    with pytest.raises(AccessDenied):
        assessment_get(member=None, year=2025)


@pytest.mark.parametrize("year", [1999, 2027, "2025", True])
def test_a_year_outside_the_range_is_refused(scene, year):
    with pytest.raises(ValidationFailed) as refusal:
        assessment_get(member=scene.secretariat, year=year)

    assert refusal.value.code == "assessment_year_invalid"
    assert refusal.value.params == {"first": 2000, "last": 2026}


# --- The workbook ----------------------------------------------------------------------------


def open_workbook(assessment):
    return openpyxl.load_workbook(io.BytesIO(assessment_workbook(assessment)))


def rows_of(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_workbook_opens_and_its_totals_are_its_records_and_the_figures(scene):
    assessment = assessment_get(member=scene.secretariat, year=2025)

    workbook = open_workbook(assessment)

    assert workbook.sheetnames == ["仪器考核指标", "使用记录", "说明"]
    instruments = rows_of(workbook["仪器考核指标"])
    records = rows_of(workbook["使用记录"])
    assert instruments[0] == INSTRUMENT_COLUMNS
    assert records[0] == RECORD_COLUMNS
    col = {name: i for i, name in enumerate(INSTRUMENT_COLUMNS)}
    rcol = {name: i for i, name in enumerate(RECORD_COLUMNS)}
    body, total = instruments[1:-1], instruments[-1]
    record_body, record_total = records[1:-1], records[-1]
    figures = usage_hours(period=Period.year(2025), now=FROZEN_NOW)
    ids = {row.resource.name: row.resource.pk for row in assessment.rows}
    for line in body:
        name = line[col["仪器名称"]]
        mine = [r for r in record_body if r[rcol["仪器名称"]] == name]
        effective = sum(r[rcol["有效机时"]] for r in mine)
        external = sum(r[rcol["对外服务机时"]] for r in mine)
        income = [r[rcol["服务收入（元）"]] for r in mine if r[rcol["服务收入（元）"]] is not None]
        assert (
            line[col["有效工作机时"]] == round(effective, 2) == figures[ids[name]].effective_hours
        )
        assert line[col["对外服务机时"]] == round(external, 2) == figures[ids[name]].external_hours
        assert line[col["使用记录数"]] == len(mine)
        assert line[col["服务收入（元）"]] == (sum(income) if income else None)
        seconds = sum(r[rcol["本年度秒数"]] for r in mine if r[rcol["有效机时"]])
        assert round(seconds / 3600, 2) == line[col["有效工作机时"]]
    assert total[0] == "合计"
    assert total[col["有效工作机时"]] == sum(line[col["有效工作机时"]] for line in body) == 24.5
    assert total[col["对外服务机时"]] == record_total[rcol["对外服务机时"]] == 22.0
    assert total[col["有效工作机时"]] == record_total[rcol["有效机时"]]
    assert total[col["服务收入（元）"]] == record_total[rcol["服务收入（元）"]] == 1200.5
    assert total[col["使用记录数"]] == len(record_body) == 9
    assert total[col["服务单位数"]] == 3  # E and F by O's instruments, O by Z's


def test_the_workbook_carries_the_asset_data_and_the_hand_computed_row(scene):
    workbook = open_workbook(assessment_get(member=scene.manager_o, year=2025))

    col = {name: i for i, name in enumerate(INSTRUMENT_COLUMNS)}
    line = next(r for r in rows_of(workbook["仪器考核指标"]) if r[1] == "场发射扫描电镜")
    assert line[col["所属单位"]] == "深圳湾实验室"
    assert line[col["资产编号"]] == "SZBL-2020-001"
    assert line[col["仪器原值（元）"]] == 5000000
    assert line[col["购置日期"]].date().isoformat() == "2020-05-01"
    assert (line[col["分类代码"]], line[col["分类名称"]]) == ("010101", "扫描电子显微镜")
    assert (line[col["专用仪器"]], line[col["定额机时"]]) == ("否", 1400)
    assert (line[col["有效工作机时"]], line[col["对外服务机时"]], line[col["服务单位数"]]) == (
        10.5,
        9.0,
        2,
    )
    assert line[col["共享率（对外÷有效）"]] == round(9 / 10.5, 4)
    notes = rows_of(workbook["说明"])
    assert ["年度", 2025] in notes
    assert ["范围", "深圳湾实验室"] in notes


def test_the_records_sheet_names_who_when_and_the_booking(scene):
    workbook = open_workbook(assessment_get(member=scene.manager_o, year=2025))

    rcol = {name: i for i, name in enumerate(RECORD_COLUMNS)}
    line = next(r for r in rows_of(workbook["使用记录"]) if r[0] == scene.x1.pk)
    assert line[rcol["使用单位"]] == "南方科技大学"
    assert line[rcol["操作人"]] == "操作员"
    assert (line[rcol["开始时间"]], line[rcol["结束时间"]]) == (
        "2025-03-03 09:00:00",
        "2025-03-03 13:00:00",
    )
    assert (line[rcol["本年度机时"]], line[rcol["对外服务"]]) == (4, "是")
    assert line[rcol["预约编号"]] == scene.x1.booking_id
    assert line[rcol["服务收入（元）"]] == 800


def test_text_in_the_workbook_is_never_a_formula(scene):
    scene.x.name = '=HYPERLINK("http://evil")'
    scene.x.save()

    workbook = open_workbook(assessment_get(member=scene.manager_o, year=2025))

    for sheet in ("仪器考核指标", "使用记录"):
        cells = [c for row in workbook[sheet].iter_rows() for c in row if c.value == scene.x.name]
        assert cells
        assert all(cell.data_type == "s" for cell in cells)
