"""The back office's scope (alliance.access.back_office) for every kind of actor and user,
and the admin's filters against the rows each scope manages. The actors are
tests/alliance/access_actors.py's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from alliance.access import (
    BackOfficeScope,
    back_office_scope,
    bookings_manageable_by,
    closures_visible_to,
    members_visible_to,
    resources_manageable_by,
    scope_may_change_closure,
    units_visible_to,
)
from alliance.models import Member, MemberRole, Unit
from bookings.models import Booking
from resources.models import Closure, Resource
from tests.alliance.access_actors import (
    MEMBER_ACTORS,
    ROLES,
    Actor,
)
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
    UserFactory,
)

User = get_user_model()


# --- The back office: scopes -----------------------------------------------------------------


def _user_for(spec: Actor, units: dict[str, Unit]) -> object:
    """A saved user (and member) as alliance.services keeps them: staff for managers and the
    secretariat, the user's active flag following the member's."""
    role = MemberRole.RESEARCHER if spec.role == "booker" else ROLES[spec.role]
    user = UserFactory(is_staff=role != MemberRole.RESEARCHER, is_active=spec.member_active)
    MemberFactory(user=user, unit=units[spec.unit], role=role, is_active=spec.member_active)
    if not spec.unit_active:
        Unit.objects.filter(pk=units[spec.unit].pk).update(is_active=False)
    return User.objects.get(pk=user.pk)  # fresh, as the admin's middleware loads it


#: What each signed-in user reaches: (whole alliance, unit managed). Everyone else: nothing.
SCOPES = {
    "unit_manager@A": (False, "A"),
    "unit_manager@B": (False, "B"),
    "unit_manager@C": (False, "C"),
    "secretariat@A": (True, None),
    "secretariat@B": (True, None),
    "secretariat@C": (True, None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("actor", MEMBER_ACTORS)
def test_the_back_office_scope_of_each_member(actor):
    units = {key: UnitFactory(name=f"单位{key}") for key in "ABC"}
    user = _user_for(Actor.parse(actor), units)

    scope = back_office_scope(user)

    whole, unit = SCOPES.get(actor, (False, None))
    assert (scope.whole_alliance, scope.unit_id) == (whole, units[unit].pk if unit else None)
    assert scope.may_enter is (actor in SCOPES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_kind", "whole_alliance"),
    [
        pytest.param("superuser", True, id="superuser without member"),
        pytest.param("superuser of a deactivated unit", True, id="superuser of inactive unit"),
        pytest.param("inactive superuser", False, id="inactive superuser"),
        pytest.param("staff without member", False, id="staff without member"),
        pytest.param("anonymous", False, id="anonymous"),
    ],
)
def test_the_back_office_scope_of_users_who_are_not_plain_members(user_kind, whole_alliance):
    if user_kind == "anonymous":
        user = AnonymousUser()
    elif user_kind == "superuser of a deactivated unit":
        user = UserFactory(is_staff=True, is_superuser=True)
        MemberFactory(user=user, unit=UnitFactory(is_active=False), role=MemberRole.RESEARCHER)
    else:
        user = UserFactory(
            is_staff=True,
            is_superuser=user_kind != "staff without member",
            is_active=user_kind != "inactive superuser",
        )

    scope = back_office_scope(user)

    assert (scope.whole_alliance, scope.unit_id) == (whole_alliance, None)


@pytest.fixture
def office():
    """Units A and B with a resource, a member, a booking and a closure each, plus an
    alliance-wide closure."""
    rows = {}
    for key in "AB":
        unit = UnitFactory(name=f"单位{key}")
        resource = ResourceFactory(unit=unit, name=f"资源{key}")
        member = MemberFactory(unit=unit)
        rows[key] = {
            "unit": unit,
            "resource": resource,
            "member": member,
            "booking": BookingFactory(
                resource=resource,
                member=member,
                start=local(2026, 11, 24, 9),
                end=local(2026, 11, 24, 10),
            ),
            "closure": ClosureFactory(
                resource=resource, start=local(2026, 12, 1), end=local(2026, 12, 2)
            ),
        }
    rows["holiday"] = ClosureFactory(resource=None, start=local(2027, 1, 1), end=local(2027, 1, 2))
    return rows


def _scopes(office) -> dict[str, BackOfficeScope]:
    return {
        "whole alliance": BackOfficeScope(member=None, whole_alliance=True, unit_id=None),
        "manager of A": BackOfficeScope(
            member=None, whole_alliance=False, unit_id=office["A"]["unit"].pk
        ),
        "nobody": BackOfficeScope(member=None, whole_alliance=False, unit_id=None),
    }


#: scope: the keys (A, B) whose unit, member, resource and booking rows the scope reaches.
REACH = {"whole alliance": {"A", "B"}, "manager of A": {"A"}, "nobody": set()}


@pytest.mark.django_db
@pytest.mark.parametrize("scope_name", list(REACH))
def test_each_back_office_filter_keeps_the_rows_its_scope_manages(office, scope_name):
    scope = _scopes(office)[scope_name]
    reach = REACH[scope_name]

    def pks(rows):
        return {row.pk for row in rows}

    def expected(kind):
        return {office[key][kind].pk for key in reach}

    assert pks(Unit.objects.filter(units_visible_to(scope))) == expected("unit")
    assert pks(Member.objects.filter(members_visible_to(scope))) == expected("member")
    assert pks(Resource.objects.filter(resources_manageable_by(scope))) == expected("resource")
    assert pks(Booking.objects.filter(bookings_manageable_by(scope))) == expected("booking")
    # The per-object twin (scope.manages_unit) agrees with each filter, row by row.
    for row in Resource.objects.all():
        assert (row.pk in expected("resource")) is scope.manages_unit(row.unit_id)
    for row in Booking.objects.select_related("resource"):
        assert (row.pk in expected("booking")) is scope.manages_unit(row.resource.unit_id)
    for row in Member.objects.all():
        assert (row.pk in expected("member")) is scope.manages_unit(row.unit_id)
    for row in Unit.objects.all():
        assert (row.pk in expected("unit")) is scope.manages_unit(row.pk)


#: scope: (closures it sees, closures it may change) among A's, B's and the holiday.
CLOSURES = {
    "whole alliance": ({"A", "B", "holiday"}, {"A", "B", "holiday"}),
    "manager of A": ({"A", "holiday"}, {"A"}),
    "nobody": (set(), set()),
}


@pytest.mark.django_db
@pytest.mark.parametrize("scope_name", list(CLOSURES))
def test_closures_are_seen_and_changed_as_the_scope_says(office, scope_name):
    scope = _scopes(office)[scope_name]
    closures = {
        "A": office["A"]["closure"],
        "B": office["B"]["closure"],
        "holiday": office["holiday"],
    }
    sees, changes = CLOSURES[scope_name]

    seen = set(Closure.objects.filter(closures_visible_to(scope)).values_list("pk", flat=True))

    assert seen == {closures[key].pk for key in sees}
    for key, closure in closures.items():
        unit_id = closure.resource.unit_id if closure.resource else None
        assert scope_may_change_closure(scope, resource_unit_id=unit_id) is (key in changes)
