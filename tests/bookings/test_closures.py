"""Closures that take care of the bookings they hit (issue 9): the preview, the refusal
without confirmation (nothing written), and the confirmed closure that cancels each hit
with its reason, records it in the booking's history and tells the booker with free slots
of the same resource. Retiring a resource does the same for every booking not yet ended."""

import datetime as dt

import pytest

from alliance.errors import AccessDenied, Conflict, ValidationFailed
from alliance.models import MemberRole
from bookings.closures import (
    closure_create_with_cancellations,
    closure_hits_preview,
    resource_retire_with_cancellations,
    retirement_hits_preview,
)
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.services import booking_create
from notifications.models import Notification, OutboxMessage, SubscriptionCredit
from resources.models import Closure, Resource
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TEMPLATE = "tpl-cancelled-0004"
REPAIR = (local(2026, 11, 24, 8), local(2026, 11, 24, 14))


@pytest.fixture(autouse=True)
def _english_and_a_template(settings):
    settings.LANGUAGE_CODE = "en"
    settings.WECHAT_TEMPLATE_BOOKING_CANCELLED = TEMPLATE
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


@pytest.fixture
def lab():
    unit = UnitFactory(name="深圳湾实验室")
    return ResourceFactory(unit=unit, name="冷冻电镜")


@pytest.fixture
def people(lab):
    booker = MemberFactory(name="李明", wechat_openid="o-booker")
    SubscriptionCredit.objects.create(member=booker, template_id=TEMPLATE, credits=1)
    return {
        "booker": booker,
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER, name="张主任"),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "researcher": MemberFactory(unit=lab.unit),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
    }


def booked(resource, member, start, hours=1, status=BookingStatus.APPROVED):
    return BookingFactory(
        resource=resource,
        member=member,
        start=start,
        end=start + dt.timedelta(hours=hours),
        status=status,
    )


@pytest.fixture
def scene(lab, people):
    """Two hits (approved, pending), and what a closure of 08:00–14:00 on the 24th leaves
    alone: a booking after it, a cancelled one inside, another resource's inside."""
    other = ResourceFactory(unit=lab.unit)
    return {
        "approved": booked(lab, people["booker"], local(2026, 11, 24, 9)),
        "pending": booked(
            lab, people["researcher"], local(2026, 11, 24, 13), status=BookingStatus.PENDING
        ),
        "after": booked(lab, people["booker"], local(2026, 11, 24, 14)),
        "cancelled": booked(
            lab, people["booker"], local(2026, 11, 24, 11), status=BookingStatus.CANCELLED
        ),
        "elsewhere": booked(other, people["booker"], local(2026, 11, 24, 9)),
    }


def statuses():
    return dict(Booking.objects.values_list("pk", "status"))


def close(lab, actor, confirm, reason="电镜维修", window=REPAIR):
    return closure_create_with_cancellations(
        actor=actor,
        resource_id=lab.pk,
        start=window[0],
        end=window[1],
        reason=reason,
        confirm=confirm,
    )


def test_the_preview_lists_the_blocking_bookings_the_closure_hits(lab, people, scene):
    hits = closure_hits_preview(
        actor=people["manager"], resource_id=lab.pk, start=REPAIR[0], end=REPAIR[1]
    )

    assert [b.pk for b in hits] == [scene["approved"].pk, scene["pending"].pk]
    assert not Closure.objects.exists()


def test_without_confirmation_a_closure_over_bookings_is_refused_and_nothing_changes(
    lab, people, scene
):
    before = statuses()

    with pytest.raises(Conflict) as refused:
        close(lab, people["manager"], confirm=False)

    assert refused.value.code == "closure_hits_bookings"
    listed = refused.value.extra["bookings"]
    assert [(b["id"], b["status"], b["member_name"]) for b in listed] == [
        (scene["approved"].pk, "approved", "李明"),
        (scene["pending"].pk, "pending", people["researcher"].name),
    ]
    assert listed[0]["unit"] == people["booker"].unit_id
    assert (listed[0]["start"], listed[0]["end"]) == (
        local(2026, 11, 24, 9),
        local(2026, 11, 24, 10),
    )
    assert not Closure.objects.exists()
    assert statuses() == before
    assert not BookingEvent.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_confirmed_the_hits_are_cancelled_with_the_reason_recorded_and_told(lab, people, scene):
    outcome = close(lab, people["manager"], confirm=True)

    assert Closure.objects.get() == outcome.closure
    assert [b.pk for b in outcome.cancelled] == [scene["approved"].pk, scene["pending"].pk]
    after = statuses()
    assert after[scene["approved"].pk] == after[scene["pending"].pk] == BookingStatus.CANCELLED
    for name in ("after", "elsewhere"):
        assert after[scene[name].pk] == BookingStatus.APPROVED
    event = scene["approved"].events.get()
    assert (event.action, event.from_status, event.to_status, event.actor, event.reason) == (
        BookingEvent.Action.CANCELLED_BY_CLOSURE,
        BookingStatus.APPROVED,
        BookingStatus.CANCELLED,
        people["manager"],
        "电镜维修",
    )
    assert scene["pending"].events.get().from_status == BookingStatus.PENDING
    notice = Notification.objects.get(member=people["booker"], kind="cancelled")
    assert "电镜维修" in notice.body
    assert "张主任" in notice.body
    # The free slots of the same resource: the closure ends at 14:00 and "after" holds
    # 14:00–15:00, so the nearest hour on the 24th starts at 15:00.
    assert "Free on the same resource: 11-24 15:00–16:00" in notice.body
    message = OutboxMessage.objects.get(member=people["booker"])
    assert message.template_id == TEMPLATE
    assert Notification.objects.filter(member=people["researcher"], kind="cancelled").exists()


def test_a_closure_that_hits_nothing_needs_no_confirmation(lab, people, scene):
    outcome = close(
        lab, people["manager"], False, window=(local(2026, 11, 25, 8), local(2026, 11, 25, 12))
    )

    assert outcome.cancelled == []
    assert Closure.objects.filter(resource=lab).count() == 1


def test_after_the_closure_the_slot_is_refused_as_closed(lab, people, scene):
    close(lab, people["manager"], confirm=True)

    with pytest.raises(ValidationFailed) as refused:
        booking_create(
            member=people["booker"],
            resource_id=lab.pk,
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
            purpose="再约",
        )
    assert refused.value.code == "closed"


@pytest.mark.parametrize("who", ["researcher", "other_manager", "booker"])
def test_who_may_not_close_the_resource_is_refused_even_confirming(lab, people, scene, who):
    before = statuses()

    with pytest.raises(AccessDenied):
        close(lab, people[who], confirm=True)
    with pytest.raises(AccessDenied):
        closure_hits_preview(actor=people[who], resource_id=lab.pk, start=REPAIR[0], end=REPAIR[1])

    assert statuses() == before
    assert not Closure.objects.exists()


def test_the_secretariat_closes_any_resource(lab, people, scene):
    outcome = close(lab, people["secretariat"], confirm=True)

    assert len(outcome.cancelled) == 2


def test_a_closure_needs_a_reason(lab, people, scene):
    with pytest.raises(ValidationFailed):
        close(lab, people["manager"], confirm=True, reason="  ")
    assert not Closure.objects.exists()


# --- Alliance-wide closures (public holidays): the secretariat only, every resource -------


def test_an_alliance_wide_closure_hits_every_resource_s_bookings(lab, people, scene):
    with pytest.raises(AccessDenied):
        closure_create_with_cancellations(
            actor=people["manager"],
            resource_id=None,
            start=REPAIR[0],
            end=REPAIR[1],
            reason="公共假日",
            confirm=True,
        )
    with pytest.raises(Conflict) as refused:
        closure_create_with_cancellations(
            actor=people["secretariat"],
            resource_id=None,
            start=REPAIR[0],
            end=REPAIR[1],
            reason="公共假日",
        )
    assert {b["id"] for b in refused.value.extra["bookings"]} == {
        scene["approved"].pk,
        scene["pending"].pk,
        scene["elsewhere"].pk,
    }
    assert not Closure.objects.exists()

    outcome = closure_create_with_cancellations(
        actor=people["secretariat"],
        resource_id=None,
        start=REPAIR[0],
        end=REPAIR[1],
        reason="公共假日",
        confirm=True,
    )

    assert outcome.closure.resource is None
    assert Booking.objects.get(pk=scene["elsewhere"].pk).status == BookingStatus.CANCELLED


# --- Retiring ------------------------------------------------------------------------------


def test_retiring_lists_every_booking_not_yet_ended_and_needs_confirmation(lab, people, scene):
    before = statuses()
    expected = [scene["approved"].pk, scene["pending"].pk, scene["after"].pk]

    assert [
        b.pk for b in retirement_hits_preview(actor=people["manager"], resource_id=lab.pk)
    ] == expected
    with pytest.raises(Conflict) as refused:
        resource_retire_with_cancellations(actor=people["manager"], resource_id=lab.pk)

    assert [b["id"] for b in refused.value.extra["bookings"]] == expected
    assert statuses() == before
    assert not Resource.objects.get(pk=lab.pk).is_retired


def test_confirmed_retiring_needs_a_reason_then_cancels_and_tells(lab, people, scene):
    with pytest.raises(ValidationFailed) as refused:
        resource_retire_with_cancellations(
            actor=people["manager"], resource_id=lab.pk, confirm=True
        )
    assert refused.value.code == "cancel_reason_required"
    assert not Resource.objects.get(pk=lab.pk).is_retired

    outcome = resource_retire_with_cancellations(
        actor=people["manager"], resource_id=lab.pk, confirm=True, reason="设备报废"
    )

    assert len(outcome.cancelled) == 3
    assert Resource.objects.get(pk=lab.pk).is_retired
    assert Booking.objects.get(pk=scene["after"].pk).status == BookingStatus.CANCELLED
    assert scene["after"].events.get().reason == "设备报废"
    assert Notification.objects.filter(member=people["booker"], kind="cancelled").count() == 2


def test_retiring_a_resource_without_bookings_needs_no_confirmation(people):
    resource = ResourceFactory(unit=people["manager"].unit)

    resource_retire_with_cancellations(actor=people["manager"], resource_id=resource.pk)

    assert Resource.objects.get(pk=resource.pk).is_retired
