"""The signed-in member's bookings."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from web.auth import member_required


@member_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    return render(request, "web/my_bookings.html")
