"""Importing members from an Excel sheet (.xlsx): a preview, then all rows or none.

The sheet's first row names the columns (in Chinese, as the alliance keeps its lists):
姓名 (name, required), 手机号 (mobile phone, required), 角色 (role: 科研人员 by default,
单位资源管理员, 秘书处) and 单位 (the unit's full or short name; only read when the secretariat
imports for the whole alliance, and otherwise checked to name the chosen unit, if filled).

Each row ends up as one of:

- ``new`` (preview) / ``created`` (commit): a member is created with an invite code;
- ``existing``: the unit already has a member with this mobile number (we match on the
  phone within the unit: names repeat and are typed in many ways, a phone does not), so
  importing the same sheet twice creates nobody twice;
- ``refused``, with one or more row codes (``import_row_*`` in alliance.errors).

Nothing is half-imported: if any row is refused, the commit creates nobody and the report
says which rows to fix; otherwise every new member, their user account and invite code are
created in one durable transaction, with bulk inserts (10,000 rows in seconds). The units
are locked and the rows checked again inside that transaction, so two imports at once do
not both create the same person.

The workbook is read with openpyxl in read-only mode (streamed, not held in memory) and
``data_only`` (a formula counts as its last computed value); cells are stripped, and a
phone typed as a number (13800138000.0) is read as its digits. Limits:
MEMBER_IMPORT_MAX_BYTES and MEMBER_IMPORT_MAX_ROWS (settings, defaults below).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from openpyxl.utils.exceptions import InvalidFileException

from alliance.access import (
    member_can_manage_people,
    member_import_roles,
    member_is_secretariat,
    member_refusal,
)
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import MESSAGES, NotFound, ValidationFailed
from alliance.models import Member, MemberRole, Unit
from alliance.services import BACK_OFFICE_ROLES, text_clean
from alliance.tokens import invite_codes_issue_many

COLUMN_NAME = "姓名"
COLUMN_PHONE = "手机号"
COLUMN_ROLE = "角色"
COLUMN_UNIT = "单位"
REQUIRED_COLUMNS = (COLUMN_NAME, COLUMN_PHONE)

DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: Blank rows read past the last allowed one before giving up (formatted but empty rows).
BLANK_ROWS_TOLERATED = 1_000

#: The words a sheet may use for each role: the Chinese labels, their usual short forms, and
#: the API's values.
ROLE_WORDS = {
    "科研人员": MemberRole.RESEARCHER,
    "研究人员": MemberRole.RESEARCHER,
    "researcher": MemberRole.RESEARCHER,
    "单位资源管理员": MemberRole.UNIT_MANAGER,
    "资源管理员": MemberRole.UNIT_MANAGER,
    "管理员": MemberRole.UNIT_MANAGER,
    "unit_manager": MemberRole.UNIT_MANAGER,
    "秘书处": MemberRole.SECRETARIAT,
    "secretariat": MemberRole.SECRETARIAT,
}
#: How the template and the report write each role.
ROLE_LABELS = {
    MemberRole.RESEARCHER: "科研人员",
    MemberRole.UNIT_MANAGER: "单位资源管理员",
    MemberRole.SECRETARIAT: "秘书处",
}
#: A mainland mobile number: 11 digits starting 1[3-9].
MOBILE = re.compile(r"1[3-9]\d{9}")
PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")

NEW, CREATED, EXISTING, REFUSED = "new", "created", "existing", "refused"


def max_rows() -> int:
    return getattr(settings, "MEMBER_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def max_bytes() -> int:
    return getattr(settings, "MEMBER_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass
class ImportRow:
    """One row of the sheet and what became of it. ``number`` is the sheet's row number."""

    number: int
    name: str
    phone: str
    role_text: str
    unit_text: str
    role: str = ""
    unit: Unit | None = None
    outcome: str = NEW
    codes: list[str] = field(default_factory=list)
    member_id: int | None = None
    invite_code: str = ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role_text)

    @property
    def reasons(self) -> list[str]:
        """The row codes' messages, in the active language."""
        return [str(MESSAGES[code]) for code in self.codes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "name": self.name,
            "phone": self.phone,
            "role": self.role or None,
            "unit": self.unit.pk if self.unit is not None else None,
            "outcome": self.outcome,
            "codes": list(self.codes),
            "member": self.member_id,
            "invite_code": self.invite_code or None,
        }


@dataclass
class ImportReport:
    rows: list[ImportRow]
    committed: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in (NEW, CREATED, EXISTING, REFUSED)}

    @property
    def refused(self) -> list[ImportRow]:
        return [row for row in self.rows if row.outcome == REFUSED]


# --- Reading the sheet --------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: stripped; a whole number typed as a number loses its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def phone_normalize(text: str) -> str:
    """A mobile number as its 11 digits, without separators or the +86 prefix; "" if it is
    not a mainland mobile number."""
    digits = PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) else ""


def _file_size(file: BinaryIO) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def sheet_read(file: BinaryIO) -> list[ImportRow]:
    """The sheet's non-blank rows, or a refusal of the whole file: ``import_file_too_large``,
    ``import_not_a_spreadsheet``, ``import_missing_columns``, ``import_empty``,
    ``import_too_many_rows``."""
    limit_bytes = max_bytes()
    if _file_size(file) > limit_bytes:
        raise ValidationFailed("import_file_too_large", params={"megabytes": limit_bytes >> 20})
    limit_rows = max_rows()
    # A sheet from anywhere may carry features openpyxl warns about (data validation, odd
    # styles); they do not matter for reading values.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise ValidationFailed("import_not_a_spreadsheet") from None
        try:
            if not workbook.worksheets:
                raise ValidationFailed("import_not_a_spreadsheet")
            lines = workbook.worksheets[0].iter_rows(values_only=True)
            header = next(lines, None)
            if header is None:
                raise ValidationFailed("import_empty")
            columns: dict[str, int] = {}
            for index, value in enumerate(header):
                columns.setdefault(cell_text(value), index)
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise ValidationFailed(
                    "import_missing_columns", params={"columns": "、".join(missing)}
                )

            def cell(values: tuple, column: str) -> str:
                index = columns.get(column)
                if index is None or index >= len(values):
                    return ""
                return cell_text(values[index])

            rows: list[ImportRow] = []
            for number, values in enumerate(lines, start=2):
                if number - 1 > limit_rows + BLANK_ROWS_TOLERATED:
                    raise ValidationFailed("import_too_many_rows", params={"rows": limit_rows})
                if all(cell_text(value) == "" for value in values):
                    continue
                if len(rows) >= limit_rows:
                    raise ValidationFailed("import_too_many_rows", params={"rows": limit_rows})
                rows.append(
                    ImportRow(
                        number=number,
                        name=cell(values, COLUMN_NAME),
                        phone=cell(values, COLUMN_PHONE),
                        role_text=cell(values, COLUMN_ROLE),
                        unit_text=cell(values, COLUMN_UNIT),
                    )
                )
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            # A damaged archive or sheet XML found while streaming it.
            raise ValidationFailed("import_not_a_spreadsheet") from None
        finally:
            workbook.close()
    if not rows:
        raise ValidationFailed("import_empty")
    return rows


# --- Checking the rows --------------------------------------------------------------------


def _import_access(actor: Actor, unit_id: int | None) -> Unit | None:
    """The target unit (None: the whole alliance, by each row's 单位), once access is
    checked: a unit's managers and the secretariat import into a unit; only the secretariat
    (or the system) into the whole alliance."""
    actor_require(actor)
    if unit_id is None:
        if actor_is_system(actor) or member_is_secretariat(actor):
            return None
        raise member_refusal(actor)
    if not (actor_is_system(actor) or member_can_manage_people(actor, unit_id)):
        raise member_refusal(actor)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    if not unit.is_active:
        raise ValidationFailed("unit_inactive")
    return unit


def _unit_names() -> dict[str, Unit]:
    """Active units by full name and by short name (a short name two units share names
    neither)."""
    units = list(Unit.objects.filter(is_active=True))
    by_name = {unit.name: unit for unit in units}
    shorts: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.short_name:
            shorts.setdefault(unit.short_name, []).append(unit)
    for short, owners in shorts.items():
        if len(owners) == 1:
            by_name.setdefault(short, owners[0])
    return by_name


def _name_check(row: ImportRow) -> None:
    try:
        row.name = text_clean(row.name, field="name", max_length=50, required=True)
    except ValidationFailed as exc:
        reason = exc.extra.get("fields", {}).get("name", ["invalid"])[0]
        row.codes.append(
            {
                "required": "import_row_missing_name",
                "max_length": "import_row_name_too_long",
            }.get(reason, "import_row_invalid_characters")
        )


def rows_check(actor: Actor, target: Unit | None, rows: list[ImportRow]) -> ImportReport:
    """Decide each row's outcome against the database (three queries at most)."""
    unit_names = _unit_names() if target is None else {}
    roles_by_unit: dict[int, frozenset[str]] = {}
    for row in rows:
        _name_check(row)
        if target is not None:
            row.unit = target
            if row.unit_text and row.unit_text not in (target.name, target.short_name):
                row.codes.append("import_row_other_unit")
        elif not row.unit_text:
            row.codes.append("import_row_missing_unit")
        else:
            row.unit = unit_names.get(row.unit_text)
            if row.unit is None:
                row.codes.append("import_row_unknown_unit")
        role = ROLE_WORDS.get(row.role_text.lower()) if row.role_text else MemberRole.RESEARCHER
        if role is None:
            row.codes.append("import_row_unknown_role")
        else:
            row.role = role
            if row.unit is not None:
                if row.unit.pk not in roles_by_unit:
                    roles_by_unit[row.unit.pk] = member_import_roles(actor, row.unit.pk)
                if role not in roles_by_unit[row.unit.pk]:
                    row.codes.append("import_row_role_not_allowed")
        if not row.phone:
            row.codes.append("import_row_missing_phone")
        else:
            phone = phone_normalize(row.phone)
            if phone:
                row.phone = phone
            else:
                row.codes.append("import_row_bad_phone")

    unit_ids = {row.unit.pk for row in rows if row.unit is not None}
    existing: dict[tuple[int, str], int] = {}
    for member_id, unit_id, phone in Member.objects.filter(unit_id__in=unit_ids).values_list(
        "pk", "unit_id", "phone"
    ):
        normalized = phone_normalize(phone)
        if normalized:
            existing.setdefault((unit_id, normalized), member_id)
    seen: set[tuple[int, str]] = set()
    for row in rows:
        key = (row.unit.pk, row.phone) if row.unit is not None else None
        if key is not None and "import_row_bad_phone" not in row.codes and row.phone:
            if key in seen:
                row.codes.append("import_row_duplicate")
            seen.add(key)
        if row.codes:
            row.outcome = REFUSED
        elif key in existing:
            row.outcome = EXISTING
            row.member_id = existing[key]
        else:
            row.outcome = NEW
    return ImportReport(rows=rows)


# --- The service --------------------------------------------------------------------------


def members_import(
    *, actor: Actor, file: BinaryIO, unit_id: int | None = None, commit: bool = False
) -> ImportReport:
    """Import the members of an .xlsx sheet into a unit (or, ``unit_id`` None, the whole
    alliance by each row's 单位: the secretariat only).

    Without ``commit``, a preview: the report, nothing written. With ``commit``: every new
    row created with an invite code (``report.committed``), or, if any row is refused,
    nothing at all and ``import_rows_refused`` (400) listing the refused rows.
    """
    target = _import_access(actor, unit_id)
    rows = sheet_read(file)
    if not commit:
        return rows_check(actor, target, rows)
    with transaction.atomic(durable=True):
        _units_lock([target.pk] if target is not None else _unit_names_ids())
        report = rows_check(actor, target, rows)
        if report.refused:
            error = ValidationFailed(
                "import_rows_refused",
                params={"count": len(report.refused)},
                rows=[row.as_dict() for row in report.refused],
            )
            error.report = report
            raise error
        _rows_create(actor, [row for row in report.rows if row.outcome == NEW])
    report.committed = True
    return report


def _units_lock(unit_ids: list[int]) -> None:
    """Lock the units imported into (in pk order: no deadlock between two imports), so that
    the check that follows and the inserts see every member a concurrent import created."""
    list(
        Unit.objects.select_for_update(no_key=True)
        .filter(pk__in=unit_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _unit_names_ids() -> list[int]:
    return list(Unit.objects.filter(is_active=True).values_list("pk", flat=True))


def _rows_create(actor: Actor, rows: list[ImportRow]) -> None:
    """Users, members and invite codes for the new rows, in bulk (three INSERTs per batch)."""
    if not rows:
        return
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [
            user_model(
                username=f"m{secrets.token_hex(8)}",
                password=make_password(None),  # unusable: they sign in through WeChat
                is_staff=row.role in BACK_OFFICE_ROLES,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    members = Member.objects.bulk_create(
        [
            Member(user=user, unit=row.unit, name=row.name, role=row.role, phone=row.phone)
            for user, row in zip(users, rows, strict=True)
        ],
        batch_size=1000,
    )
    created_by = actor if isinstance(actor, Member) else None
    invites = invite_codes_issue_many(members=members, created_by=created_by)
    for row, member, (_, code) in zip(rows, members, invites, strict=True):
        row.outcome = CREATED
        row.member_id = member.pk
        row.invite_code = code


# --- Workbooks to download ----------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook_bytes(title: str, header: list[str], lines: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_template_workbook(*, with_unit: bool) -> bytes:
    """An empty sheet with the columns, and one example row, to fill in and import."""
    header = [COLUMN_NAME, COLUMN_PHONE, COLUMN_ROLE]
    example = ["张三", "13800138000", ROLE_LABELS[MemberRole.RESEARCHER]]
    if with_unit:
        header.append(COLUMN_UNIT)
        example.append("深圳湾实验室")
    return _workbook_bytes("成员", header, [example])


OUTCOME_LABELS = {NEW: "将创建", CREATED: "已创建", EXISTING: "已存在", REFUSED: "未通过"}


def import_report_workbook(report: ImportReport) -> bytes:
    """The report as a sheet: each row, its outcome, the reasons, and the invite codes to
    hand out (so: a file to keep safe)."""
    header = ["行", COLUMN_NAME, COLUMN_PHONE, COLUMN_ROLE, COLUMN_UNIT, "结果", "原因", "邀请码"]
    lines = [
        [
            row.number,
            row.name,
            row.phone,
            ROLE_LABELS.get(row.role, row.role_text),
            row.unit.name if row.unit is not None else row.unit_text,
            OUTCOME_LABELS[row.outcome],
            "；".join(row.reasons),
            row.invite_code,
        ]
        for row in report.rows
    ]
    return _workbook_bytes("导入结果", header, lines)
