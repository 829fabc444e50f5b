"""What a notification says: inbox titles and texts, and WeChat template data.

Inbox text is rendered once, when the notification is written, in the recipient's language
(members have no language preference yet, so the site's, zh-hans by default). English
source strings, translated through the zh_Hans catalogue. Kept short: the mini-program
shows them in a list.

WeChat subscription-message data is always rendered in Chinese (the templates picked in
the WeChat console are Chinese, and a ``phrase`` value must be Chinese characters), and
every value is made to fit WeChat's per-type limits, by the keyword's type prefix
(``thing1`` is a ``thing``: at most 20 characters).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Member
from notifications.models import NotificationKind
from resources.intervals import Interval

if TYPE_CHECKING:
    from bookings.models import Booking

TITLE_MAX_LENGTH = 100
BODY_MAX_LENGTH = 500
QUOTE_MAX_LENGTH = 120  # purpose or reason quoted in a text
ELLIPSIS = "…"

TITLES = {
    NotificationKind.REQUESTED: gettext_lazy("New booking request"),
    NotificationKind.APPROVED: gettext_lazy("Booking approved"),
    NotificationKind.REJECTED: gettext_lazy("Booking rejected"),
    NotificationKind.EXPIRED: gettext_lazy("Booking request expired"),
    NotificationKind.CANCELLED: gettext_lazy("Booking cancelled"),
    NotificationKind.REMINDER: gettext_lazy("Booking starts soon"),
    NotificationKind.NO_SHOW: gettext_lazy("Booking missed"),
    NotificationKind.BOOKED_FOR: gettext_lazy("Booked for you"),
    NotificationKind.OPERATOR_ASSIGNED: gettext_lazy("Assisted session assigned to you"),
    NotificationKind.OPERATOR_CANCELLED: gettext_lazy("Assisted session cancelled"),
    NotificationKind.WAITLIST_OFFERED: gettext_lazy("A waitlist slot is held for you"),
    NotificationKind.WAITLIST_LAPSED: gettext_lazy("Your waitlist hold lapsed"),
}

#: The settings naming each event's WeChat template id. Deciders' "requested" has none.
TEMPLATE_SETTINGS = {
    NotificationKind.APPROVED: "WECHAT_TEMPLATE_BOOKING_APPROVED",
    NotificationKind.REJECTED: "WECHAT_TEMPLATE_BOOKING_REJECTED",
    NotificationKind.EXPIRED: "WECHAT_TEMPLATE_BOOKING_EXPIRED",
    NotificationKind.CANCELLED: "WECHAT_TEMPLATE_BOOKING_CANCELLED",
    NotificationKind.REMINDER: "WECHAT_TEMPLATE_BOOKING_REMINDER",
    NotificationKind.NO_SHOW: "WECHAT_TEMPLATE_BOOKING_NO_SHOW",
    # A booking made for the member: the approval template carries it (resource, time, status).
    NotificationKind.BOOKED_FOR: "WECHAT_TEMPLATE_BOOKING_APPROVED",
    # A waitlist hold (issue 12): the same template (resource, time, status).
    NotificationKind.WAITLIST_OFFERED: "WECHAT_TEMPLATE_BOOKING_APPROVED",
}

#: Which template keyword carries which value, unless settings.WECHAT_TEMPLATE_FIELDS says
#: otherwise for an event. Values: resource, start, end, status, note, purpose, reason,
#: location, unit, booking_id.
DEFAULT_TEMPLATE_FIELDS = {
    "thing1": "resource",
    "time2": "start",
    "phrase3": "status",
    "thing4": "note",
}

#: A ``phrase`` is at most five Chinese characters; these are protocol values, not UI text.
STATUS_PHRASES = {
    NotificationKind.APPROVED: "已通过",
    NotificationKind.REJECTED: "未通过",
    NotificationKind.EXPIRED: "已过期",
    NotificationKind.CANCELLED: "已取消",
    NotificationKind.REMINDER: "即将开始",
    NotificationKind.NO_SHOW: "未签到",
    NotificationKind.BOOKED_FOR: "已代预约",
    NotificationKind.WAITLIST_OFFERED: "候补待确认",
}

#: WeChat's length limits for data values, by keyword type (the keyword without digits).
WECHAT_LIMITS = {
    "thing": 20,
    "phrase": 5,
    "name": 10,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "amount": 11,
    "phone_number": 17,
    "car_number": 8,
    "date": 64,
    "time": 64,
}
#: Types whose values are plain ASCII: cut without an ellipsis.
ASCII_TYPES = {"character_string", "number", "letter", "symbol", "amount", "phone_number"}
ASCII_ALLOWED = {
    "character_string": re.compile(r"[^\x21-\x7e]"),
    "number": re.compile(r"[^0-9.]"),
    "letter": re.compile(r"[^A-Za-z]"),
}


def template_id_for(event: str) -> str:
    """The configured WeChat template id of an event, or "" (inbox only)."""
    name = TEMPLATE_SETTINGS.get(event)
    return str(getattr(settings, name, "") or "") if name else ""


def configured_template_ids() -> dict[str, list[str]]:
    """Every configured template id with the events it is used for."""
    templates: dict[str, list[str]] = {}
    for event in TEMPLATE_SETTINGS:
        template_id = template_id_for(event)
        if template_id:
            templates.setdefault(template_id, []).append(str(event))
    return templates


def recipient_language(member: Member) -> str:
    """The language a member reads notifications in. Members have no preference yet."""
    return settings.LANGUAGE_CODE


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis if longer."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def _when(booking: Booking) -> str:
    """``2026-11-23 09:00–10:00`` in the alliance's zone (both dates if it spans days)."""
    start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def _slots(alternatives: Sequence[Interval]) -> str:
    """``11-24 10:00–11:00, 11-25 09:00–10:00``: alternatives in the alliance's zone."""
    return ", ".join(
        f"{timezone.localtime(a.start):%m-%d %H:%M}–{timezone.localtime(a.end):%H:%M}"
        for a in alternatives
    )


def inbox_text(
    *,
    event: str,
    booking: Booking,
    actor: Member | None,
    reason: str,
    language: str,
    alternatives: Sequence[Interval] = (),
) -> tuple[str, str]:
    """``(title, body)`` of a booking event's inbox entry, in ``language``; free slots of the
    same resource (``alternatives``, offered when a closure cancelled the booking) follow."""
    with translation.override(language):
        values = {
            "resource": booking.resource.name,
            "when": _when(booking),
            "start": f"{timezone.localtime(booking.start):%Y-%m-%d %H:%M}",
            "booker": booking.member.name,
            "unit": str(booking.unit),
            "purpose": shorten(booking.purpose, QUOTE_MAX_LENGTH),
            "reason": shorten(reason, QUOTE_MAX_LENGTH),
            "actor": actor.name if actor is not None else "",
            "location": booking.resource.location,
            "status": booking.get_status_display(),
        }
        title = str(TITLES[event])
        body = _body(event, values) % values
        if alternatives:
            body += " " + _("Free on the same resource: %(slots)s.") % {
                "slots": _slots(alternatives)
            }
    return shorten(title, TITLE_MAX_LENGTH), shorten(body, BODY_MAX_LENGTH)


def _body(event: str, values: dict[str, str]) -> str:
    """The body's format string; variants depend on which values are present."""
    reason, actor, location = values["reason"], values["actor"], values["location"]
    if event == NotificationKind.REQUESTED:
        return _("%(booker)s (%(unit)s) asks to book %(resource)s for %(when)s: %(purpose)s")
    if event == NotificationKind.APPROVED:
        return _("Your booking of %(resource)s for %(when)s is approved.")
    if event == NotificationKind.REJECTED:
        if reason:
            return _("Your booking of %(resource)s for %(when)s was rejected: %(reason)s")
        return _("Your booking of %(resource)s for %(when)s was rejected.")
    if event == NotificationKind.EXPIRED:
        return _(
            "Your request for %(resource)s for %(when)s was not decided before it started "
            "and has lapsed."
        )
    if event == NotificationKind.CANCELLED:
        if actor and reason:
            return _("%(actor)s cancelled your booking of %(resource)s for %(when)s: %(reason)s")
        if actor:
            return _("%(actor)s cancelled your booking of %(resource)s for %(when)s.")
        if reason:
            return _("Your booking of %(resource)s for %(when)s was cancelled: %(reason)s")
        return _("Your booking of %(resource)s for %(when)s was cancelled.")
    if event == NotificationKind.REMINDER:
        if location:
            return _("Your booking of %(resource)s starts at %(start)s, at %(location)s.")
        return _("Your booking of %(resource)s starts at %(start)s.")
    if event == NotificationKind.NO_SHOW:
        return _("You did not check in for %(resource)s for %(when)s; the booking was released.")
    if event == NotificationKind.BOOKED_FOR:
        return _("%(actor)s booked %(resource)s for you for %(when)s (%(status)s): %(purpose)s")
    if event == NotificationKind.OPERATOR_ASSIGNED:
        return _("You operate %(resource)s for %(booker)s (%(unit)s) for %(when)s: %(purpose)s")
    if event == NotificationKind.OPERATOR_CANCELLED:
        return _("The assisted session of %(resource)s for %(booker)s for %(when)s is cancelled.")
    if event == NotificationKind.WAITLIST_OFFERED:
        return _(
            "%(resource)s for %(when)s is free and held for you: claim it under My waitlist "
            "before the hold lapses."
        )
    if event == NotificationKind.WAITLIST_LAPSED:
        return _(
            "You did not claim %(resource)s for %(when)s in time: the hold lapsed and the "
            "time was offered to the next in line."
        )
    raise ValueError(f"unknown booking event {event!r}")


def wechat_time(value: dt.datetime) -> str:
    """WeChat's ``time`` style in the alliance's zone: ``2026年11月23日 09:00``."""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def wechat_value(keyword: str, value: Any) -> str:
    """One data value, made to fit the keyword's type. Never empty (WeChat refuses that)."""
    kind = keyword.rstrip("0123456789")
    if isinstance(value, dt.datetime):
        text = wechat_time(value)
    else:
        text = " ".join(str(value if value is not None else "").split())
    if kind in ASCII_ALLOWED:
        text = ASCII_ALLOWED[kind].sub("", text)
    limit = WECHAT_LIMITS.get(kind)
    if limit is not None and len(text) > limit:
        text = text[:limit] if kind in ASCII_TYPES else shorten(text, limit)
    return text or "-"


def wechat_data(*, event: str, booking: Booking, actor: Member | None, reason: str) -> dict:
    """The ``data`` of a subscription message: ``{"thing1": {"value": "..."}, ...}``."""
    layout = (getattr(settings, "WECHAT_TEMPLATE_FIELDS", None) or {}).get(
        str(event), DEFAULT_TEMPLATE_FIELDS
    )
    with translation.override("zh-hans"):
        values = _wechat_values(event=event, booking=booking, actor=actor, reason=reason)
    return {
        keyword: {"value": wechat_value(keyword, values.get(name))}
        for keyword, name in layout.items()
    }


def _wechat_values(
    *, event: str, booking: Booking, actor: Member | None, reason: str
) -> dict[str, Any]:
    notes = {
        NotificationKind.APPROVED: booking.purpose,
        NotificationKind.REJECTED: reason,
        NotificationKind.EXPIRED: _("Not decided before the start"),
        NotificationKind.CANCELLED: reason or (actor.name if actor is not None else ""),
        NotificationKind.REMINDER: booking.resource.location or booking.purpose,
        NotificationKind.NO_SHOW: _("No check-in; slot released"),
        NotificationKind.BOOKED_FOR: booking.purpose,
    }
    return {
        "resource": booking.resource.name,
        "start": booking.start,
        "end": booking.end,
        "status": STATUS_PHRASES.get(event, ""),
        "note": notes.get(event, ""),
        "purpose": booking.purpose,
        "reason": reason,
        "location": booking.resource.location,
        "unit": str(booking.resource.unit),
        "booking_id": str(booking.pk),
    }


def wechat_page(booking: Booking) -> str:
    """The mini-program page the message opens: the booking's detail."""
    return settings.WECHAT_MESSAGE_PAGE.format(booking_id=booking.pk)


# --- Recurring bookings (issue 12): one notice per series action, not one per occurrence ---


def series_text(
    *, event: str, resource: str, count: int, first: dt.datetime, reason: str = ""
) -> tuple[str, str]:
    """The title and text of one notice about ``count`` occurrences of a series from
    ``first`` on (bookings.series). Call it in the recipient's language."""
    title = str(TITLES[event])
    when = timezone.localtime(first).strftime("%Y-%m-%d %H:%M")
    values = {"resource": shorten(resource, QUOTE_MAX_LENGTH), "count": count, "when": when}
    texts = {
        NotificationKind.REQUESTED: _(
            "Repeat booking of %(resource)s: %(count)s occurrences from %(when)s await a decision."
        ),
        NotificationKind.APPROVED: _(
            "Repeat booking of %(resource)s: %(count)s occurrences from %(when)s are approved."
        ),
        NotificationKind.REJECTED: _(
            "Repeat booking of %(resource)s: %(count)s occurrences from %(when)s are rejected."
        ),
        NotificationKind.CANCELLED: _(
            "Repeat booking of %(resource)s: %(count)s occurrences from %(when)s are cancelled."
        ),
    }
    body = texts[event] % values
    if reason:
        body += " " + _("Reason: %(reason)s") % {"reason": shorten(reason, QUOTE_MAX_LENGTH)}
    return title, body
