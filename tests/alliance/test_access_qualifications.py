"""The qualification helpers of alliance.access, for every actor of tests/alliance/test_access
(the same scene: the qualification is the booker's, of a resource shared by unit B), and
the list filter against its per-object twin on real rows."""

from __future__ import annotations

import pytest

from alliance.access import (
    BackOfficeScope,
    member_can_decide_qualification,
    member_can_request_qualification,
    member_can_view_qualification,
    member_can_withdraw_qualification,
    qualifications_decidable_by,
    qualifications_manageable_by,
)
from alliance.models import MemberRole
from resources.models import Qualification
from tests.alliance.test_access import ACTORS, ACTS, SECRETARIAT, scene_build
from tests.factories import MemberFactory, ResourceFactory, UnitFactory


def qualification_of(scene) -> Qualification:
    return Qualification(pk=400, member=scene.booker, resource=scene.booking.resource)


QUESTIONS = {
    "request": lambda s: member_can_request_qualification(s.actor),
    "withdraw": lambda s: member_can_withdraw_qualification(s.actor, qualification_of(s)),
    "decide": lambda s: member_can_decide_qualification(s.actor, qualification_of(s)),
    "view": lambda s: member_can_view_qualification(s.actor, qualification_of(s)),
}
DECIDES = {"unit_manager@B", *SECRETARIAT}  # the resource's unit
YES = {
    "request": ACTS,
    "withdraw": {"booker", "booker unit-off"},
    "decide": DECIDES,
    "view": {"booker", "booker unit-off", *DECIDES},
}


def test_every_table_names_known_actors():
    assert set(YES) == set(QUESTIONS)
    for allowed in YES.values():
        assert allowed <= set(ACTORS)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_qualification_helper_answers_each_actor_as_the_policy_says(actor):
    scene = scene_build(actor)

    answers = {question: ask(scene) for question, ask in QUESTIONS.items()}

    assert answers == {question: actor in allowed for question, allowed in YES.items()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "unit_active", "member_active"),
    [
        (MemberRole.RESEARCHER, True, True),
        (MemberRole.UNIT_MANAGER, True, True),
        (MemberRole.UNIT_MANAGER, False, True),
        (MemberRole.UNIT_MANAGER, True, False),
        (MemberRole.SECRETARIAT, True, True),
        (MemberRole.SECRETARIAT, False, True),
    ],
)
def test_the_list_filter_agrees_with_the_per_object_helper(role, unit_active, member_active):
    unit_a, unit_b = UnitFactory(), UnitFactory()
    rows = [
        Qualification.objects.create(member=MemberFactory(unit=unit_a), resource=resource)
        for resource in (ResourceFactory(unit=unit_a), ResourceFactory(unit=unit_b))
    ]
    actor = MemberFactory(unit=unit_a, role=role, is_active=member_active)
    unit_a.is_active = unit_active
    unit_a.save()
    actor.refresh_from_db()

    listed = set(Qualification.objects.filter(qualifications_decidable_by(actor)))

    assert listed == {q for q in rows if member_can_decide_qualification(actor, q)}


@pytest.mark.django_db
def test_the_back_office_filter_follows_the_scope():
    unit_a, unit_b = UnitFactory(), UnitFactory()
    mine = Qualification.objects.create(
        member=MemberFactory(unit=unit_a), resource=ResourceFactory(unit=unit_a)
    )
    Qualification.objects.create(
        member=MemberFactory(unit=unit_a), resource=ResourceFactory(unit=unit_b)
    )

    def seen(scope):
        return list(Qualification.objects.filter(qualifications_manageable_by(scope)))

    assert len(seen(BackOfficeScope(member=None, whole_alliance=True, unit_id=None))) == 2
    assert seen(BackOfficeScope(member=None, whole_alliance=False, unit_id=unit_a.pk)) == [mine]
    assert seen(BackOfficeScope(member=None, whole_alliance=False, unit_id=None)) == []
