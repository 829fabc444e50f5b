"""Recurring bookings in the web app (issue 12): the repeat option of the resource page's
booking form (preview, then all-or-nothing or skip clashes) and "My series", where a member
cancels one occurrence, it and the following, or all.

The rules are the scheduler's (bookings.series, bookings.series_selectors); this only parses
the form, calls one service or selector and renders.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotFound, ValidationFailed
from bookings.models import Booking
from bookings.series import series_act, series_create
from bookings.series_models import SERIES_MAX_OCCURRENCES
from bookings.series_selectors import series_list_for_member, series_preview
from web.auth import member_required, web_member
from web.views.resource import MAX_BOOKING_MINUTES, _local, _refused, _sign_in_first, _whole

FREQUENCIES = {"weekly": "WEEKLY", "monthly": "MONTHLY"}


def _rule(data) -> str | None:
    """The RRULE of the form's repeat choice: weekly or monthly, a count or an end date."""
    frequency = FREQUENCIES.get(data.get("repeat", ""))
    if frequency is None:
        return None
    until = data.get("until", "")
    if until:
        try:
            day = dt.date.fromisoformat(until)
        except ValueError:
            return None
        return f"FREQ={frequency};UNTIL={day:%Y%m%d}T235959"
    count = _whole(data.get("count"), default=4)
    if count is None or not 1 <= count <= SERIES_MAX_OCCURRENCES + 1:
        return None
    return f"FREQ={frequency};COUNT={count}"


def _ask(request: HttpRequest, resource_id: int) -> dict | DomainError:
    data = request.POST
    start = _local(data.get("start"))
    minutes = _whole(data.get("minutes"))
    attendees = _whole(data.get("attendees"), default=1)
    rule = _rule(data)
    if start is None or minutes is None or not 0 < minutes <= MAX_BOOKING_MINUTES:
        return ValidationFailed("invalid")
    if attendees is None:
        return ValidationFailed("invalid")
    if rule is None:
        return ValidationFailed("series_rule_invalid")
    return {
        "resource_id": resource_id,
        "rule": rule,
        "start": start,
        "duration": dt.timedelta(minutes=minutes),
        "attendees": attendees,
    }


def _hidden(request: HttpRequest) -> dict[str, str]:
    """The form's values, carried on to the create step."""
    keys = ("start", "minutes", "attendees", "purpose", "repeat", "count", "until")
    return {key: request.POST.get(key, "") for key in keys}


@require_POST
def preview(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Every occurrence of the repeat with free or why not; writes nothing."""
    member = web_member(request)
    if member is None:
        return _sign_in_first(request, resource_id)
    ask = _ask(request, resource_id)
    if isinstance(ask, DomainError):
        return _refused(request, resource_id, ask)
    try:
        answer = series_preview(member=member, now=timezone.now(), **ask)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, resource_id, error)
    context = {"resource_id": resource_id, "preview": answer, "values": _hidden(request)}
    return render(request, "web/resource/_series_preview.html", context)


@require_POST
def create(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Book the repeat: every occurrence or none (``all``), or the free ones (``skip``)."""
    member = web_member(request)
    if member is None:
        return _sign_in_first(request, resource_id)
    ask = _ask(request, resource_id)
    if isinstance(ask, DomainError):
        return _refused(request, resource_id, ask)
    try:
        made = series_create(
            member=member,
            purpose=request.POST.get("purpose", ""),
            mode=request.POST.get("mode", "all"),
            **ask,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, resource_id, error)
    return render(request, "web/resource/_series_booked.html", {"made": made})


@member_required
def my_series(request: HttpRequest) -> HttpResponse:
    """The member's series with their occurrences. Queries: 2 (+ the session's)."""
    member = web_member(request)
    occurrences = Booking.objects.filter(member_id=member.pk).order_by("start")
    series = series_list_for_member(member=member).prefetch_related(
        Prefetch("occurrences", queryset=occurrences)
    )
    return render(request, "web/series.html", {"series_list": series, "now": timezone.now()})


@require_POST
@member_required
def cancel(request: HttpRequest, series_id: int) -> HttpResponse:
    """Cancel one occurrence, it and the following, or all of one's own series."""
    member = web_member(request)
    booking_id = _whole(request.POST.get("booking"))
    try:
        acted = series_act(
            actor=member,
            series_id=series_id,
            action="cancel",
            scope=request.POST.get("scope", "all"),
            booking_id=booking_id,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("%(count)s occurrences cancelled.") % {"count": len(acted.changed)}
        )
    return redirect("web:my-series")
