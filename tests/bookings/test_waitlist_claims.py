"""The waitlist (issue 12, bookings.waitlist): claiming, declining and leaving a hold, a
closure over a hold, and figures that do not count held time; nothing written on refusal."""

import datetime as dt

import pytest

from alliance.errors import Conflict, NotFound, ValidationFailed
from bookings.figures import resource_figures
from bookings.models import CreditAccount
from bookings.services import booking_cancel
from bookings.waitlist import waitlist_claim, waitlist_decline, waitlist_leave
from notifications.models import Notification
from tests.bookings import waitlist_support
from tests.bookings.waitlist_support import END, MINUTE, NOW, START, entry, join, refused
from tests.factories import MemberFactory

resource, taken = waitlist_support.resource, waitlist_support.taken

pytestmark = pytest.mark.django_db


# --- Claiming, declining, leaving ----------------------------------------------------------


@pytest.fixture
def offered(resource, taken, django_capture_on_commit_callbacks):
    member = MemberFactory()
    waiting = join(member, resource)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=taken.member, booking_id=taken.pk, now=NOW)
    return entry(waiting.pk)


def test_claim_on_a_resource_requiring_approval_is_pending_and_tells_the_deciders(
    resource, offered
):
    resource.requires_approval = True
    resource.save()
    manager = MemberFactory(unit=resource.unit, role="unit_manager")
    claimed = waitlist_claim(member=offered.member, entry_id=offered.pk, now=NOW)
    assert claimed.hold.status == "pending"
    assert Notification.objects.filter(member=manager, kind="requested").exists()


def test_claim_is_refused_at_the_expiry_edge_and_accepted_just_before(offered):
    expires = offered.hold_expires_at
    error = refused(
        Conflict, lambda: waitlist_claim(member=offered.member, entry_id=offered.pk, now=expires)
    )
    assert error.code == "waitlist_hold_expired"
    assert (
        waitlist_claim(member=offered.member, entry_id=offered.pk, now=expires - MINUTE).status
        == "claimed"
    )


def test_claim_rechecks_the_credit_suspension(offered):
    CreditAccount.objects.create(
        member=offered.member,
        score=50,
        recovered_at=NOW,
        suspended_until=NOW + dt.timedelta(days=3),
    )
    error = refused(
        ValidationFailed,
        lambda: waitlist_claim(member=offered.member, entry_id=offered.pk, now=NOW),
    )
    assert error.code == "booking_suspended"


def test_nobody_else_can_claim_decline_or_leave_an_entry(offered):
    other = MemberFactory()
    for act in (waitlist_claim, waitlist_decline, waitlist_leave):
        refused(NotFound, lambda act=act: act(member=other, entry_id=offered.pk, now=NOW))


def test_claim_twice_and_leave_an_offered_entry_are_refused(offered):
    waitlist_claim(member=offered.member, entry_id=offered.pk, now=NOW)
    assert (
        refused(
            Conflict, lambda: waitlist_claim(member=offered.member, entry_id=offered.pk, now=NOW)
        ).code
        == "waitlist_not_offered"
    )
    assert (
        refused(
            Conflict, lambda: waitlist_decline(member=offered.member, entry_id=offered.pk, now=NOW)
        ).code
        == "waitlist_not_offered"
    )
    assert (
        refused(
            Conflict, lambda: waitlist_leave(member=offered.member, entry_id=offered.pk, now=NOW)
        ).code
        == "waitlist_not_waiting"
    )


def test_a_held_booking_cannot_be_cancelled_as_a_booking(offered):
    error = refused(
        Conflict, lambda: booking_cancel(actor=offered.member, booking_id=offered.hold_id, now=NOW)
    )
    assert error.code == "invalid_transition"


def test_leave_then_join_again(resource, taken):
    member = MemberFactory()
    first = join(member, resource)
    assert waitlist_leave(member=member, entry_id=first.pk, now=NOW).status == "left"
    assert join(member, resource).status == "waiting"


def test_a_closure_over_a_hold_cancels_it_and_ends_the_entry(resource, offered):
    from bookings.closures import closure_create_with_cancellations

    staff = MemberFactory(unit=resource.unit, role="unit_manager")
    outcome = closure_create_with_cancellations(
        actor=staff,
        resource_id=resource.pk,
        start=START,
        end=END,
        reason="维修",
        confirm=True,
        now=NOW,
    )
    assert [b.pk for b in outcome.cancelled] == [offered.hold_id]
    assert entry(offered.pk).status == "expired"


# --- Figures ------------------------------------------------------------------------------


def test_figures_do_not_count_held_time_as_booked(resource, offered):
    from bookings.figures import period_parse

    day = START.date().isoformat()
    period = period_parse({"from": day, "to": day}, now=NOW)
    staff = MemberFactory(role="secretariat")
    (row,) = [
        r for r in resource_figures(actor=staff, period=period) if r.resource_id == resource.pk
    ]
    assert row.booked_hours == 0
    waitlist_claim(member=offered.member, entry_id=offered.pk, now=NOW)
    (row,) = [
        r for r in resource_figures(actor=staff, period=period) if r.resource_id == resource.pk
    ]
    assert row.booked_hours == 1
