"""My credit score (信用积分, issue 12): the score now, any suspension, and the history."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bookings.credit import credit_history_list, credit_standing_get
from web.auth import member_required, web_member


@member_required
def my_credit(request: HttpRequest) -> HttpResponse:
    member = web_member(request)
    now = timezone.now()
    standing = credit_standing_get(member=member, now=now)
    return render(
        request,
        "web/credit.html",
        {
            "standing": standing,
            "suspended": standing.suspended(now),
            "events": credit_history_list(member=member),
        },
    )
