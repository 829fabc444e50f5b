"""The signed-in member's notices."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from web.auth import member_required


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/inbox.html")
