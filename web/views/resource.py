"""A resource's page: what it is, where it is, its rules, and a week grid to book from.

The grid only formats what the scheduler reads (bookings.selectors.resource_availability_get:
open, busy and bookable time) and marks the member's own bookings; a booking is made by
bookings.services.booking_create, whose refusals (a taken slot with its alternatives, a
broken rule) are shown in their own words. No rule is decided here.

Times on the page and in its forms are the alliance's wall-clock time ("2026-12-01T09:30",
Asia/Shanghai), as the grid shows them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from alliance.errors import Conflict, DomainError, NotFound, ValidationFailed
from bookings.faults import expected_back, member_may_report_fault, resource_out_of_service
from bookings.models import Booking
from bookings.quotas import quota_rule_lines
from bookings.rules import ceil_to_slot
from bookings.selectors import (
    Availability,
    resource_availability_get,
)
from bookings.selectors_lists import (
    member_bookings_of_resource_between,
)
from bookings.services import booking_create
from resources.eligibility import booking_refusal
from resources.intervals import Interval
from resources.models import Resource
from resources.rules_display import rules_display
from resources.selectors import alliance_zone, local_midnight, resource_get
from resources.service_modes import modes_refusal
from web.auth import web_member
from web.views.qualifications import resource_qualification_context
from web.views.resource_modes import form_modes_context, page_modes_context

WEEK_DAYS = 7
#: The grid's finest row; a resource booked in longer slots gets one row per slot.
ROW_MINUTES = 30
#: How far from today the week may be moved (a bad or absurd date shows this week instead).
WEEK_REACH_DAYS = 366
#: The most lengths offered when booking a slot.
DURATION_CHOICES = 16
#: The wire format of a slot's start in the page's links and forms.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_BOOKING_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class Cell:
    """One day's row of the grid. ``state``: own, busy, closed, free or unavailable (open,
    but not bookable now: past, too little notice, beyond the horizon, too short a gap)."""

    state: str
    start: dt.datetime
    book_start: dt.datetime | None = None
    booking: Booking | None = None


@dataclass(frozen=True)
class Row:
    start: dt.time
    cells: list[Cell]


@dataclass(frozen=True)
class Week:
    days: list[dt.date]
    rows: list[Row]
    today: dt.date
    previous: dt.date | None
    next: dt.date


def _resource_or_404(resource_id: int, *, allow_list: bool = False) -> Resource:
    prefetch = ("opening_hours", "allowed_units") if allow_list else ("opening_hours",)
    if allow_list:  # the full page: its photos too
        prefetch = (*prefetch, "photos")
    try:
        return resource_get(resource_id=resource_id, prefetch=prefetch)
    except NotFound:
        raise Http404 from None


def _first_day(request: HttpRequest, today: dt.date) -> dt.date:
    """The week's first day from ``?from=YYYY-MM-DD``; today when absent, malformed or
    farther than WEEK_REACH_DAYS away."""
    try:
        day = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return today
    return day if abs((day - today).days) <= WEEK_REACH_DAYS else today


def _row_step(resource: Resource) -> dt.timedelta:
    """ROW_MINUTES, rounded up to whole slots: every row starts on a slot boundary."""
    slots = max(1, math.ceil(ROW_MINUTES / resource.slot_minutes))
    return dt.timedelta(minutes=resource.slot_minutes * slots)


def _minutes_into(day: dt.date, moment: dt.datetime) -> int:
    return int((moment - local_midnight(day)).total_seconds() // 60)


def _row_range(days: list[dt.date], spans: list[Interval], step: int) -> range:
    """Minutes after midnight of the rows to draw: from the earliest to the latest minute any
    day is open, busy or the member's, in whole steps."""
    low, high = None, None
    for day in days:
        begin, end = local_midnight(day), local_midnight(day + dt.timedelta(days=1))
        for start, stop in spans:
            if start < end and stop > begin:
                first = _minutes_into(day, max(start, begin))
                last = _minutes_into(day, min(stop, end))
                low = first if low is None else min(low, first)
                high = last if high is None else max(high, last)
    if low is None:
        return range(0)
    return range(low // step * step, math.ceil(high / step) * step, step)


def _meets(spans: list[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    return any(s < end and e > start for s, e in spans)


def _bookable_start(
    free: list[Interval], start: dt.datetime, end: dt.datetime, resource: Resource
) -> dt.datetime | None:
    """The first slot start in [start, end) where a booking of the resource's shortest length
    lies inside the scheduler's free time, or None."""
    shortest = dt.timedelta(minutes=resource.min_duration_minutes)
    for f_start, f_end in free:
        if f_start >= end or f_end <= start:
            continue
        first = ceil_to_slot(max(f_start, start), resource.slot)
        if first < end and first + shortest <= f_end:
            return first
    return None


def week_grid(
    *,
    availability: Availability,
    own: list[Booking],
    days: list[dt.date],
    today: dt.date,
    offer: bool = True,
) -> Week:
    """The week as rows of cells, one per day; pure formatting of the scheduler's read.
    Without ``offer`` (the viewer may not book the resource) free time is not offered."""
    resource = availability.resource
    step = _row_step(resource)
    step_minutes = int(step.total_seconds() // 60)
    spans = availability.open + availability.busy + [Interval(b.start, b.end) for b in own]
    rows = []
    for minute in _row_range(days, spans, step_minutes):
        cells = []
        for day in days:
            start = local_midnight(day) + dt.timedelta(minutes=minute)
            end = start + step
            mine = next((b for b in own if b.start < end and b.end > start), None)
            if mine is not None:
                cells.append(Cell("own", start, booking=mine))
            elif _meets(availability.busy, start, end):
                cells.append(Cell("busy", start))
            elif not _meets(availability.open, start, end):
                cells.append(Cell("closed", start))
            elif offer and (book_start := _bookable_start(availability.free, start, end, resource)):
                cells.append(Cell("free", start, book_start=book_start))
            else:
                cells.append(Cell("unavailable", start))
        rows.append(Row(dt.time(minute // 60, minute % 60), cells))
    first = days[0]
    return Week(
        days=days,
        rows=rows,
        today=today,
        previous=first - dt.timedelta(days=WEEK_DAYS) if first > today else None,
        next=first + dt.timedelta(days=WEEK_DAYS),
    )


def _week(request: HttpRequest, resource: Resource, *, offer: bool) -> Week:
    now = timezone.now()
    today = timezone.localdate(now)
    first = _first_day(request, today)
    days = [first + dt.timedelta(days=i) for i in range(WEEK_DAYS)]
    availability = resource_availability_get(
        resource=resource, date_from=days[0], date_to=days[-1], now=now
    )
    member = web_member(request)
    own = (
        member_bookings_of_resource_between(
            member=member, resource_id=resource.pk, start=availability.start, end=availability.end
        )
        if member is not None
        else []
    )
    return week_grid(availability=availability, own=own, days=days, today=today, offer=offer)


def resource_page(request: HttpRequest, resource_id: int) -> HttpResponse:
    """The page, or only its week when htmx moves to another week. Free time is offered as
    buttons only to a member who may book the resource at all; anyone else is told why."""
    resource = _resource_or_404(resource_id, allow_list=True)
    member = web_member(request)
    refusal = None
    if resource.is_retired:
        refusal = ValidationFailed("resource_retired")
    elif member is not None:
        code = booking_refusal(
            member=member,
            resource=resource,
            allowed_unit_ids={unit.pk for unit in resource.allowed_units.all()},
        )
        refusal = ValidationFailed(code) if code else None
    qualification = resource_qualification_context(
        member=member, resource=resource, now=timezone.now()
    )
    # Service modes (issue 10): an unqualified member may still book assisted use.
    modes = page_modes_context(
        resource=resource, qualified=qualification["qualified"] or member is None
    )
    if refusal is None:
        code = modes_refusal(
            resource=resource, qualified=qualification["qualified"] or member is None
        )
        refusal = ValidationFailed(code) if code else None
    context = {
        **qualification,
        **modes,
        "resource": resource,
        "week": _week(request, resource, offer=refusal is None),
        "refusal": refusal,
        "photos": resource.photos.all(),
        "rules": rules_display(resource),
    }
    if not (request.htmx and request.htmx.target == "week"):
        context.update(_fault_context(resource, member))
        context["rules"] += quota_rule_lines(resource)  # issue 12: the quotas, in words
    if request.htmx and request.htmx.target == "week":
        return render(request, "web/resource/_week.html", context)
    return render(request, "web/resource.html", context)


def _fault_context(resource: Resource, member) -> dict:
    """Whether a stopping fault keeps the resource in repair (one query) and whether the
    member may report one (one more, for a member who does not manage it)."""
    out = resource_out_of_service(resource.pk)
    return {
        "out_of_service": out,
        "out_of_service_until": expected_back(out) if out is not None else None,
        "may_report": not resource.is_retired and member_may_report_fault(member, resource),
    }


# Booking from the page --------------------------------------------------------------------


def _sign_in_first(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Visitors book after signing in, then come back to the resource's page."""
    back = reverse("web:resource", args=[resource_id])
    url = f"{reverse('web:sign-in')}?{urlencode({'next': back})}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _local(value: str | None) -> dt.datetime | None:
    """A wall-clock "YYYY-MM-DDTHH:MM" in the alliance's zone, or None."""
    try:
        return dt.datetime.strptime(value or "", LOCAL_FORMAT).replace(tzinfo=alliance_zone())
    except ValueError:
        return None


def slot_request(data) -> tuple[dt.datetime, dt.datetime, int] | None:
    """The slot a booking or waitlist form asks for: its start, its end (``minutes`` later)
    and the attendees; None when any of them is malformed or the length is out of range."""
    start = _local(data.get("start"))
    minutes = _whole(data.get("minutes"))
    attendees = _whole(data.get("attendees"), default=1)
    if start is None or minutes is None or not 0 < minutes <= MAX_BOOKING_MINUTES:
        return None
    if attendees is None:
        return None
    return start, start + dt.timedelta(minutes=minutes), attendees


def _whole(value: str | None, default: int | None = None) -> int | None:
    if value in (None, "") and default is not None:
        return default
    try:
        return int(value or "")
    except ValueError:
        return None


def _lengths(resource: Resource, start: dt.datetime, free: list[Interval]) -> list[int]:
    """Booking lengths (minutes) to offer from ``start``: from the shortest allowed, in the
    grid's steps, as far as the scheduler's free time reaches; at least the shortest, so
    that a slot taken meanwhile is answered by the scheduler (with alternatives)."""
    slot = resource.slot_minutes
    shortest = math.ceil(resource.min_duration_minutes / slot) * slot
    step = int(_row_step(resource).total_seconds() // 60)
    reach = next((e for s, e in free if s <= start < e), start)
    lengths = [
        minutes
        for minutes in range(shortest, resource.max_duration_minutes + 1, step)
        if start + dt.timedelta(minutes=minutes) <= reach
    ]
    return lengths[:DURATION_CHOICES] or [shortest]


def _form(
    request: HttpRequest,
    resource: Resource,
    start: dt.datetime,
    *,
    member,
    values: dict[str, str] | None = None,
    field_errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    day = timezone.localdate(start)
    availability = resource_availability_get(resource=resource, date_from=day, date_to=day)
    qualified = resource_qualification_context(
        member=member, resource=resource, now=timezone.now()
    )["qualified"]
    context = {
        **form_modes_context(resource=resource, qualified=qualified),
        "resource": resource,
        "start": start,
        "lengths": _lengths(resource, start, availability.free),
        "values": values or {},
        "field_errors": field_errors or {},
    }
    return render(request, "web/resource/_book_form.html", context, status=status)


def _refused(request: HttpRequest, resource_id: int, error: DomainError) -> HttpResponse:
    context = {"resource_id": resource_id, "error": error}
    return render(request, "web/resource/_refused.html", context)


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, resource_id: int) -> HttpResponse:
    """GET: the booking form for a tapped slot. POST: ask the scheduler for the booking."""
    member = web_member(request)
    if member is None:
        return _sign_in_first(request, resource_id)
    data = request.POST if request.method == "POST" else request.GET
    start = _local(data.get("start"))
    if start is None:
        return _refused(request, resource_id, ValidationFailed("invalid"))
    if request.method == "GET":
        resource = _resource_or_404(resource_id)
        if resource.is_retired:
            return _refused(request, resource_id, ValidationFailed("resource_retired"))
        # A slot chosen on the search page comes with the length searched for.
        return _form(
            request, resource, start, member=member, values={"minutes": data.get("minutes", "")}
        )
    slot = slot_request(data)
    if slot is None:
        return _refused(request, resource_id, ValidationFailed("invalid"))
    start, end, attendees = slot
    minutes = (end - start) // dt.timedelta(minutes=1)  # the form shows it back
    purpose = data.get("purpose", "")
    mode, operator_id = data.get("mode") or None, _whole(data.get("operator"), default=0)
    if operator_id is None:
        return _refused(request, resource_id, ValidationFailed("invalid"))
    try:
        booking = booking_create(
            member=member,
            resource_id=resource_id,
            start=start,
            end=end,
            purpose=purpose,
            attendees=attendees,
            mode=mode,
            operator_id=operator_id or None,
        )
    except NotFound:
        raise Http404 from None
    except Conflict as conflict:
        if conflict.code != "conflict":
            return _refused(request, resource_id, conflict)
        context = {
            "resource_id": resource_id,
            "error": conflict,
            "alternatives": conflict.extra.get("alternatives", []),
            "similar": conflict.extra.get("similar", []),  # issue 12: similar resources
            "waitlist": conflict.extra.get("waitlist", {}),  # issue 12: wait for this time
            "start": start,
            "minutes": minutes,
            "purpose": purpose,
            "attendees": attendees,
            "mode": mode or "",
            "operator_id": operator_id or "",
        }
        return render(request, "web/resource/_conflict.html", context)
    except ValidationFailed as refusal:
        fields = refusal.extra.get("fields") or {}
        if fields:  # Something to correct in the form (the purpose, the number of people).
            resource = _resource_or_404(resource_id)
            values = {
                "purpose": purpose,
                "minutes": str(minutes),
                "attendees": str(attendees),
                "mode": mode or "",
                "operator": str(operator_id or ""),
            }
            return _form(
                request, resource, start, member=member, values=values, field_errors=fields
            )
        return _refused(request, resource_id, refusal)
    except DomainError as error:
        return _refused(request, resource_id, error)
    response = render(request, "web/resource/_booked.html", {"booking": booking})
    response["HX-Trigger"] = "booking-made"
    return response
