"""The signed-in member's notices: unread first, marked read one by one or all at once."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseLocation

from alliance.errors import NotFound
from notifications.selectors import notification_list_for_member
from notifications.services import notification_mark_all_read, notification_mark_read
from web.auth import member_required, web_member

PAGE_SIZE = 20


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = notification_list_for_member(member=web_member(request))
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/inbox.html", {"page": page})


@require_POST
@member_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the member's own notices read; another member's is 404."""
    try:
        notification = notification_mark_read(
            member=web_member(request), notification_id=notification_id
        )
    except NotFound:
        raise Http404 from None
    if request.htmx:
        return render(request, "web/inbox_item.html", {"notification": notification})
    return redirect("web:inbox")


@require_POST
@member_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notice read, then show the inbox again (so the tab bar's badge goes too)."""
    notification_mark_all_read(member=web_member(request))
    if request.htmx:
        return HttpResponseLocation(reverse("web:inbox"))
    return redirect("web:inbox")
