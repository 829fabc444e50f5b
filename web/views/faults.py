"""Fault reports in the web app (issue 10): the report form on a resource's page (htmx, with a
photo), the member's reports at /me/faults/, and the managers' list with its steps at
/staff/faults/. Every rule is bookings.faults'; these views parse and format.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from alliance.errors import DomainError, NotFound, ValidationFailed
from alliance.models import MemberRole
from bookings.faults import (
    fault_acknowledge,
    fault_dismiss,
    fault_list,
    fault_report_check,
    fault_report_create,
    fault_resolve,
    fault_update,
)
from bookings.models import FaultStatus, FaultUrgency
from web.auth import member_required, web_member

PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
@member_required
def report(request: HttpRequest, resource_id: int) -> HttpResponse:
    """GET: the form in the page's panel. POST: report; the page reloads to show the state."""
    member = web_member(request)
    try:
        resource = fault_report_check(actor=member, resource_id=resource_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return render(request, "web/faults/_refused.html", {"error": error})
    context = {"resource": resource, "urgencies": FaultUrgency.choices, "values": {}}
    if request.method == "GET":
        return render(request, "web/faults/_form.html", context)
    photo = request.FILES.get("photo")
    values = {
        "description": request.POST.get("description", ""),
        "urgency": request.POST.get("urgency", FaultUrgency.NORMAL),
        "stop_instrument": request.POST.get("stop_instrument") == "on",
    }
    try:
        fault_report_create(
            actor=member,
            resource_id=resource_id,
            photo=photo,
            photo_size=photo.size if photo is not None else 0,
            **values,
        )
    except ValidationFailed as refusal:
        context.update(values=values, error=refusal)
        return render(request, "web/faults/_form.html", context)
    except DomainError as error:
        return render(request, "web/faults/_refused.html", {"error": error})
    messages.success(request, _("Thank you: the fault was reported to the resource's managers."))
    url = reverse("web:resource", args=[resource_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@member_required
def my_faults(request: HttpRequest) -> HttpResponse:
    reports = fault_list(member=web_member(request), mine=True)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/faults/mine.html", {"page": page})


@member_required
def staff_faults(request: HttpRequest) -> HttpResponse:
    """The reports of the resources the member manages (all, for the secretariat)."""
    member = web_member(request)
    if member.role == MemberRole.RESEARCHER:
        raise Http404
    reports = fault_list(member=member)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/faults/staff.html", {"page": page, "statuses": FaultStatus})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed("invalid", fields={"expected_return": ["invalid"]}) from None


@require_POST
@member_required
def staff_fault_step(request: HttpRequest, fault_id: int, action: str) -> HttpResponse:
    """acknowledge, update (status, expected return, note), resolve or dismiss one report."""
    member = web_member(request)
    note = request.POST.get("note", "")
    try:
        if action == "acknowledge":
            fault_acknowledge(actor=member, fault_id=fault_id, note=note)
        elif action == "update":
            fault_update(
                actor=member,
                fault_id=fault_id,
                status=request.POST.get("status") or None,
                expected_return=_date(request.POST.get("expected_return", "")),
                note=note,
            )
        elif action == "resolve":
            fault_resolve(actor=member, fault_id=fault_id, note=note)
        elif action == "dismiss":
            fault_dismiss(actor=member, fault_id=fault_id, note=note)
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("web:staff-faults")
