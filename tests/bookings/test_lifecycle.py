"""A booking's life: decisions, cancellation, check-in and check-out. Every transition
records who, when and why, tells the booker, and repeating it does no harm."""

import datetime as dt

import pytest
import time_machine

from alliance.errors import AccessDenied, Conflict, ValidationFailed
from alliance.models import MemberRole
from bookings.models import BookingEvent, BookingStatus
from bookings.services import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_create,
    booking_reject,
)
from notifications.models import Notification
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


@pytest.fixture
def lab():
    unit = UnitFactory(name="深圳湾实验室")
    return ResourceFactory(unit=unit, requires_approval=True, name="单细胞技术平台")


@pytest.fixture
def people(lab):
    return {
        "booker": MemberFactory(),
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
    }


def request(lab, booker, start=None, hours=1):
    start = start or local(2026, 11, 24, 9)
    return booking_create(
        member=booker,
        resource_id=lab.pk,
        start=start,
        end=start + dt.timedelta(hours=hours),
        purpose="单细胞转录组测序",
    )


def history(booking):
    return list(booking.events.values_list("action", "from_status", "to_status", "actor", "reason"))


def test_request_tells_the_deciders_of_the_resource(lab, people):
    booking = request(lab, people["booker"])
    told = set(Notification.objects.filter(booking=booking).values_list("member", flat=True))
    assert told == {people["manager"].pk, people["secretariat"].pk}


@pytest.mark.parametrize("decider", ["manager", "secretariat"])
def test_deciders_approve_and_the_booker_is_told(lab, people, decider):
    booking = request(lab, people["booker"])
    approved = booking_approve(actor=people[decider], booking_id=booking.pk, reason="同意")
    assert approved.status == BookingStatus.APPROVED
    assert history(approved)[-1] == (
        BookingEvent.Action.APPROVED,
        BookingStatus.PENDING,
        BookingStatus.APPROVED,
        people[decider].pk,
        "同意",
    )
    assert Notification.objects.filter(
        member=people["booker"], booking=booking, kind="approved"
    ).exists()


@pytest.mark.parametrize("outsider", ["booker", "other_manager"])
def test_others_cannot_decide_and_nothing_changes(lab, people, outsider):
    booking = request(lab, people["booker"])
    with pytest.raises(AccessDenied):
        booking_approve(actor=people[outsider], booking_id=booking.pk)
    with pytest.raises(AccessDenied):
        booking_reject(actor=people[outsider], booking_id=booking.pk, reason="不行")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert booking.events.count() == 1


def test_approving_twice_is_an_invalid_transition_and_writes_nothing(lab, people):
    booking = request(lab, people["booker"])
    booking_approve(actor=people["manager"], booking_id=booking.pk)
    events = booking.events.count()
    notifications = Notification.objects.count()
    with pytest.raises(Conflict) as refused:
        booking_approve(actor=people["manager"], booking_id=booking.pk)
    assert refused.value.code == "invalid_transition"
    assert refused.value.extra["status"] == BookingStatus.APPROVED
    assert (booking.events.count(), Notification.objects.count()) == (events, notifications)


def test_rejection_needs_a_reason_and_tells_the_booker_why(lab, people):
    booking = request(lab, people["booker"])
    with pytest.raises(ValidationFailed):
        booking_reject(actor=people["manager"], booking_id=booking.pk, reason="  ")
    booking_reject(actor=people["manager"], booking_id=booking.pk, reason="设备检修中")
    notice = Notification.objects.get(member=people["booker"], kind="rejected")
    assert "设备检修中" in notice.body


def test_booker_cancels_until_the_start_and_late_cancellations_are_marked(lab, people):
    early = request(lab, people["booker"], start=local(2026, 11, 26, 9))
    late = request(lab, people["booker"], start=local(2026, 11, 23, 14))
    assert not booking_cancel(actor=people["booker"], booking_id=early.pk).cancelled_late
    assert booking_cancel(actor=people["booker"], booking_id=late.pk).cancelled_late
    # The booker cancelled their own bookings: nobody needs telling.
    assert not Notification.objects.filter(member=people["booker"], kind="cancelled").exists()


def test_cancel_after_the_start_is_refused(lab, people):
    booking = request(lab, people["booker"], start=local(2026, 11, 23, 9))
    with (
        time_machine.travel(local(2026, 11, 23, 9), tick=False),
        pytest.raises(Conflict) as refused,
    ):
        booking_cancel(actor=people["booker"], booking_id=booking.pk)
    assert refused.value.code == "already_started"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_secretariat_cancelling_tells_the_booker(lab, people):
    booking = request(lab, people["booker"])
    booking_cancel(actor=people["secretariat"], booking_id=booking.pk, reason="场地征用")
    assert Notification.objects.filter(member=people["booker"], kind="cancelled").exists()
    with pytest.raises(Conflict):
        booking_cancel(actor=people["secretariat"], booking_id=booking.pk)


def test_resource_manager_of_another_unit_cannot_cancel(lab, people):
    booking = request(lab, people["booker"])
    with pytest.raises(AccessDenied):
        booking_cancel(actor=people["other_manager"], booking_id=booking.pk)


@pytest.fixture
def approved(lab, people):
    booking = request(lab, people["booker"], start=local(2026, 11, 23, 10))
    return booking_approve(actor=people["manager"], booking_id=booking.pk)


def test_check_in_opens_shortly_before_the_start(lab, people, approved, settings):
    settings.BOOKING_CHECKIN_OPENS_MINUTES = 15
    code = lab.checkin_code
    with time_machine.travel(local(2026, 11, 23, 9, 44), tick=False), pytest.raises(Conflict) as e:
        booking_check_in(actor=people["booker"], booking_id=approved.pk, code=code)
    assert e.value.code == "check_in_not_open"
    with time_machine.travel(local(2026, 11, 23, 9, 45), tick=False):
        checked_in = booking_check_in(actor=people["booker"], booking_id=approved.pk, code=code)
    assert checked_in.checked_in_at == local(2026, 11, 23, 9, 45)


def test_check_in_closes_after_the_grace_period(lab, people, approved, settings):
    settings.BOOKING_NO_SHOW_GRACE_MINUTES = 15
    with time_machine.travel(local(2026, 11, 23, 10, 16), tick=False), pytest.raises(Conflict) as e:
        booking_check_in(actor=people["booker"], booking_id=approved.pk, code=lab.checkin_code)
    assert e.value.code == "check_in_closed"


def test_check_in_needs_the_resources_code_unless_a_manager_does_it(lab, people, approved):
    with time_machine.travel(local(2026, 11, 23, 10), tick=False):
        with pytest.raises(ValidationFailed) as refused:
            booking_check_in(actor=people["booker"], booking_id=approved.pk, code="wrong")
        assert refused.value.code == "check_in_code_invalid"
        booking_check_in(actor=people["manager"], booking_id=approved.pk)


def test_check_in_and_out_twice_is_harmless_and_completes_the_booking(lab, people, approved):
    code = lab.checkin_code
    with time_machine.travel(local(2026, 11, 23, 10, 5), tick=False):
        first = booking_check_in(actor=people["booker"], booking_id=approved.pk, code=code)
        again = booking_check_in(actor=people["booker"], booking_id=approved.pk, code=code)
    assert again.checked_in_at == first.checked_in_at
    with time_machine.travel(local(2026, 11, 23, 10, 50), tick=False):
        done = booking_check_out(actor=people["booker"], booking_id=approved.pk)
    with time_machine.travel(local(2026, 11, 23, 10, 55), tick=False):
        again = booking_check_out(actor=people["booker"], booking_id=approved.pk)
    assert done.status == again.status == BookingStatus.COMPLETED
    assert again.checked_out_at == local(2026, 11, 23, 10, 50)
    actions = [a for a, *_ in history(done)]
    assert actions.count(BookingEvent.Action.CHECKED_IN) == 1
    assert actions.count(BookingEvent.Action.CHECKED_OUT) == 1


def test_pending_booking_cannot_be_checked_in(lab, people):
    booking = request(lab, people["booker"], start=local(2026, 11, 23, 10))
    with time_machine.travel(local(2026, 11, 23, 10), tick=False), pytest.raises(Conflict) as e:
        booking_check_in(actor=people["booker"], booking_id=booking.pk, code=lab.checkin_code)
    assert e.value.code == "invalid_transition"


def test_someone_else_cannot_check_in(lab, people, approved):
    with time_machine.travel(local(2026, 11, 23, 10), tick=False), pytest.raises(AccessDenied):
        booking_check_in(actor=MemberFactory(), booking_id=approved.pk, code=lab.checkin_code)


def test_invalid_transition_message_names_the_state_and_the_refused_action(lab, people):
    from django.utils import translation

    booking = request(lab, people["booker"])
    booking_reject(actor=people["manager"], booking_id=booking.pk, reason="时间冲突")
    with pytest.raises(Conflict) as refused:
        booking_approve(actor=people["manager"], booking_id=booking.pk)
    with translation.override("en"):
        assert refused.value.message == "This booking is Rejected; it cannot be approved."
