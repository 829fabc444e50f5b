"""Reads of recurring bookings (issue 12): expanding a rule and previewing its occurrences.

``series_preview`` answers, before anything is stored, every occurrence of a rule with
whether it is free or why not: the scheduler's own rules (bookings.rules, the same checks
booking_create makes) and its conflicts, decided from ONE read of the resource and ONE of
its calendar and blocking bookings over the whole series (bookings.selectors
booking_window_get), so two statements whatever the number of occurrences (one round trip
on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulestr
from django.db.models import Prefetch, QuerySet

from alliance.access import bookings_visible_to
from alliance.errors import DomainError, NotFound, ValidationFailed
from alliance.models import Member
from bookings.models import Booking, BookingSeries
from bookings.rules import booking_access_check, booking_rules_check
from bookings.selectors import BlockingSpan, booking_window_get
from bookings.series_models import (
    SERIES_MAX_HORIZON,
    SERIES_MAX_OCCURRENCES,
    SERIES_RULE_MAX_LENGTH,
)
from resources.intervals import Interval
from resources.selectors import alliance_zone

#: The frequencies a series may repeat at: a daily, weekly or monthly meeting or Party day.
SERIES_FREQUENCIES = (DAILY, WEEKLY, MONTHLY)


def series_occurrences(*, rule: str, start: dt.datetime, duration: dt.timedelta) -> list[Interval]:
    """Every occurrence of ``rule`` (RFC 5545 RRULE text, with or without the ``RRULE:``
    prefix) from ``start``, each ``duration`` long, expanded by python-dateutil on the wall
    clock of Asia/Shanghai (no daylight saving there, so every occurrence starts at the same
    local time). A monthly rule on the 31st skips shorter months, as RFC 5545 says; use
    ``BYMONTHDAY=-1`` for the last day of each month.

    Refused (ValidationFailed): a rule that does not parse or repeats other than daily,
    weekly or monthly (``series_rule_invalid``); one without COUNT or UNTIL or with more than
    SERIES_MAX_OCCURRENCES occurrences (``series_too_many``); one reaching past
    SERIES_MAX_HORIZON after the start (``series_too_long``); one with no occurrence.
    """
    text = (rule or "").strip()
    if not text or len(text) > SERIES_RULE_MAX_LENGTH or "\n" in text:
        raise ValidationFailed("series_rule_invalid", fields={"rule": ["invalid"]})
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if "DTSTART" in text.upper() or ":" in text:
        raise ValidationFailed("series_rule_invalid", fields={"rule": ["invalid"]})
    invalid = ValidationFailed("series_rule_invalid", fields={"rule": ["invalid"]})
    too_many = ValidationFailed(
        "series_too_many", params={"count": SERIES_MAX_OCCURRENCES}, fields={"rule": ["count"]}
    )
    too_long = ValidationFailed(
        "series_too_long", params={"days": SERIES_MAX_HORIZON.days}, fields={"rule": ["horizon"]}
    )
    try:
        local = start.astimezone(alliance_zone()).replace(tzinfo=None)
        horizon = local + SERIES_MAX_HORIZON
        parsed = rrulestr(text, dtstart=local, forceset=False)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        raise invalid from None
    if not isinstance(parsed, rrule) or parsed._freq not in SERIES_FREQUENCIES:
        raise invalid
    if parsed._interval < 1 or not _parts_allowed(text) or not _some_day_exists(parsed):
        raise invalid
    count, until = parsed._count, parsed._until
    if count is None and until is None:
        raise too_many
    if until is not None and until > horizon:
        raise too_long
    # Expanded only up to the horizon: a rule that never or rarely matches (Feb 31st) would
    # otherwise make dateutil scan the calendar up to the year 9999.
    try:
        bounded = parsed.replace(count=None, until=until or horizon)
        starts = list(itertools.islice(iter(bounded), SERIES_MAX_OCCURRENCES + 1))
    except (ValueError, OverflowError):
        raise invalid from None
    if not starts:  # nothing within the horizon: Feb 31st, or a first one a year away
        raise ValidationFailed("series_rule_invalid", fields={"rule": ["empty"]})
    if count is not None:
        if count > SERIES_MAX_OCCURRENCES:
            raise too_many
        if len(starts) < count:  # the rest lies past the horizon (or never comes)
            raise too_long
        starts = starts[:count]
    if len(starts) > SERIES_MAX_OCCURRENCES:
        raise too_many
    zone = alliance_zone()
    out = []
    for naive in starts:
        begin = naive.replace(tzinfo=zone).astimezone(dt.UTC)
        out.append(Interval(begin, begin + duration))
    return out


#: The rule parts a series may use. Others (BYYEARDAY, BYWEEKNO, BYSETPOS, BYHOUR…) are left
#: out: a weekly meeting or a monthly day needs none, and dateutil scans the calendar up to
#: the year 9999 looking for a match of a rule that never matches (BYYEARDAY=400).
SERIES_RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"}
#: The longest each month gets (February in a leap year).
MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _parts_allowed(text: str) -> bool:
    names = [part.split("=", 1)[0].strip().upper() for part in text.split(";") if part.strip()]
    return all(name in SERIES_RULE_PARTS for name in names)


def _some_day_exists(parsed: rrule) -> bool:
    """Whether some month of the rule has one of its month days (February 30th never
    comes; dateutil would look for it until the year 9999). With BYDAY too, a matching
    weekday follows within the calendar's 400-year cycle, in a bounded scan."""
    days = list(parsed._bymonthday or ()) + list(parsed._bynmonthday or ())
    if not days:
        return True
    months = parsed._bymonth or tuple(MONTH_DAYS)
    return any(abs(day) <= MONTH_DAYS[month] for month in months for day in days)


@dataclass(frozen=True)
class OccurrencePreview:
    start: dt.datetime
    end: dt.datetime
    #: None when free; else the refusal's code (``conflict``, ``closed``, ``too_far_ahead``…).
    code: str | None = None
    message: str = ""
    conflicts: list[Interval] = field(default_factory=list)

    @property
    def free(self) -> bool:
        return self.code is None


@dataclass(frozen=True)
class SeriesPreview:
    resource_id: int
    occurrences: list[OccurrencePreview]

    @property
    def free(self) -> list[OccurrencePreview]:
        return [o for o in self.occurrences if o.free]

    @property
    def clashes(self) -> list[OccurrencePreview]:
        return [o for o in self.occurrences if not o.free]


def _refusal(start: dt.datetime, end: dt.datetime, error: DomainError, conflicts=()):
    return OccurrencePreview(start, end, error.code, str(error.message), list(conflicts))


def series_preview(
    *,
    member: Member,
    resource_id: int,
    rule: str,
    start: dt.datetime,
    duration: dt.timedelta,
    attendees: int = 1,
    now: dt.datetime,
) -> SeriesPreview:
    """Every occurrence of the series with whether it is free or why not. Writes nothing.

    The rules that do not depend on when (membership, units, allow-list, retirement,
    qualification, capacity) refuse the whole series (ValidationFailed, as booking_create
    would); an unknown resource is NotFound. Each occurrence then gets the first broken
    time rule's code, else ``conflict`` with what is in the way (other bookings, or an
    earlier occurrence of the same series with the resource's buffer), else free.
    Queries: 2, sent as one on PostgreSQL (bookings.selectors.booking_window_get over the
    whole series).
    """
    occurrences = series_occurrences(rule=rule, start=start, duration=duration)
    span = Interval(occurrences[0].start, occurrences[-1].end)
    window = booking_window_get(
        resource_id=resource_id,
        member=member,
        start=span.start,
        end=span.end,
        now=now,
        span=span,
    )
    if window is None:
        raise NotFound()
    resource = window.resource
    booking_access_check(
        resource=resource,
        member=member,
        allowed_unit_ids=window.allowed_unit_ids,
        attendees=attendees,
        qualified=window.member_qualified,
    )
    taken: list[BlockingSpan] = []  # earlier free occurrences of this series
    answers = []
    for occurrence in occurrences:
        s, e = occurrence.start, occurrence.end
        try:
            booking_rules_check(
                resource=resource,
                member=member,
                allowed_unit_ids=window.allowed_unit_ids,
                start=s,
                end=e,
                attendees=attendees,
                now=now,
                calendar=lambda: window.calendar,
                qualified=window.member_qualified,
            )
        except ValidationFailed as refusal:
            answers.append(_refusal(s, e, refusal))
            continue
        reach = e + resource.buffer
        in_the_way = window.in_the_way(s, e) + [
            b for b in taken if b.start < reach and b.blocked_until > s
        ]
        if in_the_way:
            conflicts = [Interval(b.start, b.end) for b in sorted(in_the_way)]
            answers.append(_refusal(s, e, DomainError("conflict"), conflicts))
            continue
        taken.append(BlockingSpan(s, e, e + resource.buffer))
        answers.append(OccurrencePreview(s, e))
    return SeriesPreview(resource_id=resource.pk, occurrences=answers)


def series_clash_dates(preview: SeriesPreview) -> str:
    """The local dates of the clashing occurrences, for the ``series_clash`` message."""
    zone = alliance_zone()
    return ", ".join(f"{o.start.astimezone(zone):%Y-%m-%d}" for o in preview.clashes)


# --- The caller's series ------------------------------------------------------------------


def series_list_for_member(*, member: Member) -> QuerySet[BookingSeries]:
    """The series the member booked, newest first, with their resource."""
    return BookingSeries.objects.filter(member=member).select_related("resource")


def series_get_for_member(*, member: Member, series_id: int) -> BookingSeries:
    """One series with its occurrences the member may see (their own, or as its resource's
    manager or the secretariat: alliance.access.bookings_visible_to); NotFound otherwise.
    Queries: 2."""
    occurrences = Booking.objects.filter(bookings_visible_to(member)).order_by("start")
    series = (
        BookingSeries.objects.select_related("resource", "member")
        .prefetch_related(Prefetch("occurrences", queryset=occurrences))
        .filter(pk=series_id)
        .first()
    )
    if series is None or not series.occurrences.all():
        raise NotFound()
    return series
