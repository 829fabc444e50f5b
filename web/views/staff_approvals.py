"""The staff area's approval queue: the pending bookings the signed-in manager (their unit's
resources) or the secretariat (all) may decide, each with what stands in its way and how its
requester has used their bookings, approved or rejected one or many at once with a reason.

Who sees what is bookings.selectors_lists.booking_list_to_decide's answer (alliance.access); each
decision goes through bookings.lifecycle on its own, which decides again under the booking's
lock, so one refusal (someone decided first, a unit deactivated) leaves the others standing
and is reported on its row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.access import member_acts
from alliance.errors import DomainError
from alliance.models import Member, MemberRole
from bookings.lifecycle import REASON_MAX_LENGTH, booking_approve, booking_reject
from bookings.models import Booking
from bookings.selectors_lists import (
    booking_conflicts_get,
    booking_list_for_member,
    booking_list_to_decide,
    requester_history_get,
)
from web.auth import member_required, web_member

PAGE_SIZE = 50
#: At most this many bookings decided by one request (a full page).
DECIDE_MAX = PAGE_SIZE
ACTIONS = ("approve", "reject")


def staff_member(request: HttpRequest) -> Member:
    """The signed-in manager or secretariat member acting for an active unit; 403 for a
    researcher and for the staff of a deactivated unit (who can no longer decide)."""
    member = web_member(request)
    if member.role == MemberRole.RESEARCHER or not member_acts(member):
        raise PermissionDenied
    return member


@dataclass(frozen=True)
class Outcome:
    """What became of one booking of a bulk decision."""

    booking_id: int
    label: str
    done: bool
    message: str


def _queue_context(request: HttpRequest, member: Member) -> dict[str, object]:
    """The page of pending bookings with conflicts and requester history. Queries: the count,
    the page (resource, units and requester joined), two for conflicts, one for history."""
    page = Paginator(booking_list_to_decide(member=member), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    bookings = list(page.object_list)
    conflicts = booking_conflicts_get(bookings)
    history = requester_history_get([b.member_id for b in bookings])
    return {
        "page": page,
        "rows": [(b, conflicts[b.pk], history[b.member_id]) for b in bookings],
        "pending_count": page.paginator.count,
        "reason_max_length": REASON_MAX_LENGTH,
    }


@member_required
def approvals(request: HttpRequest) -> HttpResponse:
    member = staff_member(request)
    return render(request, "web/staff/approvals.html", _queue_context(request, member))


def _ids(request: HttpRequest) -> list[int]:
    """The selected booking ids, in the order given, without repeats or non-numbers."""
    ids: list[int] = []
    for value in request.POST.getlist("booking")[: DECIDE_MAX * 2]:
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:DECIDE_MAX]


def _label(booking: Booking) -> str:
    start = timezone.localtime(booking.start)
    end = timezone.localtime(booking.end)
    return f"{booking.resource.name} · {start:%Y-%m-%d %H:%M}–{end:%H:%M} · {booking.member.name}"


def _decide(member: Member, ids: list[int], action: str, reason: str) -> list[Outcome]:
    """Each booking on its own through bookings.lifecycle; one not visible to the member is
    reported as not found, revealing nothing about it."""
    visible = {b.pk: b for b in booking_list_for_member(member=member).filter(pk__in=ids)}
    outcomes = []
    for booking_id in ids:
        booking = visible.get(booking_id)
        if booking is None:
            outcomes.append(Outcome(booking_id, f"#{booking_id}", False, _("Not found.")))
            continue
        try:
            if action == "approve":
                booking_approve(actor=member, booking_id=booking_id, reason=reason)
                message = _("Approved")
            else:
                booking_reject(actor=member, booking_id=booking_id, reason=reason)
                message = _("Rejected")
        except DomainError as error:
            outcomes.append(Outcome(booking_id, _label(booking), False, error.message))
        else:
            outcomes.append(Outcome(booking_id, _label(booking), True, message))
    return outcomes


@require_POST
@member_required
def approvals_decide(request: HttpRequest) -> HttpResponse:
    """Approve or reject the selected bookings with one reason (required to reject, as the
    booker is told it), then show the queue again with each booking's outcome; htmx gets
    the queue alone and the frame's badge, out of band."""
    member = staff_member(request)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    ids = _ids(request)
    error = ""
    outcomes: list[Outcome] = []
    if action not in ACTIONS:
        error = _("Choose approve or reject.")
    elif not ids:
        error = _("Select at least one booking.")
    elif action == "reject" and not reason.strip():
        error = _("Give the reason the requester will be told.")
    else:
        outcomes = _decide(member, ids, action, reason)
    context = {
        **_queue_context(request, member),
        "outcomes": outcomes,
        "error": error,
        "reason": reason if error else "",
    }
    # htmx swaps no 4xx answer (htmx 2's default), so its refusals come back as 200.
    status = 400 if error and not request.htmx else 200
    if request.htmx:  # the frame's badge comes along out of band (context processor)
        return render(request, "web/staff/approvals_queue.html", context, status=status)
    return render(request, "web/staff/approvals.html", context, status=status)
