"""The waitlist with a timed hold (issue 12, bookings.waitlist): joining at each rule's edge
and the hold passing down the line under a frozen clock, with nothing written on refusal.
Claiming, declining and leaving: test_waitlist_claims.py."""

import datetime as dt

import pytest
import time_machine

from alliance.errors import Conflict, ValidationFailed
from bookings.jobs import run_due_jobs, waitlist_offers_due
from bookings.models import Booking, BookingEvent, CreditAccount, CreditEvent, Quota
from bookings.services import booking_cancel, booking_create, booking_reject
from bookings.waitlist import waitlist_claim, waitlist_decline, waitlist_leave
from bookings.waitlist_models import WaitlistEntry
from notifications.models import Notification
from tests.bookings import waitlist_support
from tests.bookings.waitlist_support import END, MINUTE, NOW, START, entry, join, refused
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

resource, taken = waitlist_support.resource, waitlist_support.taken

pytestmark = pytest.mark.django_db


# --- Joining -------------------------------------------------------------------------------


def test_join_a_taken_slot_puts_the_member_in_line(resource, taken):
    first, second = MemberFactory(), MemberFactory()
    a = join(first, resource)
    b = join(second, resource, now=NOW + MINUTE)
    assert (a.status, a.hold, a.unit) == ("waiting", None, first.unit)
    assert list(WaitlistEntry.objects.filter(resource=resource)) == [a, b]


def test_join_a_free_slot_is_refused_and_says_to_book(resource):
    error = refused(Conflict, lambda: join(MemberFactory(), resource))
    assert error.code == "waitlist_slot_free"


def test_join_a_slot_taken_only_by_a_neighbour_buffer_is_taken(resource):
    resource.buffer_minutes = 30
    resource.save()
    booking_create(
        member=MemberFactory(),
        resource_id=resource.pk,
        start=START - dt.timedelta(hours=1),
        end=START,
        purpose="前一个",
        now=NOW,
    )
    assert join(MemberFactory(), resource).status == "waiting"


def test_join_twice_is_refused(resource, taken):
    member = MemberFactory()
    join(member, resource)
    error = refused(Conflict, lambda: join(member, resource))
    assert error.code == "waitlist_already_joined"


def test_join_keeps_booking_rules_of_the_member(resource, taken):
    member = MemberFactory()
    # Horizon: 30 days ahead is the edge.
    too_far = local(2026, 12, 24, 10)
    assert (
        refused(
            ValidationFailed,
            lambda: join(member, resource, too_far, too_far + dt.timedelta(hours=1)),
        ).code
        == "too_far_ahead"
    )
    assert (
        refused(
            ValidationFailed, lambda: join(member, resource, START, START + dt.timedelta(hours=5))
        ).code
        == "too_long"
    )
    resource.requires_qualification = True
    resource.save()
    assert refused(ValidationFailed, lambda: join(member, resource)).code == "not_qualified"


def test_a_suspended_member_cannot_join(resource, taken):
    member = MemberFactory()
    CreditAccount.objects.create(
        member=member, score=50, recovered_at=NOW, suspended_until=NOW + dt.timedelta(days=3)
    )
    assert refused(ValidationFailed, lambda: join(member, resource)).code == "booking_suspended"


def test_the_number_of_lines_a_member_is_in_is_capped(resource, settings):
    settings.WAITLIST_MAX_ACTIVE_PER_MEMBER = 2
    member = MemberFactory()
    for hour in (9, 10, 11):
        booking_create(
            member=MemberFactory(),
            resource_id=resource.pk,
            start=local(2026, 11, 24, hour),
            end=local(2026, 11, 24, hour + 1),
            purpose="占用",
            now=NOW,
        )
    join(member, resource, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    entry_10 = join(member, resource, local(2026, 11, 24, 10), local(2026, 11, 24, 11))
    error = refused(
        ValidationFailed,
        lambda: join(member, resource, local(2026, 11, 24, 11), local(2026, 11, 24, 12)),
    )
    assert error.code == "waitlist_too_many"
    waitlist_leave(member=member, entry_id=entry_10.pk, now=NOW)  # a left entry no longer counts
    join(member, resource, local(2026, 11, 24, 11), local(2026, 11, 24, 12))


# --- Offering: the hold passes down the line -----------------------------------------------


def test_a_hold_passes_down_the_line_under_a_frozen_clock(
    resource, taken, settings, django_capture_on_commit_callbacks
):
    """A holds -> lapses through the jobs -> B is offered -> B declines -> C is offered ->
    C claims; D stays waiting, and the slot is never free for anyone else meanwhile."""
    settings.WAITLIST_HOLD_MINUTES = 30
    a, b, c, d = (MemberFactory() for _ in range(4))
    with time_machine.travel(NOW, tick=False):
        entries = [join(m, resource, now=NOW + i * MINUTE) for i, m in enumerate((a, b, c, d))]
    ea, eb, ec, ed = (e.pk for e in entries)

    cancelled_at = NOW + dt.timedelta(hours=1)
    with time_machine.travel(cancelled_at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            booking_cancel(actor=taken.member, booking_id=taken.pk)
        first = entry(ea)
        assert first.status == "offered"
        assert (first.hold.status, first.hold.member) == ("held", a)
        assert first.hold_expires_at == cancelled_at + dt.timedelta(minutes=30)
        assert Notification.objects.filter(member=a, kind="waitlist_offered").count() == 1
        assert [entry(pk).status for pk in (eb, ec, ed)] == ["waiting"] * 3
        # The hold blocks others like a pending booking.
        with pytest.raises(Conflict) as exc:
            booking_create(
                member=MemberFactory(), resource_id=resource.pk, start=START, end=END, purpose="x"
            )
        assert exc.value.code == "conflict"

    # One minute before the expiry the jobs leave it; at the expiry it lapses and B is offered.
    with time_machine.travel(first.hold_expires_at - MINUTE, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_jobs()
        assert entry(ea).status == "offered"
    lapsed_at = first.hold_expires_at
    with time_machine.travel(lapsed_at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_jobs()
        assert entry(ea).status == "lapsed"
        assert entry(ea).hold.status == "expired"
        assert entry(ea).hold.events.last().action == BookingEvent.Action.HOLD_LAPSED
        assert Notification.objects.filter(member=a, kind="waitlist_lapsed").count() == 1
        assert entry(eb).status == "offered"
        assert not Notification.objects.filter(member=b, kind="waitlist_lapsed").exists()
        error = refused(Conflict, lambda: waitlist_claim(member=a, entry_id=ea))
        assert error.code == "waitlist_hold_expired"

    with time_machine.travel(lapsed_at + dt.timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            waitlist_decline(member=b, entry_id=eb)
        declined = entry(eb)
        assert declined.status == "declined"
        assert declined.hold.status == "cancelled"
        assert declined.hold.cancelled_late is False
        assert not CreditEvent.objects.filter(member=b).exists()  # declining costs nothing
        assert entry(ec).status == "offered"

    with time_machine.travel(lapsed_at + dt.timedelta(minutes=10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            claimed = waitlist_claim(member=c, entry_id=ec)
        assert claimed.status == "claimed"
        assert claimed.hold.status == "approved"
        assert claimed.hold.events.last().action == BookingEvent.Action.CLAIMED
        assert entry(ed).status == "waiting"
        assert (
            Booking.objects.filter(resource=resource, status__in=Booking.BLOCKING_STATUSES).count()
            == 1
        )

    # When its start comes, D's entry ends unserved.
    with time_machine.travel(START, tick=False):
        waitlist_offers_due(now=START)
        assert entry(ed).status == "expired"


def test_cancellation_offers_the_time_on_commit(
    resource, taken, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    waiting = join(member, resource)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking_cancel(actor=taken.member, booking_id=taken.pk, now=NOW)
    assert entry(waiting.pk).status == "waiting"  # nothing before commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert entry(waiting.pk).status == "offered"


def test_rejection_frees_and_offers(django_capture_on_commit_callbacks):
    resource = ResourceFactory(requires_approval=True)
    pending = booking_create(
        member=MemberFactory(),
        resource_id=resource.pk,
        start=START,
        end=END,
        purpose="待审",
        now=NOW,
    )
    waiting = join(MemberFactory(), resource)
    staff = MemberFactory(unit=resource.unit, role="unit_manager")
    with django_capture_on_commit_callbacks(execute=True):
        booking_reject(actor=staff, booking_id=pending.pk, reason="不符合", now=NOW)
    assert entry(waiting.pk).status == "offered"


def test_only_a_wholly_free_slot_is_offered_and_the_next_in_line_may_get_another(
    resource, django_capture_on_commit_callbacks
):
    """Entries whose time is still partly taken wait; one later in line whose time is free
    gets it."""
    nine = booking_create(
        member=MemberFactory(),
        resource_id=resource.pk,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
        purpose="占用",
        now=NOW,
    )
    ten = booking_create(
        member=MemberFactory(),
        resource_id=resource.pk,
        start=START,
        end=END,
        purpose="占用",
        now=NOW,
    )
    both = join(MemberFactory(), resource, local(2026, 11, 24, 9), END)  # first in line
    only_ten = join(MemberFactory(), resource, now=NOW + MINUTE)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=ten.member, booking_id=ten.pk, now=NOW)
    assert entry(both.pk).status == "waiting"  # 9:00 is still taken
    assert entry(only_ten.pk).status == "offered"
    assert nine.pk


def test_a_member_who_may_no_longer_book_stays_waiting_and_the_next_is_offered(
    resource, taken, django_capture_on_commit_callbacks
):
    suspended, next_one = MemberFactory(), MemberFactory()
    first = join(suspended, resource)
    second = join(next_one, resource, now=NOW + MINUTE)
    CreditAccount.objects.create(
        member=suspended, score=50, recovered_at=NOW, suspended_until=NOW + dt.timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=taken.member, booking_id=taken.pk, now=NOW)
    assert entry(first.pk).status == "waiting"
    assert entry(second.pk).status == "offered"


def test_a_member_over_quota_is_passed_over(resource, taken, django_capture_on_commit_callbacks):
    Quota.objects.create(
        resource=resource, scope="member", measure="bookings", period="day", limit=1
    )
    busy, next_one = MemberFactory(), MemberFactory()
    booking_create(
        member=busy,
        resource_id=resource.pk,
        start=local(2026, 11, 24, 14),
        end=local(2026, 11, 24, 15),
        purpose="已用配额",
        now=NOW,
    )
    first = join(busy, resource)
    second = join(next_one, resource, now=NOW + MINUTE)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=taken.member, booking_id=taken.pk, now=NOW)
    assert entry(first.pk).status == "waiting"
    assert entry(second.pk).status == "offered"


def test_a_hold_counts_against_quotas_once(resource, taken, django_capture_on_commit_callbacks):
    Quota.objects.create(
        resource=resource, scope="member", measure="bookings", period="day", limit=1
    )
    member = MemberFactory()
    waiting = join(member, resource)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=taken.member, booking_id=taken.pk, now=NOW)
    # Held: another booking that day is over the quota; claiming adds nothing.
    with pytest.raises(ValidationFailed, match="quota"):
        booking_create(
            member=member,
            resource_id=resource.pk,
            start=local(2026, 11, 24, 15),
            end=local(2026, 11, 24, 16),
            purpose="x",
            now=NOW,
        )
    assert waitlist_claim(member=member, entry_id=waiting.pk, now=NOW).status == "claimed"


def test_a_lifted_closure_is_offered_by_the_jobs(resource, taken):
    """resources.services.closure_delete cannot reach bookings: the jobs' sweep offers the
    time it frees."""
    from bookings.closures import closure_create_with_cancellations
    from resources.calendar_services import closure_delete

    waiting = join(MemberFactory(), resource)
    staff = MemberFactory(unit=resource.unit, role="unit_manager")
    outcome = closure_create_with_cancellations(
        actor=staff,
        resource_id=resource.pk,
        start=START,
        end=END,
        reason="停电",
        confirm=True,
        now=NOW,
    )
    assert entry(waiting.pk).status == "waiting"  # closed, not free
    assert waitlist_offers_due(now=NOW) == 0
    closure_delete(actor=staff, closure_id=outcome.closure.pk)
    assert entry(waiting.pk).status == "waiting"
    assert waitlist_offers_due(now=NOW) == 1
    assert entry(waiting.pk).status == "offered"


def test_a_shortened_closure_offers_on_commit(resource, taken, django_capture_on_commit_callbacks):
    from django.db import transaction

    from bookings.closures import closure_create_with_cancellations, closure_end_move

    waiting = join(MemberFactory(), resource)
    staff = MemberFactory(unit=resource.unit, role="unit_manager")
    outcome = closure_create_with_cancellations(
        actor=staff,
        resource_id=resource.pk,
        start=START - dt.timedelta(hours=1),
        end=END,
        reason="维修",
        confirm=True,
        now=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        closure_end_move(
            actor=staff, closure_id=outcome.closure.pk, end=START, reason="修好了", now=NOW
        )
    assert entry(waiting.pk).status == "offered"
