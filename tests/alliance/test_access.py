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

from alliance.access import (
    bookings_decidable_by,
    bookings_visible_to,
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
    member_can_set_quota,
    member_can_update_member,
    member_can_view_booking,
    member_can_view_resource_operators,
    member_is_secretariat,
    member_manages_unit,
    member_operates_booking,
    member_refusal,
    member_unit_may_book,
)
from alliance.actors import SYSTEM
from alliance.errors import AccessDenied
from alliance.models import Member, MemberRole, Unit
from bookings.models import Booking
from resources.models import Resource
from tests.alliance.access_actors import (
    ACTORS,
    ROLES,
    SECRETARIAT,
    Actor,
)
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

User = get_user_model()

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


def operated_by_pk_102(s: Scene) -> Booking:
    """The booking made assisted (issue 10), with the operator pk 102: every actor but the
    booker, SYSTEM and nobody."""
    booking = Booking(
        pk=301, resource=s.booking.resource, member=s.booker, unit=s.units["A"], mode="assisted"
    )
    booking.operator_id = 102
    return booking


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
    "member_can_view_resource_operators(of A)": lambda s: member_can_view_resource_operators(
        s.actor, s.resource_of_a
    ),
    "member_operates_booking(self-use)": lambda s: member_operates_booking(s.actor, s.booking),
    "member_operates_booking(operated by 102)": lambda s: member_operates_booking(
        s.actor, operated_by_pk_102(s)
    ),
    "member_can_check_in_booking(operated by 102)": lambda s: member_can_check_in_booking(
        s.actor, operated_by_pk_102(s)
    ),
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
    "member_can_set_quota(resource of A)": lambda s: member_can_set_quota(
        s.actor, resource_unit_id=s.units["A"].pk
    ),
    "member_can_set_quota(a kind)": lambda s: member_can_set_quota(s.actor, resource_unit_id=None),
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
    "member_can_view_resource_operators(of A)": MANAGES_UNIT_A,
    "member_operates_booking(self-use)": set(),
    "member_operates_booking(operated by 102)": ACTS - {"booker"},
    "member_can_check_in_booking(operated by 102)": CHECKS_IN | (ACTS - {"booker"}),
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
    "member_can_set_quota(resource of A)": MANAGES_UNIT_A,
    "member_can_set_quota(a kind)": SECRETARIAT,
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
