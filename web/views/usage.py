"""Using an instrument: the page its QR code opens (开始使用 / 结束使用 with the running
session's timer and the member's recorded use), and the managers' running sessions.

The QR code leads to /r/<id>/use/?code=<check-in code>. Starting and stopping go through
bookings.usage (inside the member's booking a start is its check-in); refusals are shown in
their own words. Nothing is decided here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from alliance.access import member_manages_unit
from alliance.errors import DomainError
from bookings.usage import usage_start, usage_stop
from bookings.usage_selectors import session_list_for_member, session_running_on
from resources.models import Resource
from web.auth import member_required, web_member

RECENT = 5


def _resource_or_404(resource_id: int) -> Resource:
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise Http404
    return resource


def _panel(request: HttpRequest, resource: Resource, code: str, error: str = "") -> HttpResponse:
    member = web_member(request)
    running = session_running_on(resource_id=resource.pk)
    recent = list(
        session_list_for_member(member=member).filter(resource_id=resource.pk, member_id=member.pk)[
            :RECENT
        ]
    )
    context = {
        "resource": resource,
        "code": code,
        "running": running,
        "mine": running is not None and running.member_id == member.pk,
        "may_stop": running is not None
        and (running.member_id == member.pk or member_manages_unit(member, resource.unit_id)),
        "recent": recent,
        "error": error,
    }
    template = "web/usage/_panel.html" if request.htmx else "web/usage/use.html"
    return render(request, template, context)


@require_GET
@member_required
def use_page(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = _resource_or_404(resource_id)
    return _panel(request, resource, request.GET.get("code", "")[:64])


@require_POST
@member_required
def use_start(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = _resource_or_404(resource_id)
    code = request.POST.get("code", "")[:64]
    try:
        usage_start(actor=web_member(request), resource_id=resource.pk, code=code)
    except DomainError as exc:
        return _panel(request, resource, code, error=exc.message)
    return _panel(request, resource, code)


@require_POST
@member_required
def use_stop(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = _resource_or_404(resource_id)
    code = request.POST.get("code", "")[:64]
    running = session_running_on(resource_id=resource.pk)
    if running is not None:
        try:
            usage_stop(actor=web_member(request), session_id=running.pk)
        except DomainError as exc:
            return _panel(request, resource, code, error=exc.message)
    return _panel(request, resource, code)


@require_GET
@member_required
def staff_usage(request: HttpRequest) -> HttpResponse:
    member = web_member(request)
    sessions = list(session_list_for_member(member=member, running=True, managed=True))
    return render(request, "web/usage/staff.html", {"sessions": sessions})


@require_POST
@member_required
def staff_usage_stop(request: HttpRequest, session_id: int) -> HttpResponse:
    member = web_member(request)
    session = session_list_for_member(member=member, managed=True).filter(pk=session_id).first()
    if session is None:
        raise Http404
    try:
        usage_stop(actor=member, session_id=session.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:staff-usage")
