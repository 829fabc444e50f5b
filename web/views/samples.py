"""Sample orders in the web app (送样检测, issue 10): the submit form reached from a resource's
page, the member's orders at /me/samples/ (detail, cancel, confirm, report download) and
the handlers' queue at /staff/samples/ with its steps and the report upload. Every rule is
bookings.samples'; these views parse and format.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.access import member_handles_samples
from alliance.errors import AccessDenied, DomainError, NotFound, ValidationFailed
from bookings.models import SampleHazard, SampleStatus
from bookings.sample_selectors import (
    sample_order_get,
    sample_order_list_handled,
    sample_order_list_mine,
    sample_report_file_get,
    sample_resource_check,
)
from bookings.samples import (
    ReportUpload,
    sample_order_accept,
    sample_order_cancel,
    sample_order_confirm,
    sample_order_receive,
    sample_order_refuse,
    sample_order_report,
    sample_order_start_testing,
    sample_order_submit,
)
from web.auth import member_required, web_member

PAGE_SIZE = 20


def _count(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", fields={"sample_count": ["invalid"]}) from None


@require_http_methods(["GET", "POST"])
@member_required
def submit(request: HttpRequest, resource_id: int) -> HttpResponse:
    """GET: the form with the resource's instructions. POST: submit, then the order's page."""
    member = web_member(request)
    try:
        resource = sample_resource_check(actor=member, resource_id=resource_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return render(request, "web/samples/refused.html", {"error": error}, status=403)
    context = {"resource": resource, "hazards": SampleHazard.choices, "values": {}}
    if request.method == "GET":
        return render(request, "web/samples/submit.html", context)
    values = {
        "sample_count": request.POST.get("sample_count", ""),
        "description": request.POST.get("description", ""),
        "hazard": request.POST.get("hazard", SampleHazard.NONE),
        "hazard_details": request.POST.get("hazard_details", ""),
    }
    try:
        order = sample_order_submit(
            actor=member,
            resource_id=resource_id,
            **{**values, "sample_count": _count(values["sample_count"])},
        )
    except DomainError as error:
        context.update(values=values, error=error)
        return render(request, "web/samples/submit.html", context, status=400)
    messages.success(request, _("Your samples were submitted; the unit will answer here."))
    return redirect("web:my-sample", order_id=order.pk)


@member_required
def my_samples(request: HttpRequest) -> HttpResponse:
    orders = sample_order_list_mine(member=web_member(request))
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/samples/mine.html", {"page": page})


@member_required
def my_sample(request: HttpRequest, order_id: int) -> HttpResponse:
    """One order either side sees, with its history and report files."""
    member = web_member(request)
    try:
        order = sample_order_get(member=member, order_id=order_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "web/samples/detail.html",
        {"order": order, "is_requester": order.requester_id == member.pk},
    )


@require_POST
@member_required
def my_sample_step(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """cancel or confirm, the requester's steps."""
    member = web_member(request)
    try:
        if action == "cancel":
            sample_order_cancel(
                actor=member, order_id=order_id, reason=request.POST.get("reason", "")
            )
        elif action == "confirm":
            sample_order_confirm(actor=member, order_id=order_id, note=request.POST.get("note", ""))
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("web:my-sample", order_id=order_id)


@member_required
def download(request: HttpRequest, order_id: int, file_id: int) -> FileResponse:
    try:
        report_file = sample_report_file_get(
            member=web_member(request), order_id=order_id, file_id=file_id
        )
    except NotFound:
        raise Http404 from None
    return FileResponse(
        report_file.file.open("rb"),
        as_attachment=True,
        filename=report_file.original_name,
        content_type=report_file.content_type,
    )


@member_required
def staff_samples(request: HttpRequest) -> HttpResponse:
    """The orders of the resources the member's unit owns (all, for the secretariat)."""
    member = web_member(request)
    if not member_handles_samples(member):
        raise Http404
    status = request.GET.get("status") or None
    if status not in (None, *SampleStatus.values):
        status = None
    try:
        orders = sample_order_list_handled(member=member, status=status)
    except AccessDenied:
        raise Http404 from None
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/samples/staff.html",
        {"page": page, "statuses": SampleStatus.choices, "status": status},
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed("invalid", fields={"expected_completion": ["invalid"]}) from None


@require_POST
@member_required
def staff_sample_step(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """accept, refuse, receive, testing or report (with files) one order."""
    member = web_member(request)
    note = request.POST.get("note", "")
    try:
        if action == "accept":
            sample_order_accept(
                actor=member,
                order_id=order_id,
                expected_completion=_date(request.POST.get("expected_completion", "")),
                note=note,
            )
        elif action == "refuse":
            sample_order_refuse(actor=member, order_id=order_id, reason=note)
        elif action == "receive":
            sample_order_receive(actor=member, order_id=order_id, note=note)
        elif action == "testing":
            sample_order_start_testing(actor=member, order_id=order_id, note=note)
        elif action == "report":
            files = [ReportUpload(f.name, f.read()) for f in request.FILES.getlist("files")]
            sample_order_report(actor=member, order_id=order_id, files=files, note=note)
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("web:staff-samples")
