"""The service modes on a resource's page and the operator's own page (issue 10).

A resource offering self-use and assisted use (委托上机) lets the member choose the mode in
the booking form, and optionally an operator; a member without the qualification self-use
needs is told they may still book assisted use. An operator sees the assisted sessions
assigned to them at /me/operating/. The rules are the scheduler's
(bookings.service_modes); this module only says what to offer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from alliance.models import Member
from bookings.service_modes import operator_sessions_get, operators_eligible
from resources.models import Resource, ServiceMode
from resources.service_modes import bookable_modes
from web.auth import member_required, web_member


def page_modes_context(*, resource: Resource, qualified: bool) -> dict:
    """What the page says of the modes: the ones offered (labels), the ones bookable, and
    whether an unqualified member may book assisted use instead. No query."""
    modes = bookable_modes(resource=resource, qualified=qualified)
    return {
        "offered_modes": [ServiceMode(m).label for m in resource.service_modes],
        "booking_modes": modes,
        "assisted_instead": (
            not qualified
            and ServiceMode.SELF_USE in resource.service_modes
            and ServiceMode.ASSISTED.value in modes
        ),
    }


def form_modes_context(*, resource: Resource, qualified: bool) -> dict:
    """The booking form's mode choice and, where assisted use is offered, its operators to
    choose from (one query, only then)."""
    modes = bookable_modes(resource=resource, qualified=qualified)
    operators: list[Member] = []
    if ServiceMode.ASSISTED.value in modes:
        operators = list(operators_eligible(resource=resource))
    return {
        "mode_choices": [(m, ServiceMode(m).label) for m in modes],
        "operators": operators,
    }


@member_required
def my_operating(request: HttpRequest) -> HttpResponse:
    """The assisted sessions the member operates, from now on, soonest first."""
    sessions = operator_sessions_get(operator=web_member(request), since=timezone.now())
    return render(request, "web/operating.html", {"sessions": sessions})
