"""Specification of the writes to resources and the working calendar (resources.services)."""

import datetime as dt

import pytest

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, NotFound, ValidationFailed
from alliance.models import MemberRole
from resources.models import Resource, ResourceKind
from resources.services import (
    resource_create,
    resource_retire,
    resource_update,
)
from tests.factories import (
    MemberFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db

T = dt.time


# --- resource_create ----------------------------------------------------------------------


def test_a_unit_manager_shares_a_resource_of_their_unit(manager, unit, other_unit):
    resource = resource_create(
        actor=manager,
        unit_id=unit.pk,
        kind=ResourceKind.EQUIPMENT,
        name=" 单细胞技术平台 ",
        address="光明区新湖街道 深圳湾实验室 B栋",
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


def test_the_system_shares_a_resource(unit):
    resource = resource_create(actor=SYSTEM, unit_id=unit.pk, kind="venue", name="学术报告厅")

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
        ({"address": "光" * 201}, "address", "max_length"),
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
