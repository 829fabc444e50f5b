"""Setting and removing quotas (bookings.quota_services): who may, what is refused with
which fields, nothing written on refusal, and a change that holds from the next booking."""

import datetime as dt

import pytest

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, NotFound, ValidationFailed
from alliance.models import MemberRole
from bookings.models import Quota
from bookings.quota_services import quota_delete, quota_save
from bookings.services import booking_create
from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 23, 7)  # a Monday
WEEKLY_HOURS = {"scope": "member", "measure": "hours", "period": "week", "limit": 4}


@pytest.fixture
def resource():
    return ResourceFactory(kind=ResourceKind.EQUIPMENT)


@pytest.fixture
def manager(resource):
    return MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def secretariat():
    return MemberFactory(unit=UnitFactory(), role=MemberRole.SECRETARIAT)


def rows():
    return list(Quota.objects.values_list("resource_id", "kind", "measure", "period", "limit"))


def test_a_manager_sets_changes_and_removes_a_quota_of_their_resource(resource, manager):
    quota = quota_save(actor=manager, resource_id=resource.pk, kind="", **WEEKLY_HOURS)
    assert rows() == [(resource.pk, "", "hours", "week", 4)]

    quota_save(
        actor=manager,
        quota_id=quota.pk,
        resource_id=resource.pk,
        kind="",
        **{**WEEKLY_HOURS, "limit": 6},
    )
    assert rows() == [(resource.pk, "", "hours", "week", 6)]

    quota_delete(actor=manager, quota_id=quota.pk)
    assert rows() == []


def test_a_new_quota_holds_from_the_next_booking(resource, manager):
    member = MemberFactory()
    start = local(2026, 11, 24, 9)
    quota_save(
        actor=manager,
        resource_id=resource.pk,
        kind="",
        scope="member",
        measure="bookings",
        period="week",
        limit=1,
    )
    booking_create(
        member=member,
        resource_id=resource.pk,
        start=start,
        end=start + dt.timedelta(hours=1),
        purpose="测试",
        now=NOW,
    )
    with pytest.raises(ValidationFailed) as refused:
        booking_create(
            member=member,
            resource_id=resource.pk,
            start=start + dt.timedelta(hours=2),
            end=start + dt.timedelta(hours=3),
            purpose="测试",
            now=NOW,
        )
    assert refused.value.code == "quota_exceeded"


@pytest.mark.parametrize(
    "who",
    ["researcher of the unit", "manager of another unit", "secretariat of an inactive unit"],
)
def test_others_may_not_set_a_resources_quota_and_nothing_is_written(resource, who):
    if who == "researcher of the unit":
        actor = MemberFactory(unit=resource.unit)
    elif who == "manager of another unit":
        actor = MemberFactory(role=MemberRole.UNIT_MANAGER)
    else:
        actor = MemberFactory(unit=UnitFactory(is_active=False), role=MemberRole.SECRETARIAT)
    with pytest.raises(AccessDenied):
        quota_save(actor=actor, resource_id=resource.pk, kind="", **WEEKLY_HOURS)
    assert rows() == []


def test_a_kinds_quota_is_the_secretariats_alone(resource, manager, secretariat):
    with pytest.raises(AccessDenied):
        quota_save(actor=manager, resource_id=None, kind=ResourceKind.EQUIPMENT, **WEEKLY_HOURS)
    assert rows() == []

    quota = quota_save(
        actor=secretariat, resource_id=None, kind=ResourceKind.EQUIPMENT, **WEEKLY_HOURS
    )
    assert rows() == [(None, "equipment", "hours", "week", 4)]
    with pytest.raises(AccessDenied):  # nor may a manager move it onto their resource
        quota_save(
            actor=manager, quota_id=quota.pk, resource_id=resource.pk, kind="", **WEEKLY_HOURS
        )
    with pytest.raises(AccessDenied):
        quota_delete(actor=manager, quota_id=quota.pk)
    assert rows() == [(None, "equipment", "hours", "week", 4)]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"kind": ResourceKind.VENUE}, {"kind": ["one_target"]}),
        ({"resource_id": None}, {"kind": ["one_target"]}),
        ({"measure": "hours_ahead"}, {"period": ["period_fits_measure"]}),
        ({"period": "none"}, {"period": ["period_fits_measure"]}),
        ({"limit": 0}, {"limit": ["min_value"]}),
        ({"limit": "4"}, {"limit": ["invalid"]}),
        ({"limit": True}, {"limit": ["invalid"]}),
        ({"scope": "everyone"}, {"scope": ["invalid_choice"]}),
        ({"measure": "minutes"}, {"measure": ["invalid_choice"]}),
        ({"kind": "spaceship", "resource_id": None}, {"kind": ["invalid_choice"]}),
    ],
)
def test_bad_quotas_are_refused_with_their_fields_and_nothing_written(
    resource, secretariat, changes, fields
):
    values = {"resource_id": resource.pk, "kind": "", **WEEKLY_HOURS, **changes}
    with pytest.raises(ValidationFailed) as refused:
        quota_save(actor=secretariat, **values)
    assert (refused.value.code, refused.value.extra["fields"]) == ("invalid", fields)
    assert rows() == []


def test_unknown_resources_and_quotas_are_not_found(resource, secretariat):
    with pytest.raises(NotFound):
        quota_save(actor=secretariat, resource_id=10**9, kind="", **WEEKLY_HOURS)
    with pytest.raises(NotFound):
        quota_save(
            actor=secretariat, quota_id=10**9, resource_id=resource.pk, kind="", **WEEKLY_HOURS
        )
    with pytest.raises(NotFound):
        quota_delete(actor=secretariat, quota_id=10**9)


def test_a_missing_actor_is_an_error(resource):
    with pytest.raises(TypeError):
        quota_save(actor=None, resource_id=resource.pk, kind="", **WEEKLY_HOURS)


def test_the_system_sets_quotas_for_the_commands(resource):
    """seed_demo and other commands act as alliance.actors.SYSTEM, never as nobody."""
    quota_save(actor=SYSTEM, resource_id=None, kind=ResourceKind.VENUE, **WEEKLY_HOURS)
    assert rows() == [(None, "venue", "hours", "week", 4)]
