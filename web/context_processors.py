"""What every page's frame shows: who is signed in, their unread notices (one query) and,
for staff, the bookings awaiting their decision (one COUNT query more; none for others)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alliance.models import MemberRole
from bookings.selectors_lists import (
    booking_count_to_decide,
)
from notifications.selectors import notification_unread_count
from web.auth import web_member

if TYPE_CHECKING:
    from django.http import HttpRequest


def web_frame(request: HttpRequest) -> dict[str, object]:
    if not request.path.startswith("/") or request.path.startswith(("/admin/", "/api/")):
        return {}
    member = web_member(request)
    is_staff = member is not None and member.role != MemberRole.RESEARCHER
    return {
        "web_member": member,
        "web_unread": notification_unread_count(member=member) if member else 0,
        "web_is_staff": is_staff,
        "web_pending_decisions": booking_count_to_decide(member=member) if is_staff else 0,
    }
