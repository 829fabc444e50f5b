"""Who acts is always explicit (alliance.actors): a member, or SYSTEM; never None.

Forgetting the actor is a programming error (TypeError) in every service that takes one,
before anything is written, instead of quietly meaning "the system may do anything". The
time-driven transitions are SYSTEM's alone, and the member-facing ones are members' alone.
"""

import copy
import datetime as dt

import pytest
from django.db import transaction

from alliance.actors import SYSTEM, SystemActor, actor_member
from alliance.errors import AccessDenied
from alliance.models import Member, MemberRole, Unit
from alliance.services import (
    member_create,
    member_update,
    unit_create,
    unit_deactivate,
    unit_reactivate,
    unit_update,
)
from bookings.jobs import run_due_jobs
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.services import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_complete,
    booking_expire,
    booking_mark_no_show,
    booking_reject,
    booking_remind,
)
from notifications.models import Notification
from notifications.services import booking_notify
from resources.calendar_services import (
    closure_create,
    closure_delete,
    makeup_day_delete,
    makeup_day_set,
    opening_hours_set,
)
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource
from resources.services import (
    resource_checkin_code_reset,
    resource_create,
    resource_retire,
    resource_update,
)
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

START, END = local(2026, 11, 24, 9), local(2026, 11, 24, 10)


@pytest.fixture
def world():
    resource = ResourceFactory(requires_approval=True)
    member = MemberFactory(unit=resource.unit)
    return {
        "unit": resource.unit,
        "member": member,
        "resource": resource,
        "booking": BookingFactory(
            resource=resource, member=member, start=START, end=END, status=BookingStatus.PENDING
        ),
        "closure": ClosureFactory(resource=resource, start=START, end=END),
        "day": MakeUpWorkingDayFactory(date=dt.date(2026, 12, 5)),
    }


#: Every service that takes an actor, called with ``actor=None`` and otherwise valid input.
CALLS = {
    "unit_create": lambda w: unit_create(actor=None, name="新单位", kind="lab"),
    "unit_update": lambda w: unit_update(actor=None, unit_id=w["unit"].pk, short_name="新"),
    "unit_deactivate": lambda w: unit_deactivate(actor=None, unit_id=w["unit"].pk),
    "unit_reactivate": lambda w: unit_reactivate(actor=None, unit_id=w["unit"].pk),
    "member_create": lambda w: member_create(
        actor=None, unit_id=w["unit"].pk, name="新成员", role=MemberRole.RESEARCHER
    ),
    "member_update": lambda w: member_update(actor=None, member_id=w["member"].pk, name="改"),
    "resource_create": lambda w: resource_create(
        actor=None, unit_id=w["unit"].pk, kind="lab", name="新实验室"
    ),
    "resource_update": lambda w: resource_update(
        actor=None, resource_id=w["resource"].pk, capacity=2
    ),
    "resource_retire": lambda w: resource_retire(actor=None, resource_id=w["resource"].pk),
    "resource_checkin_code_reset": lambda w: resource_checkin_code_reset(
        actor=None, resource_id=w["resource"].pk
    ),
    "opening_hours_set": lambda w: opening_hours_set(
        actor=None, resource_id=w["resource"].pk, windows=[]
    ),
    "closure_create": lambda w: closure_create(
        actor=None, resource_id=None, start=START, end=END, reason="假期"
    ),
    "closure_delete": lambda w: closure_delete(actor=None, closure_id=w["closure"].pk),
    "makeup_day_set": lambda w: makeup_day_set(actor=None, date=dt.date(2026, 12, 6)),
    "makeup_day_delete": lambda w: makeup_day_delete(actor=None, date=w["day"].date),
    "booking_approve": lambda w: booking_approve(actor=None, booking_id=w["booking"].pk),
    "booking_reject": lambda w: booking_reject(
        actor=None, booking_id=w["booking"].pk, reason="不行"
    ),
    "booking_cancel": lambda w: booking_cancel(actor=None, booking_id=w["booking"].pk),
    "booking_check_in": lambda w: booking_check_in(actor=None, booking_id=w["booking"].pk),
    "booking_check_out": lambda w: booking_check_out(actor=None, booking_id=w["booking"].pk),
    "booking_expire": lambda w: booking_expire(actor=None, booking_id=w["booking"].pk, now=END),
    "booking_mark_no_show": lambda w: booking_mark_no_show(
        actor=None, booking_id=w["booking"].pk, now=END
    ),
    "booking_complete": lambda w: booking_complete(actor=None, booking_id=w["booking"].pk, now=END),
    "booking_remind": lambda w: booking_remind(actor=None, booking_id=w["booking"].pk),
}


def everything():
    models = (Unit, Member, Resource, OpeningHours, Closure, MakeUpWorkingDay)
    rows = [list(model.objects.order_by("pk").values()) for model in models]
    rows += [list(m.objects.order_by("pk").values()) for m in (Booking, BookingEvent)]
    return rows, Notification.objects.count()


@pytest.mark.parametrize("service", list(CALLS))
def test_a_service_called_without_an_actor_is_a_programming_error_and_writes_nothing(
    world, service
):
    before = everything()

    with pytest.raises(TypeError, match="actor is required"):
        CALLS[service](world)

    assert everything() == before


def test_telling_people_of_a_booking_event_needs_an_actor_too(world):
    with transaction.atomic(), pytest.raises(TypeError, match="actor is required"):
        booking_notify(booking=world["booking"], event="approved", actor=None)

    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "transition", [booking_expire, booking_mark_no_show, booking_complete, booking_remind]
)
@pytest.mark.parametrize("role", [MemberRole.RESEARCHER, MemberRole.SECRETARIAT])
def test_only_the_system_makes_the_time_driven_transitions(world, transition, role):
    member = MemberFactory(role=role)
    before = everything()

    with pytest.raises(AccessDenied) as refused:
        transition(actor=member, booking_id=world["booking"].pk, now=END)

    assert refused.value.code == "permission_denied"
    assert everything() == before


@pytest.mark.parametrize("transition", [booking_approve, booking_cancel, booking_check_in])
def test_the_system_does_not_act_for_a_member(world, transition):
    before = everything()

    with pytest.raises(AccessDenied):
        transition(actor=SYSTEM, booking_id=world["booking"].pk)

    assert everything() == before


def test_the_jobs_act_as_the_system_recorded_as_no_member(world):
    assert run_due_jobs(now=END)["expire"] == 1

    event = BookingEvent.objects.get(booking=world["booking"], action=BookingEvent.Action.EXPIRED)
    assert event.actor is None


def test_the_system_actor_is_one_object_that_stands_for_no_member():
    assert SystemActor() is SYSTEM
    assert copy.deepcopy(SYSTEM) is SYSTEM
    assert repr(SYSTEM) == "SYSTEM"
    assert actor_member(SYSTEM) is None
    with pytest.raises(TypeError):
        actor_member(None)
