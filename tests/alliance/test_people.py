"""The staff's people: the list of a unit's members, deactivating, reactivating and changing
roles (alliance.people), and who may do each (alliance.access, "People" block)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.member_import import members_import
from alliance.models import MemberRole
from alliance.people import (
    invite_qr_payload,
    member_deactivate,
    member_reactivate,
    member_role_change,
    people_units,
    unit_people,
    unit_person,
)
from alliance.tokens import invite_code_issue, member_invite, member_invite_renew
from tests.factories import MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Unit A with a researcher and a manager; unit B with a manager; the secretariat; an
    inactive manager of A; and a manager of a deactivated unit C."""

    class World:
        pass

    w = World()
    w.unit = UnitFactory(name="A")
    w.other_unit = UnitFactory(name="B")
    w.researcher = MemberFactory(unit=w.unit, name="研究员")
    w.manager = MemberFactory(unit=w.unit, role=MemberRole.UNIT_MANAGER, name="管理员")
    w.other_manager = MemberFactory(unit=w.other_unit, role=MemberRole.UNIT_MANAGER)
    w.secretariat = MemberFactory(role=MemberRole.SECRETARIAT, unit=UnitFactory(name="秘书处"))
    w.inactive = MemberFactory(unit=w.unit, role=MemberRole.UNIT_MANAGER, is_active=False)
    inactive_unit = UnitFactory(name="C", is_active=False)
    w.inactive_unit_manager = MemberFactory(unit=inactive_unit, role=MemberRole.UNIT_MANAGER)
    w.target = MemberFactory(unit=w.unit, name="目标")
    return w


ACTORS = [
    "researcher",
    "manager",
    "other_manager",
    "secretariat",
    "inactive",
    "inactive_unit_manager",
]


def _sheet():
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "手机号"])
    workbook.active.append(["张三", "13800138000"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


ACTIONS = {
    "list": lambda w, actor: unit_people(actor=actor, unit_id=w.unit.pk),
    "invite_researcher": lambda w, actor: member_invite(
        actor=actor, unit_id=w.unit.pk, name="新人", role=MemberRole.RESEARCHER
    ),
    "invite_manager": lambda w, actor: member_invite(
        actor=actor, unit_id=w.unit.pk, name="新人", role=MemberRole.UNIT_MANAGER
    ),
    "renew_invite": lambda w, actor: member_invite_renew(actor=actor, member_id=w.target.pk),
    "import": lambda w, actor: members_import(actor=actor, unit_id=w.unit.pk, file=_sheet()),
    "import_alliance": lambda w, actor: members_import(actor=actor, file=_sheet()),
    "deactivate_researcher": lambda w, actor: member_deactivate(actor=actor, member_id=w.target.pk),
    "deactivate_manager": lambda w, actor: member_deactivate(actor=actor, member_id=w.manager.pk),
    "change_role": lambda w, actor: member_role_change(
        actor=actor, member_id=w.target.pk, role=MemberRole.UNIT_MANAGER
    ),
}

#: Who may do what on unit A's people. Everything else is refused.
ALLOWED = {
    "manager": {"list", "invite_researcher", "renew_invite", "import", "deactivate_researcher"},
    "secretariat": set(ACTIONS),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("actor_name", ACTORS)
def test_access_matrix(world, actor_name, action):
    actor = getattr(world, actor_name)
    if action in ALLOWED.get(actor_name, set()):
        ACTIONS[action](world, actor)
        return
    before = _state(world)
    with pytest.raises(AccessDenied) as refused:
        ACTIONS[action](world, actor)
    expected = "actor_unit_inactive" if actor_name == "inactive_unit_manager" else None
    if expected:
        assert refused.value.code == expected
    assert _state(world) == before


def _state(world):
    from alliance.models import InviteCode, Member

    return (
        list(Member.objects.order_by("pk").values_list("pk", "role", "is_active")),
        InviteCode.objects.count(),
    )


class TestActiveFlag:
    def test_deactivating_takes_the_sign_in_away_and_reactivating_gives_it_back(self, world):
        member = member_deactivate(actor=world.manager, member_id=world.target.pk)
        member.refresh_from_db()
        assert (member.is_active, member.user.is_active) == (False, False)
        assert member_deactivate(actor=world.manager, member_id=world.target.pk).is_active is False
        member = member_reactivate(actor=world.manager, member_id=world.target.pk)
        member.refresh_from_db()
        assert (member.is_active, member.user.is_active) == (True, True)

    @pytest.mark.parametrize("actor_name", ["manager", "secretariat"])
    def test_nobody_deactivates_themselves(self, world, actor_name):
        actor = getattr(world, actor_name)
        with pytest.raises(AccessDenied):
            member_deactivate(actor=actor, member_id=actor.pk)
        actor.refresh_from_db()
        assert actor.is_active

    def test_the_last_secretariat_member_is_never_deactivated(self, world):
        second = MemberFactory(role=MemberRole.SECRETARIAT, unit=world.secretariat.unit)
        member_deactivate(actor=second, member_id=world.secretariat.pk)
        with pytest.raises(AccessDenied):  # not themselves...
            member_deactivate(actor=second, member_id=second.pk)
        # ...and were another secretariat member to try, the last one stays.
        world.secretariat.refresh_from_db()
        assert not world.secretariat.is_active

    def test_unknown_member(self, world):
        with pytest.raises(NotFound):
            member_deactivate(actor=world.secretariat, member_id=10**9)


class TestRoles:
    def test_the_secretariat_promotes_and_staff_access_follows(self, world):
        member = member_role_change(
            actor=world.secretariat, member_id=world.target.pk, role=MemberRole.UNIT_MANAGER
        )
        member.refresh_from_db()
        assert member.role == MemberRole.UNIT_MANAGER
        assert member.user.is_staff
        member_role_change(
            actor=world.secretariat, member_id=world.target.pk, role=MemberRole.RESEARCHER
        )
        member.refresh_from_db()
        assert not member.user.is_staff

    def test_the_secretariat_does_not_change_their_own_role(self, world):
        MemberFactory(role=MemberRole.SECRETARIAT, unit=world.secretariat.unit)
        with pytest.raises(AccessDenied):
            member_role_change(
                actor=world.secretariat,
                member_id=world.secretariat.pk,
                role=MemberRole.RESEARCHER,
            )
        world.secretariat.refresh_from_db()
        assert world.secretariat.role == MemberRole.SECRETARIAT

    def test_demoting_the_last_other_secretariat_member_is_refused(self, world):
        # Two secretariat members; one is deactivated, so the other is the last: nobody
        # (not even they, who may not change themselves) can demote them.
        other = MemberFactory(role=MemberRole.SECRETARIAT, unit=world.secretariat.unit)
        member_role_change(actor=world.secretariat, member_id=other.pk, role=MemberRole.RESEARCHER)
        other.refresh_from_db()
        assert other.role == MemberRole.RESEARCHER
        with pytest.raises(AccessDenied):
            member_role_change(
                actor=world.secretariat,
                member_id=world.secretariat.pk,
                role=MemberRole.RESEARCHER,
            )

    def test_the_last_secretariat_guard_holds_when_asked_directly(self, world):
        from alliance.services import member_update

        with pytest.raises(Conflict) as refused:
            member_update(
                actor=world.secretariat, member_id=world.secretariat.pk, role="researcher"
            )
        assert refused.value.code == "last_secretariat"

    def test_an_unknown_role_is_refused(self, world):
        with pytest.raises(ValidationFailed):
            member_role_change(actor=world.secretariat, member_id=world.target.pk, role="boss")
        world.target.refresh_from_db()
        assert world.target.role == MemberRole.RESEARCHER


class TestList:
    def test_the_list_shows_role_active_bound_and_pending_invite(self, world):
        world.target.wechat_openid = "o-target"
        world.target.save()
        invite_code_issue(member=world.researcher, created_by=world.manager)
        people = unit_people(actor=world.manager, unit_id=world.unit.pk)
        rows = {m.name: m for m in people.members}
        assert set(rows) == {"研究员", "管理员", "目标", world.inactive.name}
        assert rows["目标"].wechat_openid == "o-target"
        assert rows["研究员"].invite_pending is True
        assert rows["管理员"].invite_pending is False
        assert people.members[-1] == world.inactive  # inactive last

    def test_the_list_reads_in_two_queries_whatever_the_size(
        self, world, django_assert_num_queries
    ):
        with django_assert_num_queries(2):
            unit_people(actor=world.secretariat, unit_id=world.unit.pk)
        for _ in range(20):
            MemberFactory(unit=world.unit)
        with django_assert_num_queries(2):
            people = unit_people(actor=world.secretariat, unit_id=world.unit.pk)
            [member.unit.name for member in people.members]

    def test_one_row_for_a_row_action(self, world, django_assert_num_queries):
        with django_assert_num_queries(1):
            row = unit_person(actor=world.manager, member_id=world.target.pk)
            assert (row.unit.name, row.invite_pending) == ("A", False)
        with pytest.raises(AccessDenied):
            unit_person(actor=world.other_manager, member_id=world.target.pk)
        with pytest.raises(NotFound):
            unit_person(actor=world.secretariat, member_id=10**9)

    def test_the_units_offered(self, world):
        assert list(people_units(actor=world.manager)) == [world.unit]
        assert world.other_unit in people_units(actor=world.secretariat)
        assert list(people_units(actor=world.researcher)) == []
        assert list(people_units(actor=world.inactive_unit_manager)) == []


def test_the_invite_qr_code_carries_the_code_after_a_fixed_prefix():
    assert invite_qr_payload("ABCDE-FGHJK") == "alliance-share:invite:ABCDE-FGHJK"
