"""Specification of the writes to resources and the working calendar (resources.services)."""

import datetime as dt

import pytest

from alliance.errors import AccessDenied, NotFound, ValidationFailed
from alliance.models import MemberRole
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource, ResourceKind
from resources.services import (
    closure_create,
    closure_delete,
    makeup_day_delete,
    makeup_day_set,
    opening_hours_set,
    resource_create,
    resource_retire,
    resource_update,
)
from tests.conftest import local
from tests.factories import (
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

T = dt.time


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室")


@pytest.fixture
def other_unit():
    return UnitFactory(name="中山大学·深圳")


@pytest.fixture
def manager(unit):
    return MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def secretariat(other_unit):
    return MemberFactory(unit=other_unit, role=MemberRole.SECRETARIAT)


@pytest.fixture
def researcher(unit):
    return MemberFactory(unit=unit, role=MemberRole.RESEARCHER)


@pytest.fixture
def resource(unit):
    return ResourceFactory(unit=unit, name="冷冻电镜平台", slot_minutes=30)


def rows(resource):
    return [
        (w.weekday, w.start_time, w.end_time)
        for w in OpeningHours.objects.filter(resource=resource).order_by("weekday", "start_time")
    ]


# --- resource_create ----------------------------------------------------------------------


def test_a_unit_manager_shares_a_resource_of_their_unit(manager, unit, other_unit):
    resource = resource_create(
        actor=manager,
        unit_id=unit.pk,
        kind=ResourceKind.EQUIPMENT,
        name=" 单细胞技术平台 ",
        location="光明区新湖街道 深圳湾实验室 B栋",
        capacity=4,
        slot_minutes=60,
        min_duration_minutes=120,
        max_duration_minutes=480,
        buffer_minutes=30,
        allowed_unit_ids=[other_unit.pk, unit.pk],
    )

    resource.refresh_from_db()
    assert resource.name == "单细胞技术平台"
    assert (resource.slot_minutes, resource.min_duration_minutes) == (60, 120)
    assert set(resource.allowed_units.values_list("pk", flat=True)) == {unit.pk, other_unit.pk}
    assert not resource.opening_hours.exists()


def test_the_system_shares_a_resource_without_an_actor(unit):
    resource = resource_create(actor=None, unit_id=unit.pk, kind="venue", name="学术报告厅")

    assert Resource.objects.get(pk=resource.pk).requires_approval is True


def test_a_unit_manager_cannot_share_for_another_unit(manager, other_unit):
    with pytest.raises(AccessDenied):
        resource_create(actor=manager, unit_id=other_unit.pk, kind="lab", name="公共实验室")

    assert not Resource.objects.exists()


def test_a_researcher_cannot_share_resources(researcher, unit):
    with pytest.raises(AccessDenied):
        resource_create(actor=researcher, unit_id=unit.pk, kind="lab", name="公共实验室")

    assert not Resource.objects.exists()


def test_a_taken_name_in_the_same_unit_is_refused(manager, resource):
    with pytest.raises(ValidationFailed) as refused:
        resource_create(actor=manager, unit_id=resource.unit_id, kind="lab", name="冷冻电镜平台")

    assert refused.value.code == "resource_name_taken"
    assert Resource.objects.count() == 1


def test_the_same_name_in_another_unit_is_fine(secretariat, resource, other_unit):
    resource_create(actor=secretariat, unit_id=other_unit.pk, kind="lab", name="冷冻电镜平台")

    assert Resource.objects.filter(name="冷冻电镜平台").count() == 2


@pytest.mark.parametrize(
    ("rules", "field", "error"),
    [
        ({"slot_minutes": 60, "min_duration_minutes": 30}, "min_duration_minutes", "below_slot"),
        (
            {"slot_minutes": 60, "min_duration_minutes": 90},
            "min_duration_minutes",
            "not_a_multiple_of_slot",
        ),
        (
            {"min_duration_minutes": 120, "max_duration_minutes": 60},
            "max_duration_minutes",
            "below_min_duration",
        ),
        (
            {"slot_minutes": 30, "max_duration_minutes": 100},
            "max_duration_minutes",
            "not_a_multiple_of_slot",
        ),
        ({"slot_minutes": 7, "min_duration_minutes": 7}, "slot_minutes", "must_divide_day"),
        ({"slot_minutes": 4}, "slot_minutes", "out_of_range"),
        ({"capacity": 0}, "capacity", "out_of_range"),
        ({"capacity": "10"}, "capacity", "not_an_integer"),
        ({"max_days_ahead": 0}, "max_days_ahead", "out_of_range"),
        ({"buffer_minutes": -15}, "buffer_minutes", "out_of_range"),
        (
            {"min_notice_minutes": 2 * 24 * 60, "max_days_ahead": 2},
            "min_notice_minutes",
            "beyond_booking_horizon",
        ),
        ({"requires_approval": "yes"}, "requires_approval", "not_a_boolean"),
    ],
)
def test_inconsistent_rules_are_refused_with_the_broken_rule(manager, unit, rules, field, error):
    with pytest.raises(ValidationFailed) as refused:
        resource_create(actor=manager, unit_id=unit.pk, kind="equipment", name="质谱平台", **rules)

    assert refused.value.code == "invalid_rules"
    assert refused.value.extra["fields"][field] == [error]
    assert not Resource.objects.exists()


def test_rules_at_their_edges_are_accepted(manager, unit):
    resource = resource_create(
        actor=manager,
        unit_id=unit.pk,
        kind="equipment",
        name="质谱平台",
        slot_minutes=60,
        min_duration_minutes=60,
        max_duration_minutes=60,
        min_notice_minutes=24 * 60 - 1,
        max_days_ahead=1,
        capacity=1,
    )

    assert resource.pk is not None


@pytest.mark.parametrize(
    ("arguments", "field", "error"),
    [
        ({"kind": "spaceship"}, "kind", "invalid_choice"),
        ({"name": " "}, "name", "required"),
        ({"location": "光" * 201}, "location", "max_length"),
    ],
)
def test_bad_resource_fields_are_refused(manager, unit, arguments, field, error):
    values = {"kind": "lab", "name": "公共实验室", **arguments}

    with pytest.raises(ValidationFailed) as refused:
        resource_create(actor=manager, unit_id=unit.pk, **values)

    assert refused.value.extra["fields"] == {field: [error]}
    assert not Resource.objects.exists()


def test_an_allow_list_naming_an_unknown_unit_is_refused(manager, unit):
    with pytest.raises(ValidationFailed) as refused:
        resource_create(
            actor=manager, unit_id=unit.pk, kind="lab", name="公共实验室", allowed_unit_ids=[999]
        )

    assert refused.value.extra["fields"] == {"allowed_unit_ids": ["unknown_unit"]}
    assert not Resource.objects.exists()


# --- resource_update ----------------------------------------------------------------------


def test_a_manager_changes_rules_and_the_allow_list(manager, resource, other_unit):
    resource_update(
        actor=manager,
        resource_id=resource.pk,
        slot_minutes=60,
        min_duration_minutes=60,
        max_duration_minutes=180,
        allowed_unit_ids=[other_unit.pk],
    )

    resource.refresh_from_db()
    assert (resource.slot_minutes, resource.max_duration_minutes) == (60, 180)
    assert list(resource.allowed_units.values_list("pk", flat=True)) == [other_unit.pk]


def test_a_change_is_checked_against_the_rules_it_leaves_in_place(manager, resource):
    # The factory's resource takes 30-minute slots and at least 30 minutes.
    with pytest.raises(ValidationFailed) as refused:
        resource_update(actor=manager, resource_id=resource.pk, slot_minutes=60)

    assert refused.value.code == "invalid_rules"
    assert refused.value.extra["fields"] == {"min_duration_minutes": ["below_slot"]}
    resource.refresh_from_db()
    assert resource.slot_minutes == 30


def test_a_manager_of_another_unit_cannot_change_a_resource(resource, other_unit):
    stranger = MemberFactory(unit=other_unit, role=MemberRole.UNIT_MANAGER)

    with pytest.raises(AccessDenied):
        resource_update(actor=stranger, resource_id=resource.pk, capacity=99)

    resource.refresh_from_db()
    assert resource.capacity == 10


def test_the_owning_unit_cannot_be_changed(secretariat, resource, other_unit):
    with pytest.raises(ValidationFailed) as refused:
        resource_update(actor=secretariat, resource_id=resource.pk, unit_id=other_unit.pk)

    assert refused.value.extra["fields"] == {"unit_id": ["unknown_field"]}
    resource.refresh_from_db()
    assert resource.unit_id != other_unit.pk


def test_renaming_onto_a_sibling_is_refused(manager, resource, unit):
    ResourceFactory(unit=unit, name="质谱平台")

    with pytest.raises(ValidationFailed) as refused:
        resource_update(actor=manager, resource_id=resource.pk, name="质谱平台")

    assert refused.value.code == "resource_name_taken"
    resource.refresh_from_db()
    assert resource.name == "冷冻电镜平台"


def test_updating_an_unknown_resource_is_not_found(secretariat):
    with pytest.raises(NotFound):
        resource_update(actor=secretariat, resource_id=987654, capacity=2)


# --- resource_retire ----------------------------------------------------------------------


def test_a_manager_retires_a_resource(manager, resource):
    resource_retire(actor=manager, resource_id=resource.pk)

    resource.refresh_from_db()
    assert resource.is_retired is True


def test_a_researcher_cannot_retire_a_resource(researcher, resource):
    with pytest.raises(AccessDenied):
        resource_retire(actor=researcher, resource_id=resource.pk)

    resource.refresh_from_db()
    assert resource.is_retired is False


# --- opening_hours_set --------------------------------------------------------------------


def test_opening_hours_are_replaced_as_a_whole(manager, resource):
    windows = [
        (0, T(9), T(12)),
        (0, T(14), T(18)),
        (5, T(0), T(0)),  # Saturday, around the clock
        (6, T(20), T(0)),  # Sunday evening until midnight
    ]

    opening_hours_set(actor=manager, resource_id=resource.pk, windows=windows)

    assert rows(resource) == windows


def test_touching_windows_are_accepted(manager, resource):
    windows = [(2, T(8), T(12)), (2, T(12), T(18))]

    opening_hours_set(actor=manager, resource_id=resource.pk, windows=windows)

    assert rows(resource) == windows


def test_an_empty_list_closes_the_resource_every_week(manager, resource):
    opening_hours_set(actor=manager, resource_id=resource.pk, windows=[])

    assert rows(resource) == []


def test_setting_the_same_windows_again_writes_nothing(manager, resource):
    before = list(OpeningHours.objects.filter(resource=resource).values_list("pk", flat=True))

    opening_hours_set(
        actor=manager, resource_id=resource.pk, windows=[(d, T(8), T(20)) for d in range(5)]
    )

    after = list(OpeningHours.objects.filter(resource=resource).values_list("pk", flat=True))
    assert after == before


@pytest.mark.parametrize(
    "windows",
    [
        [(0, T(9), T(12)), (0, T(11, 30), T(13))],
        [(3, T(9), T(12)), (3, T(9), T(10))],
        [(4, T(20), T(0)), (4, T(23), T(23, 30))],
    ],
)
def test_overlapping_windows_on_one_day_are_refused(manager, resource, windows):
    before = rows(resource)

    with pytest.raises(ValidationFailed) as refused:
        opening_hours_set(actor=manager, resource_id=resource.pk, windows=windows)

    assert refused.value.code == "overlapping_opening_hours"
    assert rows(resource) == before


@pytest.mark.parametrize(
    "window",
    [
        (0, T(12), T(9)),
        (0, T(9), T(9)),
        (7, T(9), T(12)),
        (-1, T(9), T(12)),
        (0, T(9, 0, 30), T(12)),
        (0, "09:00", "12:00"),
        (0, T(9)),
    ],
)
def test_malformed_windows_are_refused(manager, resource, window):
    before = rows(resource)

    with pytest.raises(ValidationFailed) as refused:
        opening_hours_set(actor=manager, resource_id=resource.pk, windows=[window])

    assert refused.value.code == "invalid_opening_hours"
    assert rows(resource) == before


def test_a_researcher_cannot_set_opening_hours(researcher, resource):
    before = rows(resource)

    with pytest.raises(AccessDenied):
        opening_hours_set(actor=researcher, resource_id=resource.pk, windows=[])

    assert rows(resource) == before


# --- closures -----------------------------------------------------------------------------


def test_a_manager_closes_their_resource_for_maintenance(manager, resource):
    closure = closure_create(
        actor=manager,
        resource_id=resource.pk,
        start=local(2026, 12, 14, 8),
        end=local(2026, 12, 16, 18),
        reason="年度维护保养",
    )

    closure.refresh_from_db()
    assert (closure.resource_id, closure.reason) == (resource.pk, "年度维护保养")
    assert closure.start == local(2026, 12, 14, 8)


def test_the_secretariat_closes_the_whole_alliance_for_a_holiday(secretariat):
    closure = closure_create(
        actor=secretariat,
        resource_id=None,
        start=local(2027, 1, 1),
        end=local(2027, 1, 4),
        reason="元旦",
    )

    assert Closure.objects.get(pk=closure.pk).resource is None


def test_a_unit_manager_cannot_close_the_whole_alliance(manager):
    with pytest.raises(AccessDenied):
        closure_create(
            actor=manager,
            resource_id=None,
            start=local(2027, 1, 1),
            end=local(2027, 1, 4),
            reason="元旦",
        )

    assert not Closure.objects.exists()


def test_a_manager_of_another_unit_cannot_close_a_resource(resource, other_unit):
    stranger = MemberFactory(unit=other_unit, role=MemberRole.UNIT_MANAGER)

    with pytest.raises(AccessDenied):
        closure_create(
            actor=stranger,
            resource_id=resource.pk,
            start=local(2026, 12, 1, 8),
            end=local(2026, 12, 1, 12),
            reason="停电",
        )

    assert not Closure.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (local(2026, 12, 1, 12), local(2026, 12, 1, 12), "invalid_interval"),
        (local(2026, 12, 1, 12), local(2026, 12, 1, 8), "invalid_interval"),
        (dt.datetime(2026, 12, 1, 8), dt.datetime(2026, 12, 1, 12), "naive_datetime"),
    ],
)
def test_a_closure_needs_an_aware_non_empty_interval(manager, resource, start, end, code):
    with pytest.raises(ValidationFailed) as refused:
        closure_create(actor=manager, resource_id=resource.pk, start=start, end=end, reason="停电")

    assert refused.value.code == code
    assert not Closure.objects.exists()


def test_a_closure_needs_a_reason(manager, resource):
    with pytest.raises(ValidationFailed) as refused:
        closure_create(
            actor=manager,
            resource_id=resource.pk,
            start=local(2026, 12, 1, 8),
            end=local(2026, 12, 1, 12),
            reason="  ",
        )

    assert refused.value.extra["fields"] == {"reason": ["required"]}
    assert not Closure.objects.exists()


def test_a_manager_lifts_a_closure_of_their_resource(manager, resource):
    closure = ClosureFactory(
        resource=resource, start=local(2026, 12, 1, 8), end=local(2026, 12, 1, 12)
    )

    closure_delete(actor=manager, closure_id=closure.pk)

    assert not Closure.objects.exists()


def test_a_unit_manager_cannot_lift_a_holiday(manager):
    holiday = ClosureFactory(
        resource=None, start=local(2027, 1, 1), end=local(2027, 1, 4), reason="元旦"
    )

    with pytest.raises(AccessDenied):
        closure_delete(actor=manager, closure_id=holiday.pk)

    assert Closure.objects.filter(pk=holiday.pk).exists()


def test_lifting_an_unknown_closure_is_not_found(secretariat):
    with pytest.raises(NotFound):
        closure_delete(actor=secretariat, closure_id=987654)


# --- make-up working days -----------------------------------------------------------------


def test_the_secretariat_declares_and_changes_a_make_up_day(secretariat):
    makeup_day_set(actor=secretariat, date=dt.date(2027, 1, 31), note="春节调休")
    makeup_day_set(actor=secretariat, date=dt.date(2027, 1, 31), opens_as=4, note="春节调休")

    day = MakeUpWorkingDay.objects.get()
    assert (day.date, day.opens_as, day.note) == (dt.date(2027, 1, 31), 4, "春节调休")


def test_a_unit_manager_cannot_declare_make_up_days(manager):
    with pytest.raises(AccessDenied):
        makeup_day_set(actor=manager, date=dt.date(2027, 1, 31))

    assert not MakeUpWorkingDay.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"date": dt.date(2027, 1, 31), "opens_as": 7}, "opens_as"),
        ({"date": local(2027, 1, 31)}, "date"),
        ({"date": "2027-01-31"}, "date"),
    ],
)
def test_bad_make_up_days_are_refused(secretariat, arguments, field):
    with pytest.raises(ValidationFailed) as refused:
        makeup_day_set(actor=secretariat, **arguments)

    assert list(refused.value.extra["fields"]) == [field]
    assert not MakeUpWorkingDay.objects.exists()


def test_the_secretariat_removes_a_make_up_day(secretariat):
    MakeUpWorkingDayFactory(date=dt.date(2027, 1, 31))

    makeup_day_delete(actor=secretariat, date=dt.date(2027, 1, 31))

    assert not MakeUpWorkingDay.objects.exists()


def test_a_researcher_cannot_remove_a_make_up_day(researcher):
    MakeUpWorkingDayFactory(date=dt.date(2027, 1, 31))

    with pytest.raises(AccessDenied):
        makeup_day_delete(actor=researcher, date=dt.date(2027, 1, 31))

    assert MakeUpWorkingDay.objects.exists()


def test_removing_an_unknown_make_up_day_is_not_found(secretariat):
    with pytest.raises(NotFound):
        makeup_day_delete(actor=secretariat, date=dt.date(2027, 1, 31))
