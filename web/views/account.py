"""Signing in and out, and the signed-in member's own page.

Researchers sign in by scanning: the sign-in page creates a challenge bound to this
browser's session (alliance.web_sign_in) and shows it as a QR code; the page then polls
:func:`sign_in_poll` (an htmx POST every 2 seconds, CSRF-protected) until the mini-program
has confirmed it, and signs the session in. Staff may use their password instead, under
the same failure limits as the API and the back office (alliance.ratelimit).
"""

from __future__ import annotations

import math

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from alliance.errors import MESSAGES, DomainError
from alliance.ratelimit import (
    client_address,
    sign_in_failure_record,
    sign_in_success_record,
    sign_in_wait,
    username_account,
    web_challenge_record,
    web_challenge_wait,
)
from alliance.tokens import password_member_authenticate
from alliance.web_sign_in import browser_secret_of, web_challenge_complete, web_challenge_create
from bookings.selectors_staff import member_is_staff
from web.auth import member_required, web_member

#: Sessions are signed in with Django's own backend (the member's user account).
BACKEND = "django.contrib.auth.backends.ModelBackend"
#: Password refusals that count as failed sign-ins (as in the API).
PASSWORD_FAILURES = frozenset({"invalid_credentials"})
POLL_SECONDS = 2


def _next_url(request: HttpRequest, value: str | None) -> str:
    """Where to go after signing in: ``next`` if it stays on this site, else home."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("web:home")


def _qr_svg(payload: str) -> str:
    """The payload as an inline SVG QR code (segno's output: no user-supplied markup)."""
    return segno.make(payload, error="m").svg_inline(scale=5, border=2, title=None)


def _sign_in(request: HttpRequest, user) -> None:
    """Log the session in; django.contrib.auth.login rotates the session key and the
    CSRF token."""
    login(request, user, backend=BACKEND)


@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """The sign-in page: a fresh challenge as a QR code and as text, and the password form."""
    next_url = _next_url(request, request.GET.get("next"))
    context: dict[str, object] = {
        "next": next_url,
        "password_open": request.GET.get("method") == "password",
        "poll_seconds": POLL_SECONDS,
        "debug": settings.DEBUG,
    }
    address = client_address(request)
    wait = web_challenge_wait(address=address)
    if wait is not None:
        context["limited"] = MESSAGES["too_many_challenges"] % {"minutes": math.ceil(wait / 60)}
        return render(request, "web/sign_in.html", context)
    web_challenge_record(address=address)
    issued = web_challenge_create(browser_secret=browser_secret_of(request.session))
    context.update(
        challenge=issued.challenge,
        payload=issued.payload,
        qr_svg=_qr_svg(issued.payload),
        seconds_left=issued.ttl_seconds,
    )
    return render(request, "web/sign_in.html", context)


@require_POST
def sign_in_poll(request: HttpRequest, challenge_id: str) -> HttpResponse:
    """Has the mini-program confirmed? Then sign in and go to ``next`` (HX-Redirect).

    Answers the status fragment while waiting (it polls again) and a refusal without
    polling when the challenge expired, was used or is not this browser's.
    """
    next_url = _next_url(request, request.POST.get("next"))
    context: dict[str, object] = {
        "challenge_id": challenge_id,
        "next": next_url,
        "poll_seconds": POLL_SECONDS,
    }
    try:
        member = web_challenge_complete(
            challenge_id=challenge_id, browser_secret=browser_secret_of(request.session)
        )
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "web/sign_in_status.html", context)
    if member is None:
        expires_at = request.POST.get("expires_at")
        context["expires_at"] = expires_at
        context["seconds_left"] = _seconds_left(expires_at)
        return render(request, "web/sign_in_status.html", context)
    _sign_in(request, member.user)
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = next_url
        return response
    return redirect(next_url)


def _seconds_left(expires_at: str | None) -> int | None:
    """Seconds until the challenge expires, from the instant the page was given (display
    only: the service decides expiry)."""
    try:
        value = float(expires_at or "")
    except ValueError:
        return None
    return max(math.ceil(value - timezone.now().timestamp()), 0)


@require_POST
def sign_in_password(request: HttpRequest) -> HttpResponse:
    """Username and password, for staff; the same failure limits as every other door."""
    next_url = _next_url(request, request.POST.get("next"))
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    address = client_address(request)
    account = username_account(username)
    again = f"{reverse('web:sign-in')}?{urlencode({'method': 'password', 'next': next_url})}"
    wait = sign_in_wait(address=address, account=account)
    if wait is not None:
        messages.error(
            request, MESSAGES["sign_in_rate_limited"] % {"minutes": math.ceil(wait / 60)}
        )
        return redirect(again)
    try:
        member = password_member_authenticate(username=username[:150], password=password[:128])
    except DomainError as exc:
        if exc.code in PASSWORD_FAILURES:
            sign_in_failure_record(address=address, account=account)
        messages.error(request, exc.message)
        return redirect(again)
    sign_in_success_record(address=address, account=account)
    _sign_in(request, member.user)
    return redirect(next_url)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


@member_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "web/me.html", {"staff": member_is_staff(web_member(request))})
