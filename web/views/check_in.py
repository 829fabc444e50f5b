"""Check in by scanning: the page a resource's printed QR code opens
(resources.qr.checkin_path, ``/r/<id>/check-in/?code=...``).

A signed-in booker whose booking of the resource is due is shown it and checked in by a POST
(bookings.lifecycle.booking_check_in decides); a GET never changes anything. Everyone else
sees the resource and a way to book it, never anybody's booking or name: a wrong code, no
due booking, or no sign-in all look alike apart from the hint.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from alliance.errors import DomainError, NotFound, ValidationFailed
from bookings.lifecycle import booking_check_in
from bookings.selectors_lists import (
    booking_due_for_check_in,
)
from resources.selectors import resource_get
from web.auth import web_member


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, resource_id: int) -> HttpResponse:
    try:
        resource = resource_get(resource_id=resource_id, prefetch=())
    except NotFound:
        raise Http404 from None
    member = web_member(request)
    code = request.GET.get("code", "")
    context: dict[str, object] = {
        "resource": resource,
        "state": "visitor",
        "opens_minutes": settings.BOOKING_CHECKIN_OPENS_MINUTES,
    }
    if member is None:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "web/check_in.html", context)
    if not secrets.compare_digest(code.encode(), resource.checkin_code.encode()):
        context.update(state="wrong_code", error=ValidationFailed("check_in_code_invalid"))
        return render(request, "web/check_in.html", context)
    booking = booking_due_for_check_in(member=member, resource_id=resource.pk, now=timezone.now())
    if booking is None:
        context["state"] = "none_due"
        return render(request, "web/check_in.html", context)
    context.update(state="due", booking=booking)
    if request.method == "POST":
        try:
            booking = booking_check_in(actor=member, booking_id=booking.pk, code=code)
        except DomainError as error:
            context.update(state="refused", error=error)
        else:
            context.update(state="checked_in", booking=booking)
    template = "web/check_in_result.html" if request.htmx else "web/check_in.html"
    return render(request, template, context)
