"""The staff dashboard (issue 11, "Where people see it"): /staff/dashboard/.

The secretariat reads the whole alliance's figures and may narrow them to one unit; a unit
manager reads their own unit's; everyone else gets 403, as on the other staff pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bookings.selectors_staff import member_is_staff
from web.auth import member_required, web_member

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    member = web_member(request)
    if not member_is_staff(member):
        raise PermissionDenied
    template = "web/staff/dashboard_body.html" if request.htmx else "web/staff/dashboard.html"
    return render(request, template, {})
