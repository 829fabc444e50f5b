"""iCalendar feeds: a member's own bookings, and a resource's busy times without names.

Built with the ``icalendar`` library so that common calendar apps read them. Times are
written in UTC (every client converts them); the calendar names the alliance's zone.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from alliance.access import member_can_manage_resource
from alliance.errors import AccessDenied, NotFound
from alliance.models import Member
from alliance.tokens import token_digest
from bookings.models import BLOCKING_STATUSES, Booking, BookingStatus, CalendarFeed
from resources.models import Resource

#: How far back a feed reaches; calendar apps keep what they fetched before.
FEED_HISTORY = dt.timedelta(days=90)
ICS_STATUS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.APPROVED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
}


def calendar_feed_reset(
    *, actor: Member, member: Member | None = None, resource: Resource | None = None
) -> str:
    """Create the feed or give it a new token; returns the token (shown once).

    A member resets their own feed; a resource's managers reset the resource's feed.
    """
    if (member is None) == (resource is None):
        raise ValueError("exactly one of member and resource")
    if member is not None and member.pk != actor.pk:
        raise AccessDenied()
    if resource is not None and not member_can_manage_resource(actor, resource):
        raise AccessDenied()
    token = secrets.token_urlsafe(32)
    target = {"member": member} if member is not None else {"resource": resource}
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            **target, defaults={"token_digest": token_digest(token)}
        )
    return token


def calendar_feed_render(*, token: str, now: dt.datetime | None = None) -> bytes:
    """The feed behind ``token`` as iCalendar bytes; NotFound for an unknown token."""
    now = now or timezone.now()
    feed = (
        CalendarFeed.objects.select_related("member", "resource")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if feed is None:
        raise NotFound()
    calendar = Calendar()
    calendar.add("prodid", "-//Alliance Share//光明科学城党建联合体//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    bookings = Booking.objects.select_related("resource").filter(end__gte=now - FEED_HISTORY)
    if feed.member is not None:
        calendar.add("x-wr-calname", _("My bookings"))
        bookings = bookings.filter(member=feed.member).exclude(
            status__in=[BookingStatus.REJECTED, BookingStatus.EXPIRED]
        )
        for booking in bookings.order_by("start"):
            calendar.add_component(_member_event(booking, now))
    else:
        calendar.add("x-wr-calname", feed.resource.name)
        bookings = bookings.filter(resource=feed.resource, status__in=BLOCKING_STATUSES)
        for booking in bookings.order_by("start"):
            calendar.add_component(_busy_event(booking, now))
    return calendar.to_ical()


def _event(booking: Booking, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@alliance-share")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", booking.start.astimezone(dt.UTC))
    event.add("dtend", booking.end.astimezone(dt.UTC))
    event.add("last-modified", booking.updated_at.astimezone(dt.UTC))
    return event


def _member_event(booking: Booking, now: dt.datetime) -> Event:
    event = _event(booking, now)
    event.add("summary", f"{booking.resource.name}（{booking.get_status_display()}）")
    event.add("location", booking.resource.location)
    event.add("description", booking.purpose)
    event.add("status", ICS_STATUS.get(booking.status, "CANCELLED"))
    return event


def _busy_event(booking: Booking, now: dt.datetime) -> Event:
    """Busy time only: no booker, no purpose."""
    event = _event(booking, now)
    event.add("summary", _("Booked"))
    event.add("location", booking.resource.location)
    event.add("status", ICS_STATUS[booking.status])
    event.add("transp", "OPAQUE")
    return event
