"""The assessment and duplicate-purchase helpers of alliance.access, for every actor of
tests/alliance/test_access (the same scene: the check is unit A's, the assessment asked of
unit A), and the list filters against their per-object twins on real rows."""

from __future__ import annotations

import pytest

from alliance.access import (
    assessment_resources_visible_to,
    member_can_create_purchase_check,
    member_can_decide_purchase_check,
    member_can_view_assessment,
    member_can_view_purchase_check,
    purchase_checks_visible_to,
)
from alliance.models import MemberRole
from bookings.models import PurchaseCheck
from resources.models import Resource
from tests.alliance.test_access import ACTORS, SECRETARIAT, scene_build
from tests.factories import MemberFactory, ResourceFactory, UnitFactory


def check_of(scene) -> PurchaseCheck:
    return PurchaseCheck(pk=500, unit=scene.units["A"], instrument_name="扫描电镜")


QUESTIONS = {
    "assessment": lambda s: member_can_view_assessment(s.actor, s.units["A"].pk),
    "create": lambda s: member_can_create_purchase_check(s.actor, s.units["A"].pk),
    "view": lambda s: member_can_view_purchase_check(s.actor, check_of(s)),
    "decide": lambda s: member_can_decide_purchase_check(s.actor, check_of(s)),
}
MANAGES_A = {"unit_manager@A", *SECRETARIAT}
YES = dict.fromkeys(QUESTIONS, MANAGES_A)


def test_every_table_names_known_actors():
    assert set(YES) == set(QUESTIONS)
    for allowed in YES.values():
        assert allowed <= set(ACTORS)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_helper_answers_each_actor_as_the_policy_says(actor):
    scene = scene_build(actor)

    answers = {question: ask(scene) for question, ask in QUESTIONS.items()}

    assert answers == {question: actor in allowed for question, allowed in YES.items()}


SCOPES = [
    (MemberRole.RESEARCHER, True, True),
    (MemberRole.UNIT_MANAGER, True, True),
    (MemberRole.UNIT_MANAGER, False, True),
    (MemberRole.UNIT_MANAGER, True, False),
    (MemberRole.SECRETARIAT, True, True),
    (MemberRole.SECRETARIAT, False, True),
]


def _actor(unit, role, unit_active, member_active):
    actor = MemberFactory(unit=unit, role=role, is_active=member_active)
    unit.is_active = unit_active
    unit.save()
    actor.refresh_from_db()
    return actor


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "unit_active", "member_active"), SCOPES)
def test_the_check_filter_agrees_with_the_per_object_helper(role, unit_active, member_active):
    unit_a, unit_b = UnitFactory(), UnitFactory()
    entered_by = MemberFactory(unit=unit_b)
    rows = [
        PurchaseCheck.objects.create(
            unit=unit,
            entered_by=entered_by,
            instrument_name="扫描电镜",
            classification_code="0101",
            price=1,
            report={},
        )
        for unit in (unit_a, unit_b)
    ]
    actor = _actor(unit_a, role, unit_active, member_active)

    listed = set(PurchaseCheck.objects.filter(purchase_checks_visible_to(actor)))

    assert listed == {check for check in rows if member_can_view_purchase_check(actor, check)}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "unit_active", "member_active"), SCOPES)
def test_the_assessment_filter_agrees_with_the_per_unit_helper(role, unit_active, member_active):
    unit_a, unit_b = UnitFactory(), UnitFactory()
    rows = [ResourceFactory(unit=unit_a), ResourceFactory(unit=unit_b)]
    actor = _actor(unit_a, role, unit_active, member_active)

    listed = set(Resource.objects.filter(assessment_resources_visible_to(actor)))

    assert listed == {r for r in rows if member_can_view_assessment(actor, r.unit_id)}


def test_nobody_sees_anything():
    assert not member_can_view_assessment(None, 1)
    assert assessment_resources_visible_to(None).children == [("pk__in", [])]
    assert purchase_checks_visible_to(None).children == [("pk__in", [])]
