"""The waitlist in the web app (issue 12): "Join the waitlist" on the booking conflict
answer of the resource page, and "My waitlist" (/me/waitlist/), where a member sees their
place in line and, when the time is held for them, until when, and claims, declines or
leaves.

The rules are the scheduler's (bookings.waitlist); this only parses the form, calls one
service or selector and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotFound, ValidationFailed
from bookings.waitlist import waitlist_claim, waitlist_decline, waitlist_join, waitlist_leave
from bookings.waitlist_selectors import waitlist_list_for_member
from web.auth import member_required, web_member
from web.views.resource import _refused, _sign_in_first, slot_request


@require_POST
def join(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Join the waitlist of the slot the booking form asked for (htmx fragment)."""
    member = web_member(request)
    if member is None:
        return _sign_in_first(request, resource_id)
    data = request.POST
    slot = slot_request(data)
    if slot is None:
        return _refused(request, resource_id, ValidationFailed("invalid"))
    start, end, attendees = slot
    try:
        entry = waitlist_join(
            member=member,
            resource_id=resource_id,
            start=start,
            end=end,
            purpose=data.get("purpose", ""),
            attendees=attendees,
            mode=data.get("mode") or None,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, resource_id, error)
    return render(request, "web/resource/_waitlist_joined.html", {"entry": entry})


@member_required
def my_waitlist(request: HttpRequest) -> HttpResponse:
    """The member's entries: place in line, the hold and until when. Queries: 1 (+ the
    session's)."""
    entries = waitlist_list_for_member(member=web_member(request))
    return render(request, "web/waitlist.html", {"entries": entries, "now": timezone.now()})


def _act(request: HttpRequest, entry_id: int, act, done: str) -> HttpResponse:
    try:
        act(member=web_member(request), entry_id=entry_id)
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("web:my-waitlist")


@require_POST
@member_required
def claim(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _act(request, entry_id, waitlist_claim, _("The held time is yours."))


@require_POST
@member_required
def decline(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _act(request, entry_id, waitlist_decline, _("Declined; the next in line is offered it."))


@require_POST
@member_required
def leave(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _act(request, entry_id, waitlist_leave, _("You left the waitlist."))
