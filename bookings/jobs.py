"""Time-driven work: expiry, reminders, no-shows, completion, the waitlist's holds, and
WeChat message delivery.

Each job is a plain function of ``now`` that finds what is due with one query and moves
each booking through its own lifecycle function, in its own short transaction. That makes
the jobs safe to run from several workers at once and to repeat: a booking another worker
already moved is skipped (the transition refuses it as no longer allowed or not due).

By default ``python manage.py run_jobs --loop`` runs them every few seconds against the
database alone; a deployment with a real queue (Celery beat, RQ scheduler, cron) may call
``run_due_jobs`` or any single job on its own schedule instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from alliance.actors import SYSTEM
from alliance.errors import DomainError
from bookings.figures.rollup import figures_rollup_refresh
from bookings.lifecycle import (
    booking_complete,
    booking_expire,
    booking_mark_no_show,
    booking_remind,
    minutes_setting,
)
from bookings.models import Booking, BookingStatus, UsageSession
from bookings.qualifications import qualifications_lapse_due, qualifications_remind_due
from bookings.usage import usage_close_overdue
from bookings.waitlist import waitlist_hold_lapse
from bookings.waitlist_models import WaitlistEntry, WaitlistStatus
from bookings.waitlist_offer import waitlist_offer, waitlist_resources_to_offer
from notifications.services import outbox_deliver_due

logger = logging.getLogger(__name__)
BATCH = 200


def _run_each(ids: list[int], transition: Callable[..., Booking], now: dt.datetime) -> int:
    done = 0
    for booking_id in ids:
        try:
            transition(actor=SYSTEM, booking_id=booking_id, now=now)
        except DomainError as exc:  # moved on meanwhile (another worker, a user): skip
            logger.info("skipped booking %s: %s", booking_id, exc.code)
        else:
            done += 1
    return done


def bookings_expire_due(*, now: dt.datetime) -> int:
    ids = Booking.objects.filter(status=BookingStatus.PENDING, start__lte=now).values_list(
        "pk", flat=True
    )[:BATCH]
    return _run_each(list(ids), booking_expire, now)


def bookings_remind_due(*, now: dt.datetime) -> int:
    ids = Booking.objects.filter(
        status=BookingStatus.APPROVED,
        reminded_at__isnull=True,
        start__gt=now,
        start__lte=now + minutes_setting("BOOKING_REMINDER_LEAD_MINUTES"),
    ).values_list("pk", flat=True)[:BATCH]
    return _run_each(list(ids), booking_remind, now)


def bookings_mark_no_shows_due(*, now: dt.datetime) -> int:
    ids = Booking.objects.filter(
        status=BookingStatus.APPROVED,
        resource__requires_checkin=True,
        checked_in_at__isnull=True,
        start__lte=now - minutes_setting("BOOKING_NO_SHOW_GRACE_MINUTES"),
    ).values_list("pk", flat=True)[:BATCH]
    return _run_each(list(ids), booking_mark_no_show, now)


def bookings_complete_due(*, now: dt.datetime) -> int:
    ids = (
        Booking.objects.filter(status=BookingStatus.APPROVED, end__lte=now)
        .filter(Q(checked_in_at__isnull=False) | Q(resource__requires_checkin=False))
        .values_list("pk", flat=True)[:BATCH]
    )
    return _run_each(list(ids), booking_complete, now)


def usage_sessions_close_due(*, now: dt.datetime) -> int:
    """Close sessions left running past their booking's end plus the grace, or walk-up
    sessions past their longest length; each is flagged (bookings.usage)."""
    grace = minutes_setting("USAGE_SESSION_GRACE_MINUTES")
    longest = minutes_setting("USAGE_WALK_UP_MAX_MINUTES")
    ids = (
        UsageSession.objects.filter(stopped_at__isnull=True)
        .filter(
            Q(booking__isnull=False, booking__end__lte=now - grace)
            | Q(booking__isnull=True, started_at__lte=now - longest)
        )
        .values_list("pk", flat=True)[:BATCH]
    )
    done = 0
    for session_id in list(ids):
        try:
            usage_close_overdue(actor=SYSTEM, session_id=session_id, now=now)
        except DomainError as exc:  # stopped meanwhile
            logger.info("skipped session %s: %s", session_id, exc.code)
        else:
            done += 1
    return done


def waitlist_offers_due(*, now: dt.datetime) -> int:
    """The waitlist's backstop (issue 12, bookings.waitlist): lapse the holds past their
    ``hold_expires_at`` (each offers its time to the next in line after commit), end the
    waiting entries whose slot has started, and offer free time to waiting entries that the
    fast path missed (a closure lifted in resources, an offer that found the lock busy).
    Returns holds lapsed plus offers made."""
    hold_ids = WaitlistEntry.objects.filter(
        status=WaitlistStatus.OFFERED, hold_expires_at__lte=now
    ).values_list("hold_id", flat=True)[:BATCH]
    done = _run_each(list(hold_ids), waitlist_hold_lapse, now)
    WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, start__lte=now).update(
        status=WaitlistStatus.EXPIRED, updated_at=now
    )
    for resource_id in waitlist_resources_to_offer(now=now, limit=BATCH):
        try:
            done += len(waitlist_offer(resource_id=resource_id, now=now))
        except OperationalError as exc:  # the resource's lock is busy: next run
            logger.info("waitlist offer on resource %s skipped: %s", resource_id, exc)
    return done


def messages_deliver_due(*, now: dt.datetime) -> int:
    return outbox_deliver_due(now=now)


def figures_rollup_job(*, now: dt.datetime) -> int:
    """Recounts the figures' days marked since the last refresh (bookings.figures.rollup)."""
    return figures_rollup_refresh()


#: In this order: a pending booking that started expires before anything else looks at it.
JOBS: list[tuple[str, Callable[..., int]]] = [
    ("expire", bookings_expire_due),
    ("remind", bookings_remind_due),
    ("no_show", bookings_mark_no_shows_due),
    ("complete", bookings_complete_due),
    ("waitlist", waitlist_offers_due),
    ("close_sessions", usage_sessions_close_due),
    ("qualification_lapse", qualifications_lapse_due),
    ("qualification_remind", qualifications_remind_due),
    ("deliver", messages_deliver_due),
    # Last: what the jobs above changed is counted before anyone reads the figures.
    ("figures_rollup", figures_rollup_job),
]


def run_due_jobs(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every job once; returns how many items each handled."""
    now = now or timezone.now()
    return {name: job(now=now) for name, job in JOBS}
