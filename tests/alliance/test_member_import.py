"""Importing members from an Excel sheet: a preview that writes nothing, then every row or
none, with a row-by-row report (alliance.member_import)."""

from __future__ import annotations

import io
import re
import time
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from alliance.errors import AccessDenied, NotFound, ValidationFailed
from alliance.member_import import (
    import_report_workbook,
    import_template_workbook,
    members_import,
)
from alliance.models import InviteCode, Member, MemberRole
from alliance.tokens import invite_code_digest
from tests.factories import MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号", "角色"]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def counts():
    return (Member.objects.count(), get_user_model().objects.count(), InviteCode.objects.count())


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室", short_name="深圳湾")


@pytest.fixture
def manager(unit):
    return MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def secretariat():
    return MemberFactory(role=MemberRole.SECRETARIAT, unit=UnitFactory(name="秘书处单位"))


class TestGoodRows:
    def test_the_preview_reports_each_row_and_writes_nothing(self, manager, unit):
        before = counts()
        report = members_import(
            actor=manager,
            unit_id=unit.pk,
            file=xlsx([["张三", "13800138000", "科研人员"], [" 李四 ", 13900139000.0, None]]),
        )
        assert not report.committed
        assert [
            (row.number, row.name, row.phone, row.role, row.outcome) for row in report.rows
        ] == [
            (2, "张三", "13800138000", "researcher", "new"),
            (3, "李四", "13900139000", "researcher", "new"),
        ]
        assert counts() == before

    def test_the_commit_creates_members_users_and_invite_codes_that_bind(self, manager, unit):
        report = members_import(
            actor=manager,
            unit_id=unit.pk,
            file=xlsx([["张三", "138 0013 8000", "科研人员"], ["李四", "+8613900139000", ""]]),
            commit=True,
        )
        assert report.committed
        assert report.counts["created"] == 2
        zhang = Member.objects.get(name="张三")
        assert (zhang.unit, zhang.phone, zhang.role, zhang.is_active) == (
            unit,
            "13800138000",
            MemberRole.RESEARCHER,
            True,
        )
        assert not zhang.user.has_usable_password()
        assert not zhang.user.is_staff
        row = report.rows[0]
        assert row.member_id == zhang.pk
        invite = InviteCode.objects.get(digest=invite_code_digest(row.invite_code))
        assert invite.member == zhang
        assert invite.created_by == manager

    def test_the_secretariat_imports_for_the_whole_alliance_by_unit_name(self, secretariat, unit):
        other = UnitFactory(name="中山大学", short_name="中大")
        report = members_import(
            actor=secretariat,
            file=xlsx(
                [
                    ["张三", "13800138000", "单位资源管理员", "深圳湾实验室"],
                    ["李四", "13900139000", "秘书处", "中大"],
                ],
                header=[*HEADER, "单位"],
            ),
            commit=True,
        )
        assert report.counts["created"] == 2
        zhang = Member.objects.get(name="张三")
        assert (zhang.unit, zhang.role, zhang.user.is_staff) == (unit, "unit_manager", True)
        assert Member.objects.get(name="李四").unit == other

    def test_formula_cells_are_read_as_their_computed_values(self, manager, unit):
        # openpyxl writes formulas without their value; Excel stores both. Write the
        # computed value beside the formula as Excel does.
        buffer = xlsx([["张三", '="138"&"00138000"', "科研人员"]])
        source = zipfile.ZipFile(buffer)
        patched = io.BytesIO()
        with zipfile.ZipFile(patched, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    text = data.decode()
                    text, replaced = re.subn(
                        r'<c r="B2"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                        r'<c r="B2" t="str"><f>\2</f><v>13800138000</v>',
                        text,
                    )
                    assert replaced == 1, text
                    data = text.encode()
                target.writestr(item, data)
        patched.seek(0)
        report = members_import(actor=manager, unit_id=unit.pk, file=patched)
        assert report.rows[0].phone == "13800138000"
        assert report.rows[0].outcome == "new"

    def test_a_sheet_of_ten_thousand_rows_is_imported_in_seconds(self, manager, unit):
        rows = [[f"成员{n}", 13000000000 + n, "科研人员"] for n in range(10_000)]
        file = xlsx(rows)
        started = time.monotonic()
        report = members_import(actor=manager, unit_id=unit.pk, file=file, commit=True)
        elapsed = time.monotonic() - started
        assert report.counts["created"] == 10_000
        assert Member.objects.filter(unit=unit).count() == 10_001
        assert InviteCode.objects.filter(member__unit=unit).count() == 10_000
        assert elapsed < 60, f"10,000 rows took {elapsed:.1f} s"


class TestExistingAndBadRows:
    def test_a_member_with_the_same_phone_in_the_unit_is_already_there(self, manager, unit):
        known = MemberFactory(unit=unit, name="张三", phone="138-0013-8000")
        MemberFactory(unit=UnitFactory(), phone="13900139000")  # another unit: not a match
        report = members_import(
            actor=manager,
            unit_id=unit.pk,
            file=xlsx([["张三丰", "13800138000"], ["李四", "13900139000"]]),
            commit=True,
        )
        assert [(row.outcome, row.member_id) for row in report.rows] == [
            ("existing", known.pk),
            ("created", report.rows[1].member_id),
        ]
        assert Member.objects.filter(unit=unit).count() == 3

    def test_importing_the_same_sheet_twice_creates_nobody_twice(self, manager, unit):
        sheet = [["张三", "13800138000"], ["李四", "13900139000"]]
        members_import(actor=manager, unit_id=unit.pk, file=xlsx(sheet), commit=True)
        before = counts()
        report = members_import(actor=manager, unit_id=unit.pk, file=xlsx(sheet), commit=True)
        assert report.counts == {"new": 0, "created": 0, "existing": 2, "refused": 0}
        assert counts() == before

    def test_bad_rows_are_refused_with_a_code_each_and_nothing_is_imported(self, manager, unit):
        rows = [
            ["张三", "13800138000", "科研人员"],  # good
            ["", "13800138001", ""],  # no name
            ["王五", "12345", ""],  # bad phone
            ["赵六", "", ""],  # no phone
            ["钱七", "13800138002", "单位资源管理员"],  # a manager may not create managers
            ["孙八", "13800138003", "老师"],  # unknown role
            ["周九", "13800138000", ""],  # duplicate of row 2
            ["吴十\u202e", "13800138004", ""],  # a text-direction override
            ["郑" * 51, "13800138005", ""],  # too long
        ]
        before = counts()
        preview = members_import(actor=manager, unit_id=unit.pk, file=xlsx(rows))
        assert [(row.number, row.outcome, row.codes) for row in preview.rows] == [
            (2, "new", []),
            (3, "refused", ["import_row_missing_name"]),
            (4, "refused", ["import_row_bad_phone"]),
            (5, "refused", ["import_row_missing_phone"]),
            (6, "refused", ["import_row_role_not_allowed"]),
            (7, "refused", ["import_row_unknown_role"]),
            (8, "refused", ["import_row_duplicate"]),
            (9, "refused", ["import_row_invalid_characters"]),
            (10, "refused", ["import_row_name_too_long"]),
        ]
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=xlsx(rows), commit=True)
        assert refused.value.code == "import_rows_refused"
        assert [row["row"] for row in refused.value.extra["rows"]] == [3, 4, 5, 6, 7, 8, 9, 10]
        assert refused.value.report.committed is False
        assert counts() == before

    def test_the_alliance_wide_import_needs_a_known_unit_per_row(self, secretariat, unit):
        UnitFactory(name="停用单位", is_active=False)
        report = members_import(
            actor=secretariat,
            file=xlsx(
                [
                    ["张三", "13800138000", "", ""],
                    ["李四", "13800138001", "", "没有这个单位"],
                    ["王五", "13800138002", "", "停用单位"],
                    ["赵六", "13800138003", "", "深圳湾"],
                ],
                header=[*HEADER, "单位"],
            ),
        )
        assert [row.codes for row in report.rows] == [
            ["import_row_missing_unit"],
            ["import_row_unknown_unit"],
            ["import_row_unknown_unit"],
            [],
        ]

    def test_a_unit_import_refuses_rows_naming_another_unit(self, manager, unit):
        report = members_import(
            actor=manager,
            unit_id=unit.pk,
            file=xlsx(
                [["张三", "13800138000", "", "中山大学"], ["李四", "13800138001", "", "深圳湾"]],
                header=[*HEADER, "单位"],
            ),
        )
        assert [row.codes for row in report.rows] == [["import_row_other_unit"], []]


class TestWholeFileRefusals:
    @pytest.mark.parametrize(
        "content",
        [b"name,phone\nZhang,13800138000\n", b"", b"PK\x03\x04 not really a zip", b"\x00" * 100],
    )
    def test_a_file_that_is_not_a_spreadsheet(self, manager, unit, content):
        before = counts()
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=io.BytesIO(content), commit=True)
        assert refused.value.code == "import_not_a_spreadsheet"
        assert counts() == before

    def test_a_zip_that_is_no_workbook(self, manager, unit):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hello")
        buffer.seek(0)
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=buffer)
        assert refused.value.code == "import_not_a_spreadsheet"

    def test_missing_columns(self, manager, unit):
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=xlsx([["张三"]], header=["姓名"]))
        assert refused.value.code == "import_missing_columns"
        assert "手机号" in refused.value.message

    def test_an_empty_sheet(self, manager, unit):
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=xlsx([[None, None], ["", " "]]))
        assert refused.value.code == "import_empty"

    def test_too_many_rows(self, manager, unit, settings):
        settings.MEMBER_IMPORT_MAX_ROWS = 3
        rows = [[f"成员{n}", 13000000000 + n] for n in range(4)]
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=xlsx(rows))
        assert refused.value.code == "import_too_many_rows"
        rows.pop()
        assert len(members_import(actor=manager, unit_id=unit.pk, file=xlsx(rows)).rows) == 3

    def test_too_big_a_file(self, manager, unit, settings):
        file = xlsx([["张三", "13800138000"]])
        settings.MEMBER_IMPORT_MAX_BYTES = len(file.getvalue()) - 1
        with pytest.raises(ValidationFailed) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=file)
        assert refused.value.code == "import_file_too_large"


class TestAccess:
    """Who may import where (the full matrix for every people action: test_people_access)."""

    def test_a_researcher_may_not_import(self, unit):
        researcher = MemberFactory(unit=unit)
        with pytest.raises(AccessDenied):
            members_import(actor=researcher, unit_id=unit.pk, file=xlsx([["张三", "13800138000"]]))

    def test_a_manager_imports_into_their_own_unit_only(self, manager):
        with pytest.raises(AccessDenied):
            members_import(
                actor=manager, unit_id=UnitFactory().pk, file=xlsx([["张三", "13800138000"]])
            )
        with pytest.raises(AccessDenied):  # the alliance-wide import is the secretariat's
            members_import(actor=manager, file=xlsx([["张三", "13800138000"]]))

    def test_a_manager_of_a_deactivated_unit_is_told_why(self, manager, unit):
        unit.is_active = False
        unit.save()
        with pytest.raises(AccessDenied) as refused:
            members_import(actor=manager, unit_id=unit.pk, file=xlsx([["张三", "13800138000"]]))
        assert refused.value.code == "actor_unit_inactive"

    def test_the_secretariat_may_not_import_into_a_deactivated_or_unknown_unit(self, secretariat):
        inactive = UnitFactory(is_active=False)
        with pytest.raises(ValidationFailed) as refused:
            members_import(
                actor=secretariat, unit_id=inactive.pk, file=xlsx([["张", "13800138000"]])
            )
        assert refused.value.code == "unit_inactive"
        with pytest.raises(NotFound):
            members_import(actor=secretariat, unit_id=10**9, file=xlsx([["张", "13800138000"]]))


def test_the_template_has_the_columns_and_reads_back_as_a_valid_sheet(manager, unit):
    template = import_template_workbook(with_unit=False)
    sheet = openpyxl.load_workbook(io.BytesIO(template)).active
    assert [cell.value for cell in sheet[1]] == HEADER
    report = members_import(actor=manager, unit_id=unit.pk, file=io.BytesIO(template))
    assert [row.outcome for row in report.rows] == ["new"]
    with_unit = openpyxl.load_workbook(io.BytesIO(import_template_workbook(with_unit=True)))
    assert [cell.value for cell in with_unit.active[1]] == [*HEADER, "单位"]


def test_the_report_workbook_lists_outcomes_reasons_and_invite_codes(manager, unit):
    report = members_import(
        actor=manager, unit_id=unit.pk, file=xlsx([["张三", "13800138000"]]), commit=True
    )
    sheet = openpyxl.load_workbook(io.BytesIO(import_report_workbook(report))).active
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert lines[0][-1] == "邀请码"
    assert lines[1][:6] == [2, "张三", "13800138000", "科研人员", unit.name, "已创建"]
    assert lines[1][-1] == report.rows[0].invite_code
