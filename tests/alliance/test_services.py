"""Specification of the writes to member units and members (alliance.services)."""

import pytest
from django.contrib.auth import get_user_model

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import Member, MemberRole, Unit, UnitKind
from alliance.services import (
    member_create,
    member_update,
    password_hash_make,
    unit_create,
    unit_update,
)
from tests.factories import MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG_PASSWORD = "guangming-science-city-2026"


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室", short_name="湾实验室", kind=UnitKind.LAB)


@pytest.fixture
def secretariat(unit):
    return MemberFactory(unit=unit, role=MemberRole.SECRETARIAT)


@pytest.fixture
def manager(unit):
    return MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def researcher(unit):
    return MemberFactory(unit=unit, role=MemberRole.RESEARCHER)


# --- unit_create --------------------------------------------------------------------------


def test_secretariat_admits_a_unit(secretariat):
    unit = unit_create(
        actor=secretariat,
        name="  中山大学·深圳 ",
        kind=UnitKind.UNIVERSITY,
        short_name="中大深圳",
        contact_email="office@example.org",
    )

    unit.refresh_from_db()
    assert (unit.name, unit.short_name, unit.kind) == ("中山大学·深圳", "中大深圳", "university")
    assert unit.contact_email == "office@example.org"


def test_the_system_admits_a_unit():
    unit = unit_create(actor=SYSTEM, name="光明区总工会", kind=UnitKind.SOCIAL_ORGANISATION)

    assert Unit.objects.get(pk=unit.pk).name == "光明区总工会"


@pytest.mark.parametrize("role", [MemberRole.UNIT_MANAGER, MemberRole.RESEARCHER])
def test_only_the_secretariat_admits_units(unit, role):
    actor = MemberFactory(unit=unit, role=role)

    with pytest.raises(AccessDenied) as refused:
        unit_create(actor=actor, name="新单位", kind=UnitKind.ENTERPRISE)

    assert refused.value.code == "permission_denied"
    assert not Unit.objects.filter(name="新单位").exists()


def test_an_inactive_secretariat_member_cannot_admit_units(unit):
    actor = MemberFactory(unit=unit, role=MemberRole.SECRETARIAT, is_active=False)

    with pytest.raises(AccessDenied):
        unit_create(actor=actor, name="新单位", kind=UnitKind.ENTERPRISE)

    assert not Unit.objects.filter(name="新单位").exists()


def test_a_taken_unit_name_is_refused(secretariat, unit):
    with pytest.raises(ValidationFailed) as refused:
        unit_create(actor=secretariat, name="深圳湾实验室", kind=UnitKind.LAB)

    assert refused.value.code == "unit_name_taken"
    assert Unit.objects.filter(name="深圳湾实验室").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": "   "}, "name", "required"),
        ({"name": "名" * 101}, "name", "max_length"),
        ({"kind": "bank"}, "kind", "invalid_choice"),
        ({"contact_email": "not-an-address"}, "contact_email", "invalid"),
    ],
)
def test_bad_unit_input_is_refused_field_by_field(secretariat, changes, field, error):
    arguments = {"name": "新单位", "kind": UnitKind.ENTERPRISE, **changes}
    before = Unit.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        unit_create(actor=secretariat, **arguments)

    assert refused.value.code == "invalid"
    assert refused.value.extra["fields"] == {field: [error]}
    assert Unit.objects.count() == before


# --- unit_update --------------------------------------------------------------------------


def test_secretariat_updates_a_unit(secretariat):
    unit = UnitFactory(name="光明科学城开发建设署")

    unit_update(actor=secretariat, unit_id=unit.pk, contact_name="李老师", is_active=False)

    unit.refresh_from_db()
    assert unit.contact_name == "李老师"
    assert unit.is_active is False


def test_a_unit_manager_cannot_update_even_their_own_unit(manager, unit):
    with pytest.raises(AccessDenied):
        unit_update(actor=manager, unit_id=unit.pk, short_name="改名")

    unit.refresh_from_db()
    assert unit.short_name == "湾实验室"


def test_renaming_a_unit_to_a_taken_name_is_refused(secretariat, unit):
    other = UnitFactory(name="光明科学城开发建设署")

    with pytest.raises(ValidationFailed) as refused:
        unit_update(actor=secretariat, unit_id=other.pk, name="深圳湾实验室")

    assert refused.value.code == "unit_name_taken"
    other.refresh_from_db()
    assert other.name == "光明科学城开发建设署"


def test_unknown_unit_fields_are_refused(secretariat, unit):
    with pytest.raises(ValidationFailed) as refused:
        unit_update(actor=secretariat, unit_id=unit.pk, created_at=None, short_name="新")

    assert refused.value.extra["fields"] == {"created_at": ["unknown_field"]}
    unit.refresh_from_db()
    assert unit.short_name == "湾实验室"


def test_updating_an_unknown_unit_is_not_found(secretariat):
    with pytest.raises(NotFound):
        unit_update(actor=secretariat, unit_id=987654, short_name="无")


# --- member_create ------------------------------------------------------------------------


def test_secretariat_creates_a_manager_with_a_back_office_account(secretariat, unit):
    member = member_create(
        actor=secretariat,
        unit_id=unit.pk,
        name="王工",
        role=MemberRole.UNIT_MANAGER,
        username="wanggong",
        password=STRONG_PASSWORD,
    )

    member.refresh_from_db()
    assert (member.name, member.role, member.unit_id) == ("王工", "unit_manager", unit.pk)
    assert member.user.username == "wanggong"
    assert member.user.is_staff is True
    assert member.user.check_password(STRONG_PASSWORD)


def test_a_unit_manager_creates_a_researcher_of_their_unit(manager, unit):
    member = member_create(actor=manager, unit_id=unit.pk, name="陈博士", role="researcher")

    member.refresh_from_db()
    assert member.unit_id == unit.pk
    assert member.user.is_staff is False


def test_a_member_without_password_cannot_sign_in_with_one(manager, unit):
    member = member_create(actor=manager, unit_id=unit.pk, name="陈博士", role="researcher")

    assert member.user.has_usable_password() is False
    assert member.user.username  # generated, unique


def test_a_unit_manager_cannot_create_researchers_of_another_unit(manager):
    other = UnitFactory(name="中山大学·深圳")

    with pytest.raises(AccessDenied):
        member_create(actor=manager, unit_id=other.pk, name="外单位", role="researcher")

    assert not Member.objects.filter(name="外单位").exists()
    assert not User.objects.filter(member__isnull=True).exists()


@pytest.mark.parametrize("role", [MemberRole.UNIT_MANAGER, MemberRole.SECRETARIAT])
def test_a_unit_manager_cannot_create_back_office_members(manager, unit, role):
    with pytest.raises(AccessDenied):
        member_create(actor=manager, unit_id=unit.pk, name="提权", role=role)

    assert not Member.objects.filter(name="提权").exists()


def test_a_researcher_cannot_create_members(researcher, unit):
    with pytest.raises(AccessDenied):
        member_create(actor=researcher, unit_id=unit.pk, name="新人", role="researcher")

    assert not Member.objects.filter(name="新人").exists()


def test_a_taken_username_is_refused_and_no_user_is_written(secretariat, unit):
    MemberFactory(unit=unit, user__username="mishuchu")
    users_before = User.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        member_create(
            actor=secretariat, unit_id=unit.pk, name="重名", role="researcher", username="MiShuChu"
        )

    assert refused.value.code == "username_taken"
    assert User.objects.count() == users_before
    assert not Member.objects.filter(name="重名").exists()


def test_a_weak_password_is_refused_without_echoing_it(secretariat, unit):
    with pytest.raises(ValidationFailed) as refused:
        member_create(
            actor=secretariat,
            unit_id=unit.pk,
            name="弱口令",
            role="researcher",
            username="weak",
            password="12345",
        )

    assert refused.value.code == "weak_password"
    assert "password_too_short" in refused.value.extra["fields"]["password"]
    assert "12345" not in str(refused.value.extra)
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"role": "chairman"}, "role", "invalid_choice"),
        ({"name": ""}, "name", "required"),
        ({"username": "有 空格"}, "username", "invalid"),
    ],
)
def test_bad_member_input_is_refused(secretariat, unit, changes, field, error):
    arguments = {"name": "新人", "role": "researcher", **changes}
    users_before = User.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        member_create(actor=secretariat, unit_id=unit.pk, **arguments)

    assert refused.value.extra["fields"] == {field: [error]}
    assert User.objects.count() == users_before


def test_the_system_gives_many_accounts_one_precomputed_hash(unit):
    password_hash = password_hash_make(password=STRONG_PASSWORD)

    first = member_create(
        actor=SYSTEM, unit_id=unit.pk, name="演示一", role="researcher", password_hash=password_hash
    )
    second = member_create(
        actor=SYSTEM, unit_id=unit.pk, name="演示二", role="researcher", password_hash=password_hash
    )

    assert first.user.check_password(STRONG_PASSWORD)
    assert second.user.check_password(STRONG_PASSWORD)


def test_a_weak_password_is_refused_before_hashing():
    with pytest.raises(ValidationFailed) as refused:
        password_hash_make(password="abc")

    assert refused.value.code == "weak_password"


def test_only_the_system_may_pass_a_precomputed_hash(secretariat, unit):
    password_hash = password_hash_make(password=STRONG_PASSWORD)

    with pytest.raises(ValueError, match="system only"):
        member_create(
            actor=secretariat,
            unit_id=unit.pk,
            name="走捷径",
            role="researcher",
            password_hash=password_hash,
        )

    assert not Member.objects.filter(name="走捷径").exists()


def test_members_cannot_join_an_inactive_unit(secretariat):
    closed = UnitFactory(name="已退出单位", is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        member_create(actor=secretariat, unit_id=closed.pk, name="新人", role="researcher")

    assert refused.value.code == "unit_inactive"
    assert not Member.objects.filter(unit=closed).exists()


def test_members_of_an_unknown_unit_are_not_found(secretariat):
    with pytest.raises(NotFound):
        member_create(actor=secretariat, unit_id=987654, name="新人", role="researcher")


# --- member_update ------------------------------------------------------------------------


def test_promoting_a_researcher_gives_back_office_access(secretariat, researcher):
    member_update(actor=secretariat, member_id=researcher.pk, role=MemberRole.UNIT_MANAGER)

    researcher.refresh_from_db()
    researcher.user.refresh_from_db()
    assert researcher.role == "unit_manager"
    assert researcher.user.is_staff is True


def test_deactivating_a_member_disables_their_account(manager, researcher):
    member_update(actor=manager, member_id=researcher.pk, is_active=False)

    researcher.refresh_from_db()
    researcher.user.refresh_from_db()
    assert researcher.is_active is False
    assert researcher.user.is_active is False


def test_a_member_changes_their_own_phone(researcher):
    member_update(actor=researcher, member_id=researcher.pk, phone="13800000000")

    researcher.refresh_from_db()
    assert researcher.phone == "13800000000"


def test_a_member_cannot_promote_themselves(researcher):
    with pytest.raises(AccessDenied):
        member_update(actor=researcher, member_id=researcher.pk, role=MemberRole.SECRETARIAT)

    researcher.refresh_from_db()
    assert researcher.role == "researcher"


def test_a_unit_manager_cannot_promote_a_researcher(manager, researcher):
    with pytest.raises(AccessDenied):
        member_update(actor=manager, member_id=researcher.pk, role=MemberRole.UNIT_MANAGER)

    researcher.refresh_from_db()
    assert researcher.role == "researcher"


def test_a_unit_manager_cannot_edit_members_of_another_unit(manager):
    stranger = MemberFactory(unit=UnitFactory(name="中山大学·深圳"))

    with pytest.raises(AccessDenied):
        member_update(actor=manager, member_id=stranger.pk, name="改名")

    stranger.refresh_from_db()
    assert stranger.name != "改名"


def test_the_last_secretariat_member_cannot_step_down(secretariat):
    with pytest.raises(Conflict) as refused:
        member_update(actor=secretariat, member_id=secretariat.pk, role=MemberRole.RESEARCHER)

    assert refused.value.code == "last_secretariat"
    secretariat.refresh_from_db()
    assert secretariat.role == "secretariat"


def test_a_secretariat_member_steps_down_when_another_remains(secretariat, unit):
    MemberFactory(unit=unit, role=MemberRole.SECRETARIAT)

    member_update(actor=secretariat, member_id=secretariat.pk, is_active=False)

    secretariat.refresh_from_db()
    assert secretariat.is_active is False


def test_moving_a_member_to_an_inactive_unit_is_refused(secretariat, researcher):
    closed = UnitFactory(name="已退出单位", is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        member_update(actor=secretariat, member_id=researcher.pk, unit_id=closed.pk)

    assert refused.value.code == "unit_inactive"
    researcher.refresh_from_db()
    assert researcher.unit_id != closed.pk


def test_unknown_member_fields_are_refused(secretariat, researcher):
    with pytest.raises(ValidationFailed) as refused:
        member_update(actor=secretariat, member_id=researcher.pk, wechat_openid="o-123")

    assert refused.value.extra["fields"] == {"wechat_openid": ["unknown_field"]}
    researcher.refresh_from_db()
    assert researcher.wechat_openid is None
