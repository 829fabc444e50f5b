"""The scheduler's rules for one booking of one member, judged from a BookingWindow.

booking_create (bookings.services) and the waitlist (bookings.waitlist, which may make a
held booking for someone else than the caller) judge a slot the same way: the mode, then
every rule of bookings.rules with the member's qualification, the mode's notice and the
member's credit suspension, read with the window.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from alliance.errors import ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from bookings import service_modes
from bookings.rules import booking_rules_check

if TYPE_CHECKING:
    from bookings.selectors import BookingWindow


PURPOSE_MAX_LENGTH = 200
ATTENDEES_MAX = 10_000


def request_fields_clean(*, purpose: object, attendees: object) -> str:
    """The purpose (cleaned, required) and attendees (1 to ATTENDEES_MAX) of a booking
    request, a series or a waitlist entry; returns the cleaned purpose."""
    purpose = text_clean(purpose, field="purpose", max_length=PURPOSE_MAX_LENGTH, required=True)
    if not isinstance(attendees, int) or not 1 <= attendees <= ATTENDEES_MAX:
        raise ValidationFailed("invalid", fields={"attendees": ["out_of_range"]})
    return purpose


def window_rules_check(
    window: BookingWindow,
    *,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    attendees: int,
    now: dt.datetime,
    mode: str,
) -> None:
    """Raise the first broken rule of [start, end) for ``member`` (ValidationFailed), every
    rule but the no-overlap one; no query beyond what the window read."""
    service_modes.mode_check(resource=window.resource, mode=mode)
    booking_rules_check(
        resource=window.resource,
        member=member,
        allowed_unit_ids=window.allowed_unit_ids,
        start=start,
        end=end,
        attendees=attendees,
        now=now,
        calendar=lambda: window.calendar,
        # The qualification gate (issue 10) is self-use's; assisted use has its own notice.
        qualified=service_modes.mode_qualified(mode=mode, qualified=window.member_qualified),
        min_notice_minutes=service_modes.mode_min_notice_minutes(
            resource=window.resource, mode=mode
        ),
        suspended_until=getattr(window.resource, "member_suspended_until", None),  # issue 12
    )
