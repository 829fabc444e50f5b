"""The duplicate-purchase check (查重评议): what a planned purchase is matched against, the
report kept as it was, who may enter a check and record its outcome, what the secretariat
counts, and the workbook. Refusals write nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import IntegrityError, transaction

from alliance.errors import AccessDenied, NotFound, ValidationFailed
from alliance.models import MemberRole
from bookings.figures import Period, usage_hours
from bookings.models import PurchaseCheck, PurchaseOutcome, UsageSession
from bookings.purchase_checks import (
    FULLY_USED_HOURS,
    purchase_check_create,
    purchase_check_outcome_set,
    report_year,
)
from bookings.purchase_export import purchase_check_workbook
from bookings.purchase_selectors import (
    purchase_check_list_for_member,
    purchase_check_summary,
    purchase_check_units_for,
)
from resources.models import ResourceKind
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def used(resource, member, start, hours):
    """A stopped session of ``hours`` hours (written directly: a fixture, not a write path)."""
    return UsageSession.objects.create(
        resource=resource,
        member=member,
        started_at=start,
        stopped_at=start + dt.timedelta(hours=hours),
        source="qr_scan",
    )


@pytest.fixture
def alliance():
    planner = UnitFactory(name="深圳理工大学")
    owner_b = UnitFactory(name="深圳湾实验室")
    owner_c = UnitFactory(name="中山大学")
    gone = UnitFactory(name="已退出单位", is_active=False)
    user = MemberFactory(unit=owner_c)
    sem_b = ResourceFactory(
        unit=owner_b, name="场发射扫描电镜", classification_code="010101", contact_name="王工"
    )
    sem_c = ResourceFactory(unit=owner_c, name="台式扫描电镜", classification_code="010102")
    tem_own = ResourceFactory(unit=planner, name="透射电镜", classification_code="0101")
    # Not of the class: another class, a bare category, retired, an inactive unit, no
    # instrument, no code.
    ResourceFactory(unit=owner_b, name="质谱仪", classification_code="0102")
    ResourceFactory(unit=owner_b, name="某分析仪器", classification_code="01")
    ResourceFactory(unit=owner_b, name="旧扫描电镜", classification_code="010101", is_retired=True)
    ResourceFactory(unit=gone, name="退出单位电镜", classification_code="010101")
    ResourceFactory(
        unit=owner_b, name="电镜实验室", classification_code="010101", kind=ResourceKind.LAB
    )
    ResourceFactory(unit=owner_b, name="无代码电镜")
    # 2025: sem_b 1,300 hours (fully used), sem_c 200 + the 2 hours of a session across New
    # Year's midnight in Shanghai (22:00–02:00), the own TEM nothing; 2024 and 2026 not counted.
    used(sem_b, user, local(2025, 1, 2, 0), 1300)
    used(sem_c, user, local(2025, 3, 1, 8), 200)
    used(sem_c, user, local(2025, 12, 31, 22), 4)
    used(sem_c, user, local(2024, 6, 1, 8), 500)
    used(sem_c, user, local(2026, 6, 1, 8), 500)
    return {
        "planner": planner,
        "owner_b": owner_b,
        "sem_b": sem_b,
        "sem_c": sem_c,
        "tem_own": tem_own,
        "manager": MemberFactory(unit=planner, role=MemberRole.UNIT_MANAGER, name="刘处长"),
        "other_manager": MemberFactory(unit=owner_b, role=MemberRole.UNIT_MANAGER),
        "researcher": MemberFactory(unit=planner),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
    }


def create(actor, unit, **changes):
    values = {
        "instrument_name": "场发射扫描电子显微镜",
        "classification_code": "010101",
        "specifications": "分辨率 0.8 nm @ 15 kV",
        "price": Decimal("3800000.00"),
        **changes,
    }
    return purchase_check_create(actor=actor, unit_id=unit.pk, **values)


def test_the_report_lists_the_alliance_instruments_of_the_class_room_first(alliance):
    check = create(alliance["manager"], alliance["planner"])

    report = check.report
    rows = {row["name"]: row for row in report["instruments"]}
    assert [row["name"] for row in report["instruments"]] == [
        "透射电镜",
        "台式扫描电镜",
        "场发射扫描电镜",
    ]
    assert (report["year"], report["class_code"], report["category_name"]) == (
        2025,
        "0101",
        "分析仪器",
    )
    assert (report["matched"], report["with_room"]) == (3, 2)
    assert report["fully_used_hours"] == FULLY_USED_HOURS == 1200
    assert (rows["场发射扫描电镜"]["effective_hours"], rows["场发射扫描电镜"]["fully_used"]) == (
        "1300.00",
        True,
    )
    assert (rows["台式扫描电镜"]["effective_hours"], rows["台式扫描电镜"]["fully_used"]) == (
        "202.00",
        False,
    )
    assert (rows["透射电镜"]["effective_hours"], rows["透射电镜"]["fully_used"]) == ("0.00", False)
    assert [rows[n]["same_code"] for n in ("场发射扫描电镜", "台式扫描电镜", "透射电镜")] == [
        True,
        False,
        False,
    ]
    assert [rows[n]["own_unit"] for n in ("场发射扫描电镜", "透射电镜")] == [False, True]
    sem_b = rows["场发射扫描电镜"]
    assert (sem_b["resource_id"], sem_b["unit_name"], sem_b["contact_name"]) == (
        alliance["sem_b"].pk,
        "深圳湾实验室",
        "王工",
    )
    assert sem_b["expected_yearly_hours"] == 1400
    assert sem_b["service_modes"] == ["self_use"]


def test_the_hours_are_the_figures_primitive_of_last_year(alliance):
    check = create(alliance["manager"], alliance["planner"])

    figures = usage_hours(
        period=Period.year(2025), resource_ids=[alliance["sem_b"].pk, alliance["sem_c"].pk]
    )
    for row in check.report["instruments"]:
        hours = figures.get(row["resource_id"])
        expected = hours.effective_hours if hours is not None else 0.0
        assert row["effective_hours"] == f"{expected:.2f}"


def test_the_report_year_is_the_last_full_year_in_shanghai():
    assert report_year(FROZEN_NOW) == 2025
    assert report_year(local(2026, 1, 1, 0, 30)) == 2025  # still 2025 in UTC
    assert report_year(local(2025, 12, 31, 23, 59)) == 2024


def test_a_six_digit_code_and_a_four_digit_code_match_the_same_class(alliance):
    wide = create(alliance["manager"], alliance["planner"], classification_code="0101")

    same = {row["name"] for row in wide.report["instruments"] if row["same_code"]}
    assert wide.report["matched"] == 3
    assert same == {"透射电镜"}


def test_a_class_without_instruments_gives_an_empty_report(alliance):
    check = create(alliance["manager"], alliance["planner"], classification_code="1401")

    assert (check.report["matched"], check.report["instruments"]) == (0, [])


def test_the_report_is_kept_as_it_was(alliance):
    check = create(alliance["manager"], alliance["planner"])
    used(alliance["sem_c"], alliance["researcher"], local(2025, 5, 1, 8), 2000)
    alliance["sem_b"].name = "改名的电镜"
    alliance["sem_b"].save()

    kept = PurchaseCheck.objects.get(pk=check.pk).report

    assert kept == check.report
    assert {row["name"] for row in kept["instruments"]} >= {"场发射扫描电镜"}


def test_the_check_keeps_what_was_entered(alliance):
    check = create(alliance["manager"], alliance["planner"], instrument_name="  扫描电镜  ")

    check.refresh_from_db()
    assert (check.unit, check.entered_by, check.instrument_name) == (
        alliance["planner"],
        alliance["manager"],
        "扫描电镜",
    )
    assert (check.price, check.outcome, check.created_at) == (
        Decimal("3800000.00"),
        PurchaseOutcome.UNDECIDED,
        FROZEN_NOW,
    )


def test_the_secretariat_enters_a_check_for_any_unit(alliance):
    check = create(alliance["secretariat"], alliance["planner"])

    assert (check.unit, check.entered_by) == (alliance["planner"], alliance["secretariat"])


@pytest.mark.parametrize("who", ["researcher", "other_manager"])
def test_only_the_units_managers_and_the_secretariat_enter_checks(alliance, who):
    with pytest.raises(AccessDenied):
        create(alliance[who], alliance["planner"])

    assert not PurchaseCheck.objects.exists()


BAD_INPUT = [
    ({"classification_code": "01"}, "purchase_class_too_broad", "classification_code"),
    ({"classification_code": "0101010"}, "invalid", "classification_code"),
    ({"classification_code": "9901"}, "invalid", "classification_code"),
    ({"classification_code": "01a1"}, "invalid", "classification_code"),
    ({"classification_code": ""}, "invalid", "classification_code"),
    ({"instrument_name": "  "}, "invalid", "instrument_name"),
    ({"instrument_name": "电" * 101}, "invalid", "instrument_name"),
    ({"instrument_name": "电镜\u202e"}, "invalid_characters", "instrument_name"),
    ({"specifications": ""}, "invalid", "specifications"),
    ({"price": Decimal("-1")}, "invalid", "price"),
    ({"price": Decimal("1.005")}, "invalid", "price"),
    ({"price": 1.5}, "invalid", "price"),
    ({"price": "abc"}, "invalid", "price"),
    ({"price": Decimal("NaN")}, "invalid", "price"),
    ({"price": Decimal("1e13")}, "invalid", "price"),
]


@pytest.mark.parametrize(("changes", "code", "field"), BAD_INPUT)
def test_bad_input_is_refused_naming_the_field(alliance, changes, code, field):
    with pytest.raises(ValidationFailed) as refusal:
        create(alliance["manager"], alliance["planner"], **changes)

    assert refusal.value.code == code
    assert field in refusal.value.extra["fields"]
    assert not PurchaseCheck.objects.exists()


def test_an_unknown_or_inactive_unit_is_refused(alliance):
    secretariat = alliance["secretariat"]
    gone = UnitFactory(name="另一退出单位", is_active=False)

    with pytest.raises(ValidationFailed) as unknown:
        purchase_check_create(
            actor=secretariat,
            unit_id=999999,
            instrument_name="电镜",
            classification_code="0101",
            specifications="x",
            price=1,
        )
    with pytest.raises(ValidationFailed) as inactive:
        create(secretariat, gone)
    with pytest.raises(ValidationFailed) as not_an_id:
        purchase_check_create(
            actor=secretariat,
            unit_id="1",
            instrument_name="电镜",
            classification_code="0101",
            specifications="x",
            price=1,
        )

    assert unknown.value.extra["fields"] == {"unit": ["does_not_exist"]}
    assert inactive.value.code == "unit_inactive"
    assert not_an_id.value.extra["fields"] == {"unit": ["invalid"]}
    assert not PurchaseCheck.objects.exists()


def test_a_missing_actor_is_a_programming_error(alliance):
    with pytest.raises(TypeError):
        create(None, alliance["planner"])


# --- The outcome ---------------------------------------------------------------------------


def test_the_unit_records_the_outcome_with_a_reason(alliance):
    check = create(alliance["manager"], alliance["planner"])
    later = FROZEN_NOW + dt.timedelta(days=30)

    purchase_check_outcome_set(
        actor=alliance["manager"],
        check_id=check.pk,
        outcome=PurchaseOutcome.SHARED,
        reason="改用深圳湾实验室的扫描电镜",
        now=later,
    )

    check.refresh_from_db()
    assert (check.outcome, check.outcome_reason) == ("shared", "改用深圳湾实验室的扫描电镜")
    assert (check.outcome_by, check.outcome_at) == (alliance["manager"], later)


def test_the_outcome_may_change_and_return_to_undecided_without_a_reason(alliance):
    check = create(alliance["manager"], alliance["planner"])
    purchase_check_outcome_set(
        actor=alliance["manager"], check_id=check.pk, outcome="bought", reason="指标不满足"
    )

    purchase_check_outcome_set(
        actor=alliance["secretariat"], check_id=check.pk, outcome="undecided"
    )

    check.refresh_from_db()
    assert (check.outcome, check.outcome_reason, check.outcome_by) == (
        "undecided",
        "",
        alliance["secretariat"],
    )


@pytest.mark.parametrize(
    ("outcome", "reason", "field"),
    [("bought", "", "reason"), ("shared", "   ", "reason"), ("sold", "x", "outcome")],
)
def test_a_decided_outcome_needs_a_reason_and_a_known_value(alliance, outcome, reason, field):
    check = create(alliance["manager"], alliance["planner"])

    with pytest.raises(ValidationFailed) as refusal:
        purchase_check_outcome_set(
            actor=alliance["manager"], check_id=check.pk, outcome=outcome, reason=reason
        )

    assert field in refusal.value.extra["fields"]
    check.refresh_from_db()
    assert (check.outcome, check.outcome_by) == ("undecided", None)


@pytest.mark.parametrize("who", ["researcher", "other_manager"])
def test_only_the_planning_units_managers_and_the_secretariat_record_it(alliance, who):
    check = create(alliance["manager"], alliance["planner"])

    with pytest.raises(AccessDenied):
        purchase_check_outcome_set(
            actor=alliance[who], check_id=check.pk, outcome="shared", reason="共享"
        )

    check.refresh_from_db()
    assert (check.outcome, check.outcome_by) == ("undecided", None)


def test_an_unknown_check_is_not_found(alliance):
    with pytest.raises(NotFound):
        purchase_check_outcome_set(
            actor=alliance["secretariat"], check_id=999999, outcome="shared", reason="x"
        )


def test_the_database_refuses_a_decided_outcome_without_reason_and_a_negative_price(alliance):
    check = create(alliance["manager"], alliance["planner"])

    for changes in ({"outcome": "bought", "outcome_reason": ""}, {"price": Decimal("-1")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PurchaseCheck.objects.filter(pk=check.pk).update(**changes)


# --- Reads ---------------------------------------------------------------------------------


def test_the_summary_counts_the_purchases_sharing_made_unnecessary(alliance):
    manager, planner = alliance["manager"], alliance["planner"]
    other_manager, owner_b = alliance["other_manager"], alliance["owner_b"]
    outcomes = [("shared", "100.00"), ("shared", "250.50"), ("bought", "999.00"), (None, "7.00")]
    for outcome, price in outcomes:
        check = create(manager, planner, price=Decimal(price))
        if outcome:
            purchase_check_outcome_set(
                actor=manager, check_id=check.pk, outcome=outcome, reason="理由"
            )
    theirs = create(other_manager, owner_b, price=Decimal("5000.00"))
    purchase_check_outcome_set(
        actor=other_manager, check_id=theirs.pk, outcome="shared", reason="理由"
    )

    mine = purchase_check_summary(member=manager)
    everyone = purchase_check_summary(member=alliance["secretariat"])
    nobody = purchase_check_summary(member=alliance["researcher"])

    assert (mine.total, mine.shared, mine.bought, mine.undecided) == (4, 2, 1, 1)
    assert mine.shared_price == Decimal("350.50")
    assert (everyone.total, everyone.shared, everyone.shared_price) == (5, 3, Decimal("5350.50"))
    assert (nobody.total, nobody.shared_price) == (0, Decimal("0.00"))


def test_each_sees_the_checks_of_the_units_they_manage(alliance):
    mine = create(alliance["manager"], alliance["planner"])
    theirs = create(alliance["other_manager"], alliance["owner_b"])

    def seen(who):
        return list(purchase_check_list_for_member(member=alliance[who]))

    assert seen("manager") == [mine]
    assert seen("other_manager") == [theirs]
    assert set(seen("secretariat")) == {mine, theirs}
    assert seen("researcher") == []


def test_the_units_one_may_enter_checks_for(alliance):
    assert purchase_check_units_for(member=alliance["manager"]) == [alliance["planner"]]
    assert purchase_check_units_for(member=alliance["researcher"]) == []
    every = purchase_check_units_for(member=alliance["secretariat"])
    assert alliance["planner"] in every
    assert all(unit.is_active for unit in every)


# --- The workbook --------------------------------------------------------------------------


def test_the_workbook_holds_the_kept_report_and_never_a_formula(alliance):
    check = create(alliance["manager"], alliance["planner"], instrument_name="=HYPERLINK(1)")

    content = purchase_check_workbook(check, resource_url=lambda pk: f"https://x/r/{pk}/")

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    facts = {row[0]: row[1] for row in values if row and row[0] and row[1] is not None}
    assert facts["拟购仪器"] == "=HYPERLINK(1)"
    assert sheet["B3"].data_type == "s"
    assert facts["申购单位"] == "深圳理工大学"
    assert facts["统计年度"] == 2025
    header = next(i for i, row in enumerate(values) if row[0] == "序号")
    rows = values[header + 1 :]
    assert [row[1] for row in rows] == ["透射电镜", "台式扫描电镜", "场发射扫描电镜"]
    assert rows[2][6] == 1300
    assert rows[2][7] == "是"
    assert rows[2][15] == f"https://x/r/{alliance['sem_b'].pk}/"
