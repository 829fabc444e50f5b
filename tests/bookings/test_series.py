"""Recurring bookings (issue 12): a rule's occurrences, previewed, then booked all-or-nothing
or skipping clashes; acting on one, the following or all, never on the past or on another
member's booking; one notice per action."""

import datetime as dt
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, BookingSeries, BookingStatus
from bookings.series import series_act, series_create
from bookings.series_selectors import series_occurrences, series_preview
from notifications.models import Notification
from tests.conftest import local
from tests.factories import BookingFactory, ClosureFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
FIRST = local(2026, 11, 24, 9)  # Tuesday; the clock is frozen at Monday 23 Nov 08:00


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


@pytest.fixture
def room():
    return ResourceFactory(max_days_ahead=400, name="会议室A")


@pytest.fixture
def member():
    return MemberFactory()


def create(room, member, rule="FREQ=WEEKLY;COUNT=4", mode="all", **kwargs):
    return series_create(
        member=member,
        resource_id=room.pk,
        rule=rule,
        start=kwargs.pop("start", FIRST),
        duration=kwargs.pop("duration", HOUR),
        purpose="组会",
        mode=mode,
        **kwargs,
    )


# --- Expanding the rule ---------------------------------------------------------------------


def test_weekly_rule_keeps_the_local_time():
    out = series_occurrences(rule="RRULE:FREQ=WEEKLY;COUNT=3", start=FIRST, duration=HOUR)
    assert [o.start for o in out] == [FIRST, local(2026, 12, 1, 9), local(2026, 12, 8, 9)]
    assert all(o.end - o.start == HOUR for o in out)


def test_monthly_on_the_31st_skips_short_months_and_last_day_does_not():
    start = local(2027, 1, 31, 9)
    skipping = series_occurrences(rule="FREQ=MONTHLY;COUNT=3", start=start, duration=HOUR)
    assert [o.start.astimezone(start.tzinfo).date() for o in skipping] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 3, 31),
        dt.date(2027, 5, 31),
    ]
    last = series_occurrences(rule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", start=start, duration=HOUR)
    assert [o.start.astimezone(start.tzinfo).date() for o in last] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY;COUNT=52", None),
        ("FREQ=WEEKLY;COUNT=53", "series_too_many"),
        ("FREQ=WEEKLY", "series_too_many"),  # neither COUNT nor UNTIL
        ("FREQ=DAILY;UNTIL=20270301T000000", "series_too_many"),  # 97 days > 52
        ("FREQ=WEEKLY;UNTIL=20271231T000000", "series_too_long"),  # past 366 days
        ("FREQ=WEEKLY;UNTIL=20261215T235959", None),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=2", "series_rule_invalid"),
        # Never or not within the horizon: refused at once, not after scanning to 9999.
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2;COUNT=2", "series_rule_invalid"),
        ("FREQ=DAILY;BYYEARDAY=400;COUNT=2", "series_rule_invalid"),
        ("FREQ=MONTHLY;COUNT=13", None),  # a year on: 365 days
        ("FREQ=MONTHLY;COUNT=14", "series_too_long"),  # past 366 days
        ("FREQ=HOURLY;COUNT=3", "series_rule_invalid"),
        ("FREQ=WEEKLY;COUNT=2\nRRULE:FREQ=DAILY", "series_rule_invalid"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=WEEKLY;COUNT=2", "series_rule_invalid"),
        ("FREQ=SOMETIMES", "series_rule_invalid"),
        ("", "series_rule_invalid"),
    ],
)
def test_count_and_horizon_bounds(rule, code):
    if code is None:
        assert series_occurrences(rule=rule, start=FIRST, duration=HOUR)
        return
    with pytest.raises(ValidationFailed) as refused:
        series_occurrences(rule=rule, start=FIRST, duration=HOUR)
    assert refused.value.code == code


# --- Preview ------------------------------------------------------------------------------


def test_preview_says_why_each_occurrence_is_not_free_in_one_read(room, member):
    BookingFactory(resource=room, start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))
    ClosureFactory(resource=room, start=local(2026, 12, 8), end=local(2026, 12, 9), reason="检修")
    with CaptureQueriesContext(connection) as queries:
        preview = series_preview(
            member=member,
            resource_id=room.pk,
            rule="FREQ=WEEKLY;COUNT=20",
            start=FIRST,
            duration=HOUR,
            now=local(2026, 11, 23, 8),
        )
    # The resource and its window, whatever the number of occurrences: two statements, sent
    # as one on PostgreSQL (bookings.window_reads).
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    codes = [o.code for o in preview.occurrences]
    assert codes[:4] == [None, "conflict", "closed", None]
    assert preview.occurrences[1].conflicts[0].start == local(2026, 12, 1, 9)
    assert Booking.objects.count() == 1
    assert not BookingSeries.objects.exists()


def test_preview_refuses_what_no_occurrence_could_pass(member):
    retired = ResourceFactory(max_days_ahead=400, is_retired=True)
    with pytest.raises(ValidationFailed) as refused:
        series_preview(
            member=member,
            resource_id=retired.pk,
            rule="FREQ=WEEKLY;COUNT=2",
            start=FIRST,
            duration=HOUR,
            now=local(2026, 11, 23, 8),
        )
    assert refused.value.code == "resource_retired"


def test_occurrences_of_one_series_may_not_overlap_each_other(member):
    room = ResourceFactory(
        max_days_ahead=400,
        max_duration_minutes=1440 * 2,
        hours=[(d, "00:00", "23:59") for d in range(7)],
    )
    preview = series_preview(
        member=member,
        resource_id=room.pk,
        rule="FREQ=DAILY;COUNT=2",
        start=local(2026, 11, 24, 0),
        duration=dt.timedelta(hours=23, minutes=30),
        now=local(2026, 11, 23, 8),
    )
    assert [o.code for o in preview.occurrences] == [None, None]


# --- Create -----------------------------------------------------------------------------


def test_all_or_nothing_books_every_occurrence(room, member):
    made = create(room, member)
    assert len(made.bookings) == 4
    assert not made.skipped
    stored = list(Booking.objects.filter(series=made.series).order_by("start"))
    assert [b.start for b in stored] == [FIRST + dt.timedelta(weeks=i) for i in range(4)]
    assert {b.status for b in stored} == {BookingStatus.APPROVED}
    assert BookingEvent.objects.filter(booking__series=made.series).count() == 4


def test_all_or_nothing_refusal_names_the_dates_and_writes_nothing(room, member):
    other = BookingFactory(resource=room, start=local(2026, 12, 8, 9), end=local(2026, 12, 8, 10))
    with pytest.raises(Conflict) as refused:
        create(room, member)
    assert refused.value.code == "series_clash"
    assert "2026-12-08" in str(refused.value.message)
    assert refused.value.extra["occurrences"][0]["code"] == "conflict"
    assert list(Booking.objects.all()) == [other]
    assert not BookingSeries.objects.exists()
    assert not BookingEvent.objects.exists()
    assert not Notification.objects.exists()


def test_skip_clashes_books_the_free_ones_and_reports_the_rest(room, member):
    BookingFactory(resource=room, start=local(2026, 12, 8, 9), end=local(2026, 12, 8, 10))
    made = create(room, member, mode="skip")
    assert len(made.bookings) == 3
    assert [(o.start, o.code) for o in made.skipped] == [(local(2026, 12, 8, 9), "conflict")]


def test_skip_with_nothing_free_writes_nothing(room, member):
    BookingFactory(resource=room, start=FIRST, end=FIRST + HOUR)
    with pytest.raises(Conflict) as refused:
        create(room, member, rule="FREQ=WEEKLY;COUNT=1", mode="skip")
    assert refused.value.code == "series_nothing_free"
    assert not BookingSeries.objects.exists()


def test_pending_series_tells_the_deciders_once(member):
    room = ResourceFactory(max_days_ahead=400, requires_approval=True)
    manager = MemberFactory(unit=room.unit, role=MemberRole.UNIT_MANAGER)
    made = create(room, member)
    assert {b.status for b in made.bookings} == {BookingStatus.PENDING}
    notices = Notification.objects.filter(member=manager)
    assert notices.count() == 1
    assert notices.get().kind == "requested"
    assert "4" in notices.get().body


# --- Acting on a series ---------------------------------------------------------------------


def test_cancel_this_and_following_leaves_earlier_ones(room, member):
    made = create(room, member)
    third = made.bookings[2]
    acted = series_act(
        actor=member,
        series_id=made.series.pk,
        action="cancel",
        scope="following",
        booking_id=third.pk,
    )
    assert [b.pk for b in acted.changed] == [b.pk for b in made.bookings[2:]]
    statuses = list(made.series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == ["approved", "approved", "cancelled", "cancelled"]
    assert not Notification.objects.exists()  # the booker cancelled their own


def test_cancel_one(room, member):
    made = create(room, member)
    series_act(
        actor=member,
        series_id=made.series.pk,
        action="cancel",
        scope="one",
        booking_id=made.bookings[1].pk,
    )
    statuses = list(made.series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == ["approved", "cancelled", "approved", "approved"]


def test_cancel_all_never_touches_a_started_occurrence(room, member):
    made = create(room, member)
    with time_machine.travel(FIRST + dt.timedelta(minutes=30), tick=False):
        acted = series_act(actor=member, series_id=made.series.pk, action="cancel")
    assert made.bookings[0].pk not in [b.pk for b in acted.changed]
    first = Booking.objects.get(pk=made.bookings[0].pk)
    assert first.status == BookingStatus.APPROVED
    assert len(acted.changed) == 3


def test_series_action_never_touches_another_members_booking(room, member):
    made = create(room, member)
    intruder = BookingFactory(
        resource=room,
        start=local(2026, 12, 30, 9),
        end=local(2026, 12, 30, 10),
        series=made.series,  # a row pointing at the series, but someone else's
    )
    series_act(actor=member, series_id=made.series.pk, action="cancel")
    intruder.refresh_from_db()
    assert intruder.status == BookingStatus.APPROVED


def test_others_may_not_cancel_and_strangers_do_not_see_it(room, member):
    made = create(room, member)
    with pytest.raises(NotFound):
        series_act(actor=MemberFactory(), series_id=made.series.pk, action="cancel")
    booker_manager = MemberFactory(unit=member.unit, role=MemberRole.UNIT_MANAGER)
    with pytest.raises(AccessDenied):  # sees the booker's unit's bookings, decides none
        series_act(actor=booker_manager, series_id=made.series.pk, action="approve")
    assert not Booking.objects.exclude(status=BookingStatus.APPROVED).exists()


def test_approve_and_reject_all_send_one_notice_each(member):
    room = ResourceFactory(max_days_ahead=400, requires_approval=True)
    manager = MemberFactory(unit=room.unit, role=MemberRole.UNIT_MANAGER)
    made = create(room, member)
    series_act(
        actor=manager,
        series_id=made.series.pk,
        action="approve",
        scope="one",
        booking_id=made.bookings[0].pk,
    )
    with pytest.raises(ValidationFailed):
        series_act(actor=manager, series_id=made.series.pk, action="reject")  # no reason
    series_act(actor=manager, series_id=made.series.pk, action="reject", reason="时间冲突")
    statuses = list(made.series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == ["approved", "rejected", "rejected", "rejected"]
    kinds = sorted(Notification.objects.filter(member=member).values_list("kind", flat=True))
    assert kinds == ["approved", "rejected"]
    with pytest.raises(Conflict) as nothing:
        series_act(actor=manager, series_id=made.series.pk, action="reject", reason="再次")
    assert nothing.value.code == "series_nothing_to_do"


def test_an_impossible_rule_is_refused_fast():
    began = time.monotonic()
    with pytest.raises(ValidationFailed):
        series_occurrences(rule="FREQ=DAILY;BYYEARDAY=400;COUNT=2", start=FIRST, duration=HOUR)
    assert time.monotonic() - began < 2


def test_a_start_near_the_end_of_time_is_refused_not_a_crash():
    with pytest.raises(ValidationFailed):
        series_occurrences(
            rule="FREQ=DAILY;COUNT=2",
            start=dt.datetime(9999, 12, 31, 9, tzinfo=dt.UTC),
            duration=HOUR,
        )


# --- Fair-use rules hold for a series as for one booking (issue 12) ----------------------------


def test_a_suspended_member_books_no_series(room, member, frozen_now):
    from bookings.models import CreditAccount

    CreditAccount.objects.create(
        member=member,
        score=40,
        recovered_at=frozen_now,
        suspended_until=frozen_now + dt.timedelta(days=30),
    )
    with pytest.raises(ValidationFailed) as refused:
        create(room, member)
    assert refused.value.code == "booking_suspended"
    assert not BookingSeries.objects.exists()
    assert not Booking.objects.exists()


def test_a_series_never_books_past_a_quota_and_its_refusal_stores_nothing(room, member):
    from bookings.models import Quota

    Quota.objects.create(resource=room, scope="member", measure="bookings", period="month", limit=2)
    with pytest.raises(ValidationFailed) as refused:
        create(room, member, rule="FREQ=WEEKLY;COUNT=4")  # three of them in December
    assert refused.value.code == "quota_exceeded"
    assert not BookingSeries.objects.exists()
    assert not Booking.objects.exists()
    created = create(room, member, rule="FREQ=WEEKLY;COUNT=2")  # one in Nov, one in Dec
    assert len(created.bookings) == 2
