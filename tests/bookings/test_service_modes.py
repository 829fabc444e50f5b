"""Self-use and assisted bookings (issue 10): the mode must be offered, the qualification
gate is self-use's, assisted use has its own lead time and an operator of the owning unit
who is free; the operator is told, and runs the check-in's session. Each rule at its edge;
every refusal writes nothing."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from alliance.actors import SYSTEM
from alliance.errors import Conflict, ValidationFailed
from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, UsageSession
from bookings.services import (
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_expire,
    booking_mark_no_show,
    booking_reject,
)
from notifications.models import Notification
from resources.models import Resource
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db
NOW = FROZEN_NOW  # Monday 08:00
TUESDAY_NINE = (local(2026, 11, 24, 9), local(2026, 11, 24, 10))


@pytest.fixture
def nmr():
    """Offers both modes; assisted needs a day's notice; self-use needs a qualification."""
    return ResourceFactory(
        offers_assisted=True, requires_qualification=True, assisted_min_notice_minutes=24 * 60
    )


@pytest.fixture
def operators(nmr):
    a = MemberFactory(unit=nmr.unit, name="A 操作员")
    b = MemberFactory(unit=nmr.unit, name="B 操作员")
    nmr.operators.add(a, b)
    return a, b


@pytest.fixture
def member():
    return MemberFactory()


def book(member, resource, slot=TUESDAY_NINE, now=NOW, **kwargs):
    return booking_create(
        member=member,
        resource_id=resource.pk,
        start=slot[0],
        end=slot[1],
        purpose="核磁共振氢谱",
        now=now,
        **kwargs,
    )


def refused(exc_type, *args, **kwargs):
    before = (Booking.objects.count(), BookingEvent.objects.count(), Notification.objects.count())
    with pytest.raises(exc_type) as caught:
        book(*args, **kwargs)
    after = (Booking.objects.count(), BookingEvent.objects.count(), Notification.objects.count())
    assert after == before
    return caught.value.code


def test_a_booking_is_self_use_by_default_without_an_operator(member):
    booking = book(member, ResourceFactory())
    assert (booking.mode, booking.operator_id) == ("self_use", None)


def test_a_mode_the_resource_does_not_offer_is_refused(member):
    self_use_only = ResourceFactory()
    assisted_only = ResourceFactory(offers_self_use=False, offers_assisted=True)
    assisted_only.operators.add(MemberFactory(unit=assisted_only.unit))

    assert refused(ValidationFailed, member, self_use_only, mode="assisted") == "mode_not_offered"
    assert refused(ValidationFailed, member, assisted_only, mode="self_use") == "mode_not_offered"
    assert refused(ValidationFailed, member, assisted_only) == "mode_not_offered"  # the default
    assert book(member, assisted_only, mode="assisted").mode == "assisted"


def test_an_unknown_mode_or_an_operator_for_self_use_is_bad_input(member, nmr, operators):
    with pytest.raises(ValidationFailed) as bad:
        book(member, nmr, mode="sample")
    assert bad.value.extra == {"fields": {"mode": ["invalid_choice"]}}
    code = refused(ValidationFailed, member, ResourceFactory(), operator_id=operators[0].pk)
    assert code == "operator_not_for_self_use"


def test_the_qualification_gate_is_self_uses_only(member, nmr, operators):
    assert refused(ValidationFailed, member, nmr) == "not_qualified"
    booking = book(member, nmr, mode="assisted")
    assert (booking.mode, booking.operator) == ("assisted", operators[0])


def test_assisted_use_has_its_own_lead_time_at_its_edge(member, nmr, operators):
    nmr.requires_qualification = False
    nmr.save()
    just_too_soon = (local(2026, 11, 24, 7, 30), local(2026, 11, 24, 8, 30))
    exactly = (local(2026, 11, 24, 8), local(2026, 11, 24, 9))
    nmr.opening_hours.update(start_time=dt.time(7, 0))

    with pytest.raises(ValidationFailed) as soon:
        book(member, nmr, slot=just_too_soon, mode="assisted")
    assert (soon.value.code, soon.value.params) == ("too_little_notice", {"minutes": 1440})
    assert Booking.objects.count() == 0
    assert book(member, nmr, slot=exactly, mode="assisted").operator_id == operators[0].pk
    # Self-use keeps the resource's own notice (60 minutes).
    self_use = (local(2026, 11, 24, 7), local(2026, 11, 24, 7, 30))
    assert book(member, nmr, slot=self_use).mode == "self_use"


def test_a_named_operator_must_be_an_active_operator_of_the_owning_unit(member, nmr, operators):
    stranger = MemberFactory()
    listed_elsewhere = MemberFactory()  # on the list but of another unit
    nmr.operators.add(listed_elsewhere)
    inactive = MemberFactory(unit=nmr.unit, is_active=False)
    nmr.operators.add(inactive)
    not_listed = MemberFactory(unit=nmr.unit)
    for person in (stranger, listed_elsewhere, inactive, not_listed):
        code = refused(ValidationFailed, member, nmr, mode="assisted", operator_id=person.pk)
        assert code == "operator_not_eligible"
    named = book(member, nmr, mode="assisted", operator_id=operators[1].pk)
    assert named.operator == operators[1]


def test_an_operator_is_never_booked_twice_at_once_on_any_resource(member, nmr, operators):
    other = ResourceFactory(unit=nmr.unit, offers_assisted=True)
    other.operators.add(operators[0])
    book(member, nmr, mode="assisted", operator_id=operators[0].pk)

    overlapping = (local(2026, 11, 24, 9, 30), local(2026, 11, 24, 10, 30))
    code = refused(
        Conflict, member, other, slot=overlapping, mode="assisted", operator_id=operators[0].pk
    )
    assert code == "operator_busy"
    adjacent = (local(2026, 11, 24, 10), local(2026, 11, 24, 11))
    assert book(member, other, slot=adjacent, mode="assisted").operator == operators[0]


def test_the_scheduler_picks_the_first_free_operator_by_name_and_says_when_none_is(nmr, operators):
    a, b = operators
    other = ResourceFactory(unit=nmr.unit, offers_assisted=True)
    other.operators.add(a, b)
    first = book(MemberFactory(), nmr, mode="assisted")
    second = book(MemberFactory(), other, mode="assisted")
    assert (first.operator, second.operator) == (a, b)

    third = ResourceFactory(unit=nmr.unit, offers_assisted=True)
    third.operators.add(a, b)
    assert refused(Conflict, MemberFactory(), third, mode="assisted") == "no_operator_free"
    nobody = ResourceFactory(offers_assisted=True)
    assert refused(Conflict, MemberFactory(), nobody, mode="assisted") == "no_operator_free"


def test_a_cancelled_booking_frees_its_operator(member, nmr, operators):
    first = book(member, nmr, mode="assisted", operator_id=operators[0].pk)
    booking_cancel(actor=member, booking_id=first.pk, now=NOW)
    other = ResourceFactory(unit=nmr.unit, offers_assisted=True)
    other.operators.add(operators[0])
    assert book(member, other, mode="assisted").operator == operators[0]


def test_the_database_refuses_assisted_without_operator_and_self_use_with_one(
    member, nmr, operators
):
    booking = book(member, nmr, mode="assisted")
    for mode, operator in (("assisted", None), ("self_use", operators[0])):
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.filter(pk=booking.pk).update(mode=mode, operator=operator)


def test_the_operator_is_told_of_the_assignment_and_of_the_cancellation(member, nmr, operators):
    booking = book(member, nmr, mode="assisted")

    def told():
        return sorted(
            Notification.objects.filter(member=operators[0]).values_list("kind", flat=True)
        )

    assert told() == ["op_assigned"]
    assert not Notification.objects.filter(member=operators[1]).exists()

    booking_cancel(actor=member, booking_id=booking.pk, reason="样品未就绪", now=NOW)
    assert told() == ["op_assigned", "op_cancelled"]
    assert "核磁" not in Notification.objects.get(kind="op_cancelled").title


def _reject(booking, nmr):
    manager = MemberFactory(unit=nmr.unit, role=MemberRole.UNIT_MANAGER)
    booking_reject(actor=manager, booking_id=booking.pk, reason="仪器检修", now=NOW)


def _expire(booking, nmr):
    booking_expire(actor=SYSTEM, booking_id=booking.pk, now=booking.start)


def _no_show(booking, nmr):
    late = booking.start + dt.timedelta(minutes=settings.BOOKING_NO_SHOW_GRACE_MINUTES)
    booking_mark_no_show(actor=SYSTEM, booking_id=booking.pk, now=late)


@pytest.mark.parametrize(
    ("requires_approval", "end_it", "status"),
    [(True, _reject, "rejected"), (True, _expire, "expired"), (False, _no_show, "no_show")],
)
def test_the_operator_is_told_whenever_the_session_will_not_happen(
    member, nmr, operators, requires_approval, end_it, status
):
    """Not only a cancellation frees the operator: a rejection, an expiry and a no-show do."""
    Resource.objects.filter(pk=nmr.pk).update(
        requires_approval=requires_approval, requires_checkin=True
    )
    booking = book(member, nmr, mode="assisted")

    end_it(booking, nmr)

    booking.refresh_from_db()
    assert booking.status == status
    kinds = Notification.objects.filter(member=operators[0]).values_list("kind", flat=True)
    assert sorted(kinds) == ["op_assigned", "op_cancelled"]


def test_checking_in_an_assisted_booking_starts_a_session_run_by_its_operator(
    member, nmr, operators
):
    booking = book(member, nmr, mode="assisted")
    booking_check_in(actor=member, booking_id=booking.pk, code=nmr.checkin_code, now=booking.start)
    session = UsageSession.objects.get(booking=booking)
    assert (session.member, session.operator) == (member, operators[0])


def test_staff_book_assisted_use_on_behalf_of_a_member(member, nmr, operators):
    manager = MemberFactory(unit=nmr.unit, role=MemberRole.UNIT_MANAGER)
    booking = book(member, nmr, mode="assisted", operator_id=operators[1].pk, actor=manager)
    assert (booking.member, booking.operator) == (member, operators[1])
    kinds = set(Notification.objects.values_list("member_id", "kind"))
    assert {(member.pk, "booked_for"), (operators[1].pk, "op_assigned")} <= kinds


def test_a_self_use_booking_reads_nothing_more_than_before(member):
    """The scheduler's hot path: the mode checks read the resource already loaded."""
    resource = ResourceFactory(offers_assisted=True)
    with CaptureQueriesContext(connection) as self_use:
        book(member, resource)
    assert not any("operated" in q["sql"] or "operators" in q["sql"] for q in self_use)
    resource_self_only = ResourceFactory()
    with CaptureQueriesContext(connection) as plain:
        book(member, resource_self_only)
    assert len(self_use) == len(plain)
