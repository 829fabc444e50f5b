"""The sample-order access helpers (issue 10) for every role, and the list filters agreeing
with the per-order helpers."""

import pytest

from alliance.access import (
    member_can_handle_sample_order,
    member_can_submit_sample_order,
    member_can_view_sample_order,
    member_handles_samples,
    member_is_sample_requester,
    sample_orders_handled_by,
    sample_orders_visible_to,
)
from alliance.models import MemberRole
from bookings.models import SampleOrder
from tests.bookings.sample_support import submitted
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def world(settings):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    lab = ResourceFactory(offers_samples=True)
    people = {
        "requester": MemberFactory(),
        "colleague": MemberFactory(unit=lab.unit),
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
        "inactive_manager": MemberFactory(
            unit=lab.unit, role=MemberRole.UNIT_MANAGER, is_active=False
        ),
    }
    order = submitted(lab, people["requester"])
    return people, SampleOrder.objects.select_related("resource").get(pk=order.pk)


EXPECTED = {
    #                 submit, requester, handle, view, handles any
    "requester": (True, True, False, True, False),
    "colleague": (True, False, False, False, False),
    "manager": (True, False, True, True, True),
    "other_manager": (True, False, False, False, True),
    "secretariat": (True, False, True, True, True),
    "inactive_manager": (False, False, False, False, False),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role(world, role):
    people, order = world
    member = people[role]
    got = (
        member_can_submit_sample_order(member),
        member_is_sample_requester(member, order),
        member_can_handle_sample_order(member, order),
        member_can_view_sample_order(member, order),
        member_handles_samples(member),
    )
    assert got == EXPECTED[role]
    assert SampleOrder.objects.filter(sample_orders_visible_to(member)).exists() == got[3]
    assert SampleOrder.objects.filter(sample_orders_handled_by(member)).exists() == got[2]


def test_nobody_may_do_anything():
    assert not member_can_submit_sample_order(None)
    assert not member_handles_samples(None)
    assert not SampleOrder.objects.filter(sample_orders_visible_to(None)).exists()


def test_a_deactivated_unit_stops_the_handlers(world):
    people, order = world
    unit = people["manager"].unit
    unit.is_active = False
    unit.save()
    manager = type(people["manager"]).objects.select_related("unit").get(pk=people["manager"].pk)
    assert not member_can_handle_sample_order(manager, order)
