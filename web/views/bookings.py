"""The signed-in member's bookings: upcoming and past, one booking with its history,
cancelling (htmx, after a confirm dialog), and the calendar feed to add them to a calendar.

Whether a booking may be cancelled and whether that is late is bookings.lifecycle's answer;
booking_cancel decides again under the lock, and its refusals show as toptips.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from alliance.errors import DomainError, NotFound
from alliance.models import Member
from bookings.feeds import calendar_feed_reset
from bookings.lifecycle import booking_can_cancel, booking_cancel, booking_cancel_is_late
from bookings.models import Booking, BookingEvent, CalendarFeed
from bookings.selectors_lists import (
    booking_get_for_member,
    booking_list_for_member,
)
from web.auth import member_required, web_member

PAGE_SIZE = 20
TABS = ("upcoming", "past")
#: History entries that record a change of status, whose reason explains the status.
STATUS_ACTIONS = [
    BookingEvent.Action.APPROVED,
    BookingEvent.Action.REJECTED,
    BookingEvent.Action.CANCELLED,
    BookingEvent.Action.CANCELLED_BY_CLOSURE,  # issue 9: the closure's reason
    BookingEvent.Action.EXPIRED,
    BookingEvent.Action.NO_SHOW,
    BookingEvent.Action.COMPLETED,
]


def _with_reason(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Each booking with ``last_reason``: the reason of the transition into its status."""
    last = (
        BookingEvent.objects.filter(
            booking_id=OuterRef("pk"), to_status=OuterRef("status"), action__in=STATUS_ACTIONS
        )
        .order_by("-at", "-pk")
        .values("reason")[:1]
    )
    return bookings.annotate(last_reason=Subquery(last))


def _own(member: Member) -> QuerySet[Booking]:
    return _with_reason(booking_list_for_member(member=member).filter(member_id=member.pk))


@member_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """Upcoming (not yet ended, soonest first) or past (latest first), a page at a time."""
    member = web_member(request)
    now = timezone.now()
    tab = request.GET.get("tab")
    tab = tab if tab in TABS else "upcoming"
    bookings = _own(member)
    if tab == "upcoming":
        bookings = bookings.filter(end__gt=now).order_by("start", "pk")
    else:
        bookings = bookings.filter(end__lte=now).order_by("-start", "-pk")
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "page": page,
        "has_feed": CalendarFeed.objects.filter(member_id=member.pk).exists(),
    }
    return render(request, "web/my_bookings.html", context)


def _detail(request: HttpRequest, booking_id: int) -> dict[str, object]:
    """The booking if the member may see it (404 otherwise, revealing nothing), its history,
    and what they may do with it now."""
    member = web_member(request)
    now = timezone.now()
    history = BookingEvent.objects.select_related("actor").order_by("at", "pk")
    try:
        booking = booking_get_for_member(member=member, booking_id=booking_id)
    except NotFound:
        raise Http404 from None
    booking = (
        _with_reason(Booking.objects.filter(pk=booking.pk))
        .select_related("resource", "resource__unit", "member", "unit")
        .prefetch_related(Prefetch("events", queryset=history))
        .get()
    )
    return {
        "booking": booking,
        "can_cancel": booking_can_cancel(member, booking, now),
        "cancel_is_late": booking_cancel_is_late(booking, now),
    }


@member_required
def booking_detail(request: HttpRequest, booking_id: int) -> HttpResponse:
    return render(request, "web/booking_detail.html", _detail(request, booking_id))


@require_POST
@member_required
def booking_cancel_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Cancel through bookings.lifecycle.booking_cancel; htmx gets the booking back in place,
    or a toptip with the refusal (nothing changed)."""
    member = web_member(request)
    _detail(request, booking_id)  # 404 unless the member may see it
    try:
        booking_cancel(actor=member, booking_id=booking_id, reason=request.POST.get("reason", ""))
    except DomainError as error:
        if request.htmx:
            response = render(request, "web/booking_detail_toptip.html", {"error": error})
            return reswap(retarget(response, "#toptips"), "innerHTML")
        messages.error(request, error.message)
        return redirect("web:booking", booking_id=booking_id)
    if request.htmx:
        context = {**_detail(request, booking_id), "just_cancelled": True}
        return render(request, "web/booking_detail_card.html", context)
    messages.success(request, _("The booking is cancelled."))
    return redirect("web:booking", booking_id=booking_id)


@require_POST
@member_required
def calendar_feed_reset_view(request: HttpRequest) -> HttpResponse:
    """Create the member's feed, or give it a new URL (the old one stops working). The token
    is shown here once, inside the URL; only its digest is stored."""
    member = web_member(request)
    token = calendar_feed_reset(actor=member, member=member)
    url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    context = {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
    if request.htmx:
        return render(request, "web/my_bookings_feed.html", context)
    # Without htmx the URL is shown once on a page of its own, never put in a redirect.
    return render(request, "web/my_bookings_feed_page.html", context)
