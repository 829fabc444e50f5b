"""Specification of the back office's scoping (alliance.access.back_office_scope and the
helpers built on it) and of the unit and member admin (alliance.admin)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.access import (
    back_office_scope,
    closures_visible_to,
    members_visible_to,
    resources_manageable_by,
    scope_may_change_closure,
    units_visible_to,
)
from alliance.models import Member, MemberRole, Unit
from resources.models import Closure, Resource
from tests.conftest import local
from tests.factories import ClosureFactory, MemberFactory, ResourceFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff(role, unit, name, **user):
    return MemberFactory(user=UserFactory(is_staff=True, **user), unit=unit, role=role, name=name)


def signed_in(member_or_user, language="en"):
    client = Client(headers={"accept-language": language})
    client.force_login(getattr(member_or_user, "user", member_or_user))
    return client


@pytest.fixture
def world():
    unit = UnitFactory(name="深圳湾实验室", short_name="湾实验室")
    other_unit = UnitFactory(name="中国科学院深圳理工大学", short_name="深理工")
    office = UnitFactory(name="联合体秘书处", short_name="秘书处")
    w = type("World", (), {})()
    w.unit, w.other_unit, w.office = unit, other_unit, office
    w.manager = staff(MemberRole.UNIT_MANAGER, unit, "张主任")
    w.other_manager = staff(MemberRole.UNIT_MANAGER, other_unit, "陈主任")
    w.secretariat = staff(MemberRole.SECRETARIAT, office, "赵秘书")
    w.researcher = MemberFactory(unit=unit, name="李研究员")
    w.other_researcher = MemberFactory(unit=other_unit, name="王研究员")
    return w


# --- back_office_scope: who reaches what --------------------------------------------------


def test_a_staff_secretariat_member_reaches_the_whole_alliance(world):
    scope = back_office_scope(world.secretariat.user)

    assert (scope.may_enter, scope.whole_alliance, scope.member) == (True, True, world.secretariat)
    assert scope.manages_unit(world.other_unit.pk)


def test_a_staff_superuser_reaches_the_whole_alliance_even_without_a_member_profile():
    scope = back_office_scope(UserFactory(is_staff=True, is_superuser=True))

    assert (scope.whole_alliance, scope.member) == (True, None)


def test_a_staff_unit_manager_reaches_their_own_unit_only(world):
    scope = back_office_scope(world.manager.user)

    assert (scope.whole_alliance, scope.unit_id) == (False, world.unit.pk)
    assert scope.manages_unit(world.unit.pk)
    assert not scope.manages_unit(world.other_unit.pk)
    assert not scope.manages_unit(None)


@pytest.mark.parametrize(
    "case",
    [
        "researcher_with_staff_flag",
        "manager_without_staff_flag",
        "inactive_manager",
        "inactive_user",
    ],
)
def test_everyone_else_reaches_nothing(world, case):
    member = world.manager
    if case == "researcher_with_staff_flag":
        member = world.researcher
        member.user.is_staff = True
    elif case == "manager_without_staff_flag":
        member.user.is_staff = False
    elif case == "inactive_manager":
        member.is_active = False
    else:
        member.user.is_active = False

    scope = back_office_scope(member.user)

    assert not scope.may_enter
    assert not scope.manages_unit(world.unit.pk)


def test_the_query_filters_follow_the_scope(world):
    resource = ResourceFactory(unit=world.unit)
    other_resource = ResourceFactory(unit=world.other_unit)
    own = ClosureFactory(resource=resource, start=local(2026, 12, 1), end=local(2026, 12, 2))
    ClosureFactory(resource=other_resource, start=local(2026, 12, 1), end=local(2026, 12, 2))
    holiday = ClosureFactory(resource=None, start=local(2027, 1, 1), end=local(2027, 1, 2))
    manager = back_office_scope(world.manager.user)
    nobody = back_office_scope(world.researcher.user)

    assert list(Unit.objects.filter(units_visible_to(manager))) == [world.unit]
    assert set(Member.objects.filter(members_visible_to(manager))) == {
        world.manager,
        world.researcher,
    }
    assert list(Resource.objects.filter(resources_manageable_by(manager))) == [resource]
    assert set(Closure.objects.filter(closures_visible_to(manager))) == {own, holiday}
    for model, query in (
        (Unit, units_visible_to),
        (Member, members_visible_to),
        (Resource, resources_manageable_by),
        (Closure, closures_visible_to),
    ):
        assert not model.objects.filter(query(nobody)).exists()
    assert scope_may_change_closure(manager, resource_unit_id=world.unit.pk)
    assert not scope_may_change_closure(manager, resource_unit_id=world.other_unit.pk)
    assert not scope_may_change_closure(manager, resource_unit_id=None)
    assert scope_may_change_closure(
        back_office_scope(world.secretariat.user), resource_unit_id=None
    )


# --- Units --------------------------------------------------------------------------------


def test_a_unit_manager_sees_their_own_unit_read_only(world):
    client = signed_in(world.manager)

    response = client.get(reverse("admin:alliance_unit_changelist"))
    assert list(response.context["cl"].result_list) == [world.unit]

    other = reverse("admin:alliance_unit_change", args=[world.other_unit.pk])
    assert client.get(other)["Location"] == reverse("admin:index")

    own = reverse("admin:alliance_unit_change", args=[world.unit.pk])
    response = client.post(own, {"name": "改名", "kind": "lab"})
    assert response.status_code == 403
    assert Unit.objects.get(pk=world.unit.pk).name == "深圳湾实验室"


def test_the_secretariat_admits_a_unit_through_the_service(world):
    response = signed_in(world.secretariat).post(
        reverse("admin:alliance_unit_add"),
        {
            "name": "深圳市光明区科技创新局",
            "short_name": "光明科创局",
            "kind": "government",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    unit = Unit.objects.get(name="深圳市光明区科技创新局")
    assert (unit.short_name, unit.kind) == ("光明科创局", "government")


def test_the_secretariat_deactivates_and_reactivates_units_with_an_action(world):
    client = signed_in(world.secretariat)
    changelist = reverse("admin:alliance_unit_changelist")
    selected = [world.unit.pk, world.office.pk]  # the office holds the secretariat

    response = client.post(
        changelist, {"action": "deactivate_units", "_selected_action": selected}, follow=True
    )

    assert not Unit.objects.get(pk=world.unit.pk).is_active
    assert Unit.objects.get(pk=world.office.pk).is_active
    shown = [str(message) for message in response.context["messages"]]
    assert "1 units deactivated." in shown
    assert any("secretariat members" in message for message in shown)

    client.post(changelist, {"action": "reactivate_units", "_selected_action": [world.unit.pk]})
    assert Unit.objects.get(pk=world.unit.pk).is_active


def test_a_unit_manager_is_not_offered_the_unit_actions(world):
    client = signed_in(world.manager)
    changelist = reverse("admin:alliance_unit_changelist")

    response = client.get(changelist)
    client.post(changelist, {"action": "deactivate_units", "_selected_action": [world.unit.pk]})

    assert "deactivate_units" not in response.context["cl"].model_admin.get_actions(
        response.wsgi_request
    )
    assert Unit.objects.get(pk=world.unit.pk).is_active


def test_a_deactivated_units_manager_no_longer_enters_the_back_office(world):
    Unit.objects.filter(pk=world.unit.pk).update(is_active=False)

    response = signed_in(world.manager).get(reverse("admin:resources_resource_changelist"))

    assert response.status_code == 403
    user = get_user_model().objects.get(pk=world.manager.user_id)
    assert back_office_scope(user).may_enter is False


# --- Members ------------------------------------------------------------------------------


def test_a_unit_manager_sees_their_units_members_and_cannot_add_any(world):
    client = signed_in(world.manager)

    response = client.get(reverse("admin:alliance_member_changelist"))
    assert set(response.context["cl"].result_list) == {world.manager, world.researcher}
    assert "王研究员" not in response.text

    other = reverse("admin:alliance_member_change", args=[world.other_researcher.pk])
    assert client.get(other)["Location"] == reverse("admin:index")
    response = client.post(
        reverse("admin:alliance_member_add"),
        {"unit": world.unit.pk, "name": "新人", "role": "researcher", "username": "newcomer"},
    )
    assert response.status_code == 403
    assert not Member.objects.filter(name="新人").exists()


def test_the_secretariat_adds_a_unit_manager_who_can_then_enter_the_back_office(world):
    response = signed_in(world.secretariat).post(
        reverse("admin:alliance_member_add"),
        {
            "unit": world.other_unit.pk,
            "name": "钱主任",
            "role": "unit_manager",
            "phone": "0755-1234",
            "username": "qian",
            "password": "a long enough passphrase 42",
        },
    )

    assert response.status_code == 302
    member = Member.objects.select_related("user").get(name="钱主任")
    assert (member.unit, member.role, member.user.username) == (
        world.other_unit,
        "unit_manager",
        "qian",
    )
    assert member.user.is_staff
    assert member.user.check_password("a long enough passphrase 42")


def test_promoting_a_researcher_through_the_admin_lets_them_in(world):
    change = reverse("admin:alliance_member_change", args=[world.researcher.pk])

    response = signed_in(world.secretariat).post(
        change,
        {"unit": world.unit.pk, "name": "李研究员", "role": "unit_manager", "is_active": "on"},
    )

    assert response.status_code == 302
    world.researcher.refresh_from_db()
    assert world.researcher.role == "unit_manager"
    assert get_user_model().objects.get(pk=world.researcher.user_id).is_staff


def test_a_refusal_of_the_service_comes_back_on_the_form_and_writes_nothing(world):
    change = reverse("admin:alliance_member_change", args=[world.secretariat.pk])

    response = signed_in(world.secretariat).post(
        change, {"unit": world.office.pk, "name": "赵秘书", "role": "researcher", "is_active": "on"}
    )

    assert response.status_code == 200
    assert "The alliance needs at least one active secretariat member." in response.text
    world.secretariat.refresh_from_db()
    assert world.secretariat.role == "secretariat"
    assert get_user_model().objects.get(pk=world.secretariat.user_id).is_staff


def test_a_superuser_without_a_member_profile_is_told_to_get_one(world):
    admin_user = UserFactory(is_staff=True, is_superuser=True)

    response = signed_in(admin_user).post(
        reverse("admin:alliance_unit_add"), {"name": "某单位", "kind": "enterprise"}
    )

    assert response.status_code == 200
    assert "Your account has no member profile" in response.text
    assert not Unit.objects.filter(name="某单位").exists()


def test_the_member_list_costs_the_same_queries_for_few_or_many_rows(world):
    client = signed_in(world.secretariat)
    page = reverse("admin:alliance_member_changelist")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    few = count()
    for i in range(15):
        MemberFactory(unit=UnitFactory(), name=f"成员{i}")
    many = count()

    assert many == few
