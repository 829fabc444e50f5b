"""The staff area (issue 9): the schedule across resources, and what staff do from it.

Unit managers see their own unit's resources, the secretariat the whole alliance's
(bookings.selectors_staff, which asks alliance.access); everyone else gets 403. From a free
cell staff book on behalf of a member or add a closure (a confirmation step first lists the
bookings it would cancel); from a booking they approve, reject or cancel it with a reason.
Every write is one service call (bookings.services, bookings.closures, bookings.lifecycle),
which checks access again; its refusals are shown in words. After a write the dialog says
so and the grid reloads itself (the ``schedule-changed`` event).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from alliance.errors import DomainError
from bookings.closures import closure_create_with_cancellations, closure_hits_preview
from bookings.lifecycle import booking_approve, booking_cancel, booking_reject
from bookings.on_behalf import beneficiary_get
from bookings.selectors_staff import (
    DAY,
    WEEK,
    beneficiaries_search,
    member_is_staff,
    staff_booking_get,
    staff_resource_get,
    staff_schedule_get,
)
from bookings.service_modes import BOOKING_MODE_CHOICES, operators_eligible
from bookings.services import booking_create
from resources.models import ResourceKind
from web.auth import member_required, web_member

if TYPE_CHECKING:
    from collections.abc import Callable

    from alliance.models import Member
    from resources.models import Resource

CHANGED = "schedule-changed"
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
DURATIONS = [30, 60, 90, 120, 180, 240, 360, 480]


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the sign-in page) and staff (else 403)."""

    @member_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not member_is_staff(web_member(request)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@staff_required
def staff_index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff/index.html")


# --- The schedule -------------------------------------------------------------------------


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _unit_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_required
def schedule(request: HttpRequest) -> HttpResponse:
    """The day (hours as columns) or week (days as columns) grid; htmx gets the grid only."""
    member = web_member(request)
    view = WEEK if request.GET.get("view") == WEEK else DAY
    day = _day(request.GET.get("day"))
    filters = {
        "kind": request.GET.get("kind", ""),
        "unit": _unit_id(request.GET.get("unit")),
        "q": request.GET.get("q", "").strip()[:50],
    }
    grid = staff_schedule_get(
        member=member,
        view=view,
        day=day,
        kind=filters["kind"],
        unit_id=filters["unit"],
        keyword=filters["q"],
    )
    step = dt.timedelta(days=7 if view == WEEK else 1)
    context = {
        "grid": grid,
        "view": view,
        "filters": filters,
        "kinds": ResourceKind.choices,
        "prev_day": grid.day - step,
        "next_day": grid.day + step,
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    template = "web/staff/schedule_grid.html" if request.htmx else "web/staff/schedule.html"
    return render(request, template, context)


# --- From a free cell: book on behalf, close ----------------------------------------------


def _resource(request: HttpRequest, resource_id: str | None) -> Resource:
    member = web_member(request)
    if not resource_id or not resource_id.isdigit():
        raise Http404
    resource = staff_resource_get(member=member, resource_id=int(resource_id))
    if resource is None:
        raise Http404
    return resource


def _changed(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, CHANGED, after="settle")


class OnBehalfForm(forms.Form):
    member = forms.IntegerField(label=gettext_lazy("Member"))
    start = forms.DateTimeField(label=gettext_lazy("Start"))
    minutes = forms.TypedChoiceField(
        label=gettext_lazy("Length"),
        coerce=int,
        choices=[(m, f"{m // 60}:{m % 60:02d}") for m in DURATIONS],
    )
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    # Service modes (issue 10): self-use by default; assisted with an operator or any free one.
    mode = forms.ChoiceField(required=False, choices=[("", ""), *BOOKING_MODE_CHOICES])
    operator = forms.IntegerField(required=False, min_value=1)


@staff_required
def book_on_behalf(request: HttpRequest) -> HttpResponse:
    """代预约: the form (GET), then bookings.services.booking_create with ``actor`` (POST)."""
    member = web_member(request)
    data = request.POST if request.method == "POST" else request.GET
    resource = _resource(request, data.get("resource"))
    context: dict[str, object] = {"resource": resource, "durations": DURATIONS}
    if resource.offers_assisted:  # one query, only for a resource offering assisted use
        context["operators"] = list(operators_eligible(resource=resource))
    if request.method != "POST":
        context["start"] = data.get("start", "")
        return render(request, "web/staff/schedule_book.html", context)
    form = OnBehalfForm(request.POST)
    query = request.POST.get("q", "").strip()
    context.update(
        start=request.POST.get("start", ""),
        form=form,
        q=query,
        chosen=request.POST.get("member", ""),
        members=beneficiaries_search(resource=resource, query=query) if query else [],
    )
    if not form.is_valid():
        context["error"] = _("Choose a member, a start, a length and say what for.")
        return render(request, "web/staff/schedule_book.html", context)
    start = form.cleaned_data["start"]
    try:
        booking = booking_create(
            member=beneficiary_get(member_id=form.cleaned_data["member"]),
            resource_id=resource.pk,
            start=start,
            end=start + dt.timedelta(minutes=form.cleaned_data["minutes"]),
            purpose=form.cleaned_data["purpose"],
            actor=member,
            mode=form.cleaned_data["mode"] or None,
            operator_id=form.cleaned_data["operator"],
        )
    except DomainError as error:
        context["error"] = error.message
        return render(request, "web/staff/schedule_book.html", context)
    return _changed(render(request, "web/staff/schedule_booked.html", {"booking": booking}))


@staff_required
def member_search(request: HttpRequest) -> HttpResponse:
    """Members the resource admits whose name contains ``q`` (the on-behalf form's picker)."""
    resource = _resource(request, request.GET.get("resource"))
    query = request.GET.get("q", "").strip()
    members = beneficiaries_search(resource=resource, query=query) if query else []
    return render(request, "web/staff/schedule_members.html", {"members": members, "q": query})


class ClosureForm(forms.Form):
    start = forms.DateTimeField(label=gettext_lazy("Start"))
    end = forms.DateTimeField(label=gettext_lazy("End"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


@staff_required
def close(request: HttpRequest) -> HttpResponse:
    """Add a closure: the form (GET); the bookings it would cancel, to confirm (POST); and
    on confirmation bookings.closures.closure_create_with_cancellations(confirm=True)."""
    member = web_member(request)
    data = request.POST if request.method == "POST" else request.GET
    resource = _resource(request, data.get("resource"))
    context: dict[str, object] = {"resource": resource}
    if request.method != "POST":
        start = data.get("start", "")
        end = ""
        try:
            end = (dt.datetime.fromisoformat(start) + dt.timedelta(hours=1)).strftime(LOCAL_INPUT)
        except ValueError:
            start = ""
        context.update(start=start, end=end)
        return render(request, "web/staff/schedule_close.html", context)
    form = ClosureForm(request.POST)
    context.update(start=request.POST.get("start", ""), end=request.POST.get("end", ""))
    context["reason"] = request.POST.get("reason", "")
    if not form.is_valid():
        context["error"] = _("Give a start, an end and a reason.")
        return render(request, "web/staff/schedule_close.html", context)
    values = form.cleaned_data
    try:
        if request.POST.get("confirm") != "1":
            context["hits"] = closure_hits_preview(
                actor=member, resource_id=resource.pk, start=values["start"], end=values["end"]
            )
            return render(request, "web/staff/schedule_close_confirm.html", context)
        outcome = closure_create_with_cancellations(
            actor=member,
            resource_id=resource.pk,
            start=values["start"],
            end=values["end"],
            reason=values["reason"],
            confirm=True,
        )
    except DomainError as error:
        context["error"] = error.message
        return render(request, "web/staff/schedule_close.html", context)
    context["outcome"] = outcome
    return _changed(render(request, "web/staff/schedule_closed.html", context))


# --- From a booking: approve, reject, cancel ------------------------------------------------


def _booking_context(member: Member, booking_id: int) -> dict[str, object]:
    booking = staff_booking_get(member=member, booking_id=booking_id)
    if booking is None:
        raise Http404
    return {"booking": booking, "now": timezone.now()}


@staff_required
def booking_panel(request: HttpRequest, booking_id: int) -> HttpResponse:
    context = _booking_context(web_member(request), booking_id)
    return render(request, "web/staff/schedule_booking.html", context)


ACTIONS = {"approve": booking_approve, "reject": booking_reject, "cancel": booking_cancel}


@require_POST
@staff_required
def booking_act(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    """Approve, reject or cancel through bookings.lifecycle; the panel shows the outcome or
    the refusal in words."""
    member = web_member(request)
    _booking_context(member, booking_id)  # 404 unless a booking of the member's resources
    if action not in ACTIONS:
        raise Http404
    reason = request.POST.get("reason", "")
    try:
        ACTIONS[action](actor=member, booking_id=booking_id, reason=reason)
    except DomainError as error:
        context = {**_booking_context(member, booking_id), "error": error.message}
        return render(request, "web/staff/schedule_booking.html", context)
    context = {**_booking_context(member, booking_id), "done": action}
    return _changed(render(request, "web/staff/schedule_booking.html", context))
