"""What every page's frame shows: who is signed in and their unread notices (one query)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.selectors import notification_unread_count
from web.auth import web_member

if TYPE_CHECKING:
    from django.http import HttpRequest


def web_frame(request: HttpRequest) -> dict[str, object]:
    if not request.path.startswith("/") or request.path.startswith(("/admin/", "/api/")):
        return {}
    member = web_member(request)
    return {
        "web_member": member,
        "web_unread": notification_unread_count(member=member) if member else 0,
    }
