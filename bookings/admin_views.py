"""Custom pages of the back office: the approval queue, approve/reject with a reason, and
the day and week view of one resource's bookings.

These views only read (through bounded queries named below) and call the booking services;
they never write a Booking row themselves. Times are shown in the alliance's zone
(settings.TIME_ZONE, Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookings.lifecycle import REASON_MAX_LENGTH
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus
from bookings.selectors_lists import (
    booking_conflicts_get,
)
from bookings.services import booking_approve, booking_reject
from resources.models import Resource, Weekday
from resources.selectors import alliance_zone, local_midnight, resource_calendar_get

QUEUE_PAGE_SIZE = 50

# --- The approval queue -------------------------------------------------------------------


def approval_queue_view(model_admin: Any, request: Any) -> TemplateResponse:
    """Pending bookings in the user's scope, oldest request first, with their conflicts.

    Queries: the page of bookings (resource, unit and booker joined), its count, and two
    for conflicts, whatever the page holds.
    """
    pending = (
        model_admin.get_queryset(request)
        .filter(status=BookingStatus.PENDING)
        .select_related("resource", "resource__unit", "member", "unit")
        .order_by("created_at", "pk")
    )
    page = Paginator(pending, QUEUE_PAGE_SIZE).get_page(request.GET.get("p"))
    rows = list(page.object_list)
    conflicts = booking_conflicts_get(rows)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Bookings awaiting approval"),
        "page": page,
        "rows": [(booking, conflicts[booking.pk]) for booking in rows],
        "changelist_url": reverse("admin:bookings_booking_changelist"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "may_decide": model_admin.has_decide_permission(request),
    }
    return TemplateResponse(request, "admin/bookings/booking/approval_queue.html", context)


# --- Approve / reject with a reason -------------------------------------------------------


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].help_text = _("The booker is told this reason.")


@dataclass(frozen=True)
class Decision:
    action: str
    service: Any
    reason_required: bool
    title: Any
    button: Any
    done: Any  # count -> the success message


DECISIONS = {
    "approve": Decision(
        action="approve_bookings",
        service=booking_approve,
        reason_required=False,
        title=_("Approve these bookings?"),
        button=_("Approve"),
        done=lambda n: ngettext("%(count)d booking approved.", "%(count)d bookings approved.", n),
    ),
    "reject": Decision(
        action="reject_bookings",
        service=booking_reject,
        reason_required=True,
        title=_("Reject these bookings?"),
        button=_("Reject"),
        done=lambda n: ngettext("%(count)d booking rejected.", "%(count)d bookings rejected.", n),
    ),
}


def bookings_decide(model_admin: Any, request: Any, queryset: Any, *, decision: str) -> Any:
    """The admin action behind "approve" and "reject", like Django's delete confirmation.

    The first POST (from the changelist or the queue) shows the selected bookings and asks
    for a reason (required to reject); the second (``post``) calls the booking service for
    each, in request order, and reports each success and each refusal. ``queryset`` is
    already limited to the user's scope: selected bookings outside it are left alone.
    """
    spec = DECISIONS[decision]
    from_queue = bool(request.POST.get("_from_queue"))
    back = HttpResponseRedirect(reverse("admin:bookings_booking_queue")) if from_queue else None
    bookings = list(
        queryset.select_related("resource", "resource__unit", "member", "unit").order_by(
            "created_at", "pk"
        )
    )
    outside = len(set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))) - len(bookings)
    if outside > 0:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d selected booking is not yours to decide and was left alone.",
                "%(count)d selected bookings are not yours to decide and were left alone.",
                outside,
            )
            % {"count": outside},
            messages.WARNING,
        )
    if not bookings:
        return back
    if request.POST.get("post"):
        form = DecisionForm(request.POST, reason_required=spec.reason_required)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            model_admin.apply_to_each(
                request,
                bookings,
                lambda actor, booking: spec.service(
                    actor=actor, booking_id=booking.pk, reason=reason
                ),
                spec.done,
                label=booking_label,
            )
            return back
    else:
        form = DecisionForm(reason_required=spec.reason_required)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": spec.title,
        "bookings": bookings,
        "form": form,
        "action": spec.action,
        "button": spec.button,
        "from_queue": from_queue,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/bookings/booking/decide_confirmation.html", context)


def booking_label(booking: Booking) -> str:
    """'resource, 2026-11-24 09:00–10:00 (booker)' in the alliance's zone."""
    zone = alliance_zone()
    start = booking.start.astimezone(zone)
    end = booking.end.astimezone(zone)
    return f"{booking.resource}, {start:%Y-%m-%d %H:%M}–{end:%H:%M} ({booking.member.name})"


# --- Day and week view of one resource ----------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One coloured box in a day column; ``top`` and ``height`` are percentages."""

    top: float
    height: float
    kind: str  # "open", "closed" or a booking status
    label: str
    title: str
    url: str = ""


@dataclass
class DayColumn:
    date: dt.date
    weekday: str
    is_today: bool
    blocks: list[Block] = field(default_factory=list)
    now_top: float | None = None


def resource_bookings_between(
    *, resource_id: int, start: dt.datetime, end: dt.datetime
) -> list[Booking]:
    """Every booking of the resource touching [start, end), any status, booker joined.
    One query."""
    return list(
        Booking.objects.filter(resource_id=resource_id, start__lt=end, end__gt=start)
        .select_related("member", "unit")
        .order_by("start", "pk")
    )


def _parse_day(value: str | None, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _hours_window(
    intervals: list[tuple[dt.datetime, dt.datetime]], days: list[dt.date]
) -> tuple[int, int]:
    """The hours of the day to draw: from the earliest to the latest thing shown, whole
    hours, 08:00–20:00 when nothing is shown."""
    low, high = 24, 0
    for day in days:
        midnight = local_midnight(day)
        next_midnight = local_midnight(day + dt.timedelta(days=1))
        for start, end in intervals:
            if start >= next_midnight or end <= midnight:
                continue
            low = min(low, math.floor((max(start, midnight) - midnight).total_seconds() / 3600))
            high = max(high, math.ceil((min(end, next_midnight) - midnight).total_seconds() / 3600))
    if low >= high:
        return 8, 20
    return low, high


def resource_schedule_view(model_admin: Any, request: Any, resource: Resource) -> TemplateResponse:
    """A day or week (Monday first) of one resource: opening hours, closures and bookings.

    ``?view=day|week&date=YYYY-MM-DD``. Queries: opening hours, make-up days, closures
    (resources.selectors.resource_calendar_get) and bookings, whatever the span holds.
    """
    zone = alliance_zone()
    now = timezone.now()
    today = now.astimezone(zone).date()
    view = "day" if request.GET.get("view") == "day" else "week"
    chosen = _parse_day(request.GET.get("date"), today)
    first = chosen if view == "day" else chosen - dt.timedelta(days=chosen.weekday())
    days = [first + dt.timedelta(days=i) for i in range(1 if view == "day" else 7)]
    start = local_midnight(days[0])
    end = local_midnight(days[-1] + dt.timedelta(days=1))

    calendar = resource_calendar_get(resource=resource, start=start, end=end)
    bookings = resource_bookings_between(resource_id=resource.pk, start=start, end=end)
    blocking = [b for b in bookings if b.status in BLOCKING_STATUSES]
    shown = (
        list(calendar.opening)
        + [(c.start, c.end) for c in calendar.closures]
        + [(b.start, b.end) for b in blocking]
    )
    low, high = _hours_window(shown, days)

    columns = []
    for day in days:
        top_at = local_midnight(day) + dt.timedelta(hours=low)
        bottom_at = local_midnight(day) + dt.timedelta(hours=high)
        span = (bottom_at - top_at).total_seconds()

        def place(s: dt.datetime, e: dt.datetime, top_at=top_at, bottom_at=bottom_at, span=span):
            s, e = max(s, top_at), min(e, bottom_at)
            if e <= s:
                return None
            return (
                round((s - top_at).total_seconds() / span * 100, 3),
                round((e - s).total_seconds() / span * 100, 3),
            )

        column = DayColumn(
            date=day, weekday=str(Weekday(day.weekday()).label), is_today=day == today
        )
        for s, e in calendar.opening:
            if (box := place(s, e)) is not None:
                column.blocks.append(Block(*box, kind="open", label="", title=_hhmm(s, e)))
        for closure in calendar.closures:
            if (box := place(closure.start, closure.end)) is not None:
                column.blocks.append(
                    Block(
                        *box,
                        kind="closed",
                        label=closure.reason,
                        title=f"{_hhmm(closure.start, closure.end)} {closure.reason}",
                    )
                )
        for b in blocking:
            if (box := place(b.start, b.end)) is not None:
                column.blocks.append(
                    Block(
                        *box,
                        kind=b.status,
                        label=f"{_hhmm(b.start, b.end)} {b.member.name}",
                        title=f"{_hhmm(b.start, b.end)} {b.member.name} ({b.unit}): {b.purpose}",
                        url=reverse("admin:bookings_booking_change", args=[b.pk]),
                    )
                )
        if day == today and top_at <= now < bottom_at:
            column.now_top = round((now - top_at).total_seconds() / span * 100, 3)
        columns.append(column)

    step = dt.timedelta(days=1 if view == "day" else 7)
    base = reverse("admin:resources_resource_schedule", args=[resource.pk])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": resource,
        "title": _("Schedule of %(name)s") % {"name": resource.name},
        "resource": resource,
        "view": view,
        "columns": columns,
        "hours": [f"{h:02d}:00" for h in range(low, high)],
        "hour_count": high - low,
        "bookings": bookings,
        "first": days[0],
        "last": days[-1],
        "chosen": chosen,
        "prev_url": f"{base}?view={view}&date={(chosen - step).isoformat()}",
        "next_url": f"{base}?view={view}&date={(chosen + step).isoformat()}",
        "today_url": f"{base}?view={view}&date={today.isoformat()}",
        "day_url": f"{base}?view=day&date={chosen.isoformat()}",
        "week_url": f"{base}?view=week&date={chosen.isoformat()}",
        "statuses": [(s, s.label) for s in BookingStatus if s in BLOCKING_STATUSES],
    }
    return TemplateResponse(request, "admin/resources/resource/schedule.html", context)


def _hhmm(start: dt.datetime, end: dt.datetime) -> str:
    zone = alliance_zone()
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"
