"""Specification of resources.eligibility.booking_refusal: whether a member may book a
resource at all. The scheduler (bookings.rules) refuses with exactly these codes, which
tests/api/test_resource_caller_fields.py checks end to end."""

import pytest

from alliance.models import MemberRole
from resources.eligibility import REFUSAL_CODES, booking_refusal
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    unit = UnitFactory(name="深圳湾实验室")
    other = UnitFactory(name="中山大学·深圳")
    return {
        "member": MemberFactory(unit=unit, role=MemberRole.RESEARCHER),
        "resource": ResourceFactory(unit=other, name="冷冻电镜"),
        "other_unit": other,
    }


def refusal(scene, allowed=frozenset()):
    return booking_refusal(
        member=scene["member"], resource=scene["resource"], allowed_unit_ids=set(allowed)
    )


def test_an_active_member_may_book_an_open_resource(scene):
    assert refusal(scene) is None


def test_a_caller_who_is_no_member_is_not_bound(scene):
    assert booking_refusal(member=None, resource=scene["resource"], allowed_unit_ids=set()) == (
        "not_bound"
    )


def test_each_refusal_has_its_code(scene):
    scene["resource"].is_retired = True
    assert refusal(scene) == "resource_retired"

    scene["resource"].unit.is_active = False
    assert refusal(scene) == "resource_unit_inactive"

    scene["member"].unit.is_active = False
    assert refusal(scene) == "booking_unit_inactive"

    scene["member"].is_active = False
    assert refusal(scene) == "member_inactive"


def test_the_allow_list_decides_for_the_members_unit(scene):
    assert refusal(scene, allowed={scene["other_unit"].pk}) == "not_allowed_for_unit"
    assert refusal(scene, allowed={scene["member"].unit_id}) is None


def test_every_code_it_answers_is_a_known_error_code():
    from alliance.errors import MESSAGES

    assert set(REFUSAL_CODES) <= set(MESSAGES)
