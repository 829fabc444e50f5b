"""Signing in and out, and the signed-in member's own page."""

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from web.auth import member_required


def sign_in(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sign_in.html")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


@member_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "web/me.html")
