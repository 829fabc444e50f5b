"""Every helper of alliance.access, for every kind of actor, with the answer written out.

The scene: three member units A, B and C. The *booker* is a researcher of A; the *booking*
is theirs, of a resource shared by B. Unit-level questions (manage, invite, create) are
asked about unit A. Each actor is a researcher, unit manager or secretariat member of A, B
or C, or the booker; each of them active, or with their membership (``member-off``), their
unit (``unit-off``) or both (``both-off``) deactivated; or nobody (None), or SYSTEM.

Each table lists the actors a helper says yes to; every other actor gets no. The Q-filter
helpers are checked against their per-object twins over the same actors, on real rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from alliance.access import (
    BackOfficeScope,
    back_office_scope,
    bookings_decidable_by,
    bookings_manageable_by,
    bookings_visible_to,
    closures_visible_to,
    figures_unit_scope,
    member_acts,
    member_can_book_on_behalf,
    member_can_cancel_booking,
    member_can_check_in_booking,
    member_can_close_over_bookings,
    member_can_create_member,
    member_can_decide_booking,
    member_can_issue_invite,
    member_can_manage_resource,
    member_can_read_figures,
    member_can_update_member,
    member_can_view_booking,
    member_is_secretariat,
    member_manages_unit,
    member_refusal,
    member_unit_may_book,
    members_visible_to,
    resources_manageable_by,
    scope_may_change_closure,
    units_visible_to,
)
from alliance.actors import SYSTEM
from alliance.errors import AccessDenied
from alliance.models import Member, MemberRole, Unit
from bookings.models import Booking
from resources.models import Closure, Resource
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

ROLES = {
    "researcher": MemberRole.RESEARCHER,
    "unit_manager": MemberRole.UNIT_MANAGER,
    "secretariat": MemberRole.SECRETARIAT,
}
STATES = {"": (True, True), "member-off": (False, True), "unit-off": (True, False)}
STATES["both-off"] = (False, False)


def _name(base: str, state: str) -> str:
    return f"{base} {state}" if state else base


MEMBER_ACTORS = [
    _name(f"{role}@{unit}", state) for role in ROLES for unit in "ABC" for state in STATES
] + [_name("booker", state) for state in STATES]
ACTORS = [*MEMBER_ACTORS, "nobody", "system"]

SECRETARIAT = {"secretariat@A", "secretariat@B", "secretariat@C"}


@dataclass(frozen=True)
class Actor:
    """How to make one actor of ACTORS: its role, unit and the two active flags."""

    name: str
    role: str | None
    unit: str
    member_active: bool
    unit_active: bool

    @classmethod
    def parse(cls, name: str) -> Actor:
        if name in ("nobody", "system"):
            return cls(name, None, "", True, True)
        who, _, state = name.partition(" ")
        member_active, unit_active = STATES[state]
        if who == "booker":
            return cls(name, "booker", "A", member_active, unit_active)
        role, unit = who.split("@")
        return cls(name, role, unit, member_active, unit_active)


# --- The scene in memory (no database): for the per-object helpers -------------------------


@dataclass
class Scene:
    units: dict[str, Unit]
    booker: Member
    resource_of_a: Resource
    booking: Booking  # the booker's (unit A), of B's resource
    manager_of_a: Member
    actor: object


def scene_build(name: str) -> Scene:
    units = {key: Unit(pk=pk, name=f"单位{key}") for pk, key in enumerate("ABC", start=1)}
    booker = Member(pk=100, unit=units["A"], name="李研究员", role=MemberRole.RESEARCHER)
    manager_of_a = Member(pk=101, unit=units["A"], name="张主任", role=MemberRole.UNIT_MANAGER)
    resource_of_a = Resource(pk=200, unit=units["A"], name="冷冻电镜")
    resource_of_b = Resource(pk=201, unit=units["B"], name="报告厅")
    booking = Booking(pk=300, resource=resource_of_b, member=booker, unit=units["A"])
    spec = Actor.parse(name)
    actor: object
    if spec.role is None:
        actor = SYSTEM if name == "system" else None
    else:
        if spec.role == "booker":
            actor = booker
        else:
            actor = Member(pk=102, unit=units[spec.unit], name="行动者", role=ROLES[spec.role])
        actor.is_active = spec.member_active
        units[spec.unit].is_active = spec.unit_active
    return Scene(units, booker, resource_of_a, booking, manager_of_a, actor)


# Each table: who the helper says yes to. Everyone else: no.
ACTS = {
    "booker",
    "researcher@A",
    "researcher@B",
    "researcher@C",
    "unit_manager@A",
    "unit_manager@B",
    "unit_manager@C",
    *SECRETARIAT,
}
MANAGES_UNIT_A = {"unit_manager@A", *SECRETARIAT}
DECIDES = {"unit_manager@B", *SECRETARIAT}  # the resource's unit
# The booker's unit's managers, and (issue 9) the resource's unit's managers.
CANCELS = {"booker", "booker unit-off", "unit_manager@A", "unit_manager@B", *SECRETARIAT}
CHECKS_IN = {"booker", "booker unit-off", "unit_manager@B", *SECRETARIAT}
VIEWS = {"booker", "booker unit-off", "unit_manager@A", "unit_manager@B", *SECRETARIAT}


QUESTIONS = {
    "member_acts": lambda s: member_acts(s.actor),
    "member_is_secretariat": lambda s: member_is_secretariat(s.actor),
    "member_manages_unit(A)": lambda s: member_manages_unit(s.actor, s.units["A"].pk),
    "member_can_manage_resource(of A)": lambda s: member_can_manage_resource(
        s.actor, s.resource_of_a
    ),
    "member_can_decide_booking": lambda s: member_can_decide_booking(s.actor, s.booking),
    "member_can_cancel_booking": lambda s: member_can_cancel_booking(s.actor, s.booking),
    "member_can_check_in_booking": lambda s: member_can_check_in_booking(s.actor, s.booking),
    "member_can_view_booking": lambda s: member_can_view_booking(s.actor, s.booking),
    "member_can_book_on_behalf(resource of A)": lambda s: member_can_book_on_behalf(
        s.actor, s.resource_of_a
    ),
    "member_can_close_over_bookings(resource of A)": lambda s: member_can_close_over_bookings(
        s.actor, s.resource_of_a
    ),
    "member_can_close_over_bookings(alliance-wide)": lambda s: member_can_close_over_bookings(
        s.actor, None
    ),
    "member_can_issue_invite(researcher of A)": lambda s: member_can_issue_invite(
        s.actor, s.booker
    ),
    "member_can_issue_invite(manager of A)": lambda s: member_can_issue_invite(
        s.actor, s.manager_of_a
    ),
    "member_can_create_member(researcher of A)": lambda s: member_can_create_member(
        s.actor, unit_id=s.units["A"].pk, role=MemberRole.RESEARCHER
    ),
    "member_can_create_member(manager of A)": lambda s: member_can_create_member(
        s.actor, unit_id=s.units["A"].pk, role=MemberRole.UNIT_MANAGER
    ),
    "member_can_update_member(booker's phone)": lambda s: member_can_update_member(
        s.actor, s.booker, {"phone": "13800000000"}
    ),
    "member_can_update_member(booker's active flag)": lambda s: member_can_update_member(
        s.actor, s.booker, {"is_active": False}
    ),
    "member_can_update_member(booker's role)": lambda s: member_can_update_member(
        s.actor, s.booker, {"role": MemberRole.UNIT_MANAGER}
    ),
    "member_can_update_member(booker's unit)": lambda s: member_can_update_member(
        s.actor, s.booker, {"unit_id": s.units["C"].pk}
    ),
    "member_can_read_figures": lambda s: member_can_read_figures(s.actor),
    "figures_unit_scope(A)": lambda s: _figures_scope_allowed(s.actor, s.units["A"].pk),
}


def _figures_scope_allowed(actor: object, unit_id: int) -> bool:
    try:
        figures_unit_scope(actor, unit_id)
    except AccessDenied:
        return False
    return True


#: question: the actors it is answered yes for.
YES = {
    "member_acts": ACTS,
    "member_is_secretariat": SECRETARIAT,
    "member_manages_unit(A)": MANAGES_UNIT_A,
    "member_can_manage_resource(of A)": MANAGES_UNIT_A,
    "member_can_decide_booking": DECIDES,
    "member_can_cancel_booking": CANCELS,
    "member_can_check_in_booking": CHECKS_IN,
    "member_can_view_booking": VIEWS,
    "member_can_book_on_behalf(resource of A)": MANAGES_UNIT_A,
    "member_can_close_over_bookings(resource of A)": MANAGES_UNIT_A,
    "member_can_close_over_bookings(alliance-wide)": SECRETARIAT,
    "member_can_issue_invite(researcher of A)": MANAGES_UNIT_A,
    "member_can_issue_invite(manager of A)": SECRETARIAT,
    "member_can_create_member(researcher of A)": {"system", *MANAGES_UNIT_A},
    "member_can_create_member(manager of A)": {"system", *SECRETARIAT},
    "member_can_update_member(booker's phone)": {
        "booker",
        "booker unit-off",
        "system",
        *MANAGES_UNIT_A,
    },
    "member_can_update_member(booker's active flag)": {"system", *MANAGES_UNIT_A},
    "member_can_update_member(booker's role)": {"system", *SECRETARIAT},
    "member_can_update_member(booker's unit)": {"system", *SECRETARIAT},
    "member_can_read_figures": {"unit_manager@A", "unit_manager@B", "unit_manager@C", *SECRETARIAT},
    "figures_unit_scope(A)": MANAGES_UNIT_A,
}


def test_every_table_names_known_actors_and_every_helper_is_asked():
    assert set(YES) == set(QUESTIONS)
    for allowed in YES.values():
        assert allowed <= set(ACTORS)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_helper_answers_each_actor_as_the_policy_says(actor):
    """One actor (role x unit x activeness), every question; a failure lists the questions
    answered against the table."""
    scene = scene_build(actor)

    answers = {question: ask(scene) for question, ask in QUESTIONS.items()}

    assert answers == {question: actor in allowed for question, allowed in YES.items()}


UNIT_OFF = {
    "booker unit-off",
    "researcher@A unit-off",
    "researcher@B unit-off",
    "researcher@C unit-off",
    "unit_manager@A unit-off",
    "unit_manager@B unit-off",
    "unit_manager@C unit-off",
    "secretariat@A unit-off",
    "secretariat@B unit-off",
    "secretariat@C unit-off",
}


@pytest.mark.parametrize("actor", ACTORS)
def test_a_refusal_says_when_the_actors_unit_is_deactivated(actor):
    scene = scene_build(actor)

    refusal = member_refusal(scene.actor)

    expected = "actor_unit_inactive" if actor in UNIT_OFF else "permission_denied"
    assert refusal.code == expected


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        pytest.param(set(), True, id="no allow-list: every unit"),
        pytest.param({1, 3}, True, id="own unit on the list"),
        pytest.param({2, 3}, False, id="own unit not on the list"),
    ],
)
def test_the_allow_list_decides_which_units_may_book(allowed, expected):
    scene = scene_build("booker")

    assert member_unit_may_book(scene.booker, scene.resource_of_a, allowed) is expected


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


# --- Query filters agree with their per-object twins, for every actor ----------------------


@pytest.fixture
def bookings_world():
    """Units A, B, C with a resource each; bookings by the booker (A) of A's and B's
    resources, by a researcher of B of A's resource, and by a researcher of C of C's."""
    units = {key: UnitFactory(name=f"单位{key}") for key in "ABC"}
    resources = {key: ResourceFactory(unit=units[key], name=f"资源{key}") for key in "ABC"}
    booker = MemberFactory(unit=units["A"], name="李研究员")
    of_b = MemberFactory(unit=units["B"])
    of_c = MemberFactory(unit=units["C"])
    for day, (member, resource) in enumerate(
        [(booker, "A"), (booker, "B"), (of_b, "A"), (of_c, "C")], start=24
    ):
        BookingFactory(
            member=member,
            resource=resources[resource],
            start=local(2026, 11, day, 9),
            end=local(2026, 11, day, 10),
        )
    return units, booker


def _member_actor(name: str, units: dict[str, Unit], booker: Member) -> object:
    spec = Actor.parse(name)
    if spec.role is None:
        return SYSTEM if name == "system" else None
    if spec.role == "booker":
        member = booker
    else:
        member = MemberFactory(unit=units[spec.unit], role=ROLES[spec.role])
    Member.objects.filter(pk=member.pk).update(is_active=spec.member_active)
    Unit.objects.filter(pk=member.unit_id).update(is_active=spec.unit_active)
    return Member.objects.select_related("unit").get(pk=member.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [name for name in ACTORS if name != "system"])
def test_each_booking_filter_agrees_with_its_per_object_twin(bookings_world, actor):
    """bookings_visible_to with member_can_view_booking, bookings_decidable_by with
    member_can_decide_booking: the same bookings, for every actor."""
    units, booker = bookings_world
    member = _member_actor(actor, units, booker)
    bookings = list(Booking.objects.select_related("resource", "member", "unit"))

    for query_filter, per_object in (
        (bookings_visible_to, member_can_view_booking),
        (bookings_decidable_by, member_can_decide_booking),
    ):
        filtered = set(Booking.objects.filter(query_filter(member)).values_list("pk", flat=True))
        assert filtered == {b.pk for b in bookings if per_object(member, b)}, query_filter


@pytest.mark.parametrize(
    ("actor", "asked", "scope"),
    [
        ("secretariat@C", None, None),
        ("secretariat@C", "B", "B"),
        ("unit_manager@B", None, "B"),
        ("unit_manager@B", "B", "B"),
    ],
)
def test_the_figures_scope_of_those_who_may_read_figures(actor, asked, scope):
    """None reads as "every unit"; a unit manager is held to their own."""
    scene = scene_build(actor)
    unit_id = scene.units[asked].pk if asked else None

    answer = figures_unit_scope(scene.actor, unit_id)

    assert answer == (scene.units[scope].pk if scope else None)
