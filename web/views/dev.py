"""The debug-only page that plays the mini-program on a developer's machine (issue 8).

Pick a demo member, then confirm a web sign-in challenge as them (paste its payload) or get
a bearer token for the API's Swagger UI. Every action goes through the real services
(alliance.dev signs in with a real API token, alliance.web_sign_in confirms with it), so
the rules are the production ones. With ``DEBUG`` off every URL here answers 404.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from alliance.dev import dev_mini_program_sign_in
from alliance.errors import DomainError, ValidationFailed
from alliance.tokens import TokenRefused, api_token_authenticate
from alliance.web_sign_in import challenge_payload_parse, members_to_play, web_challenge_confirm

if TYPE_CHECKING:
    from collections.abc import Callable


def debug_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless DEBUG is on, read at each request."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _member_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("member", ""))
    except ValueError:
        raise ValidationFailed("invalid", fields={"member": ["required"]}) from None


def _page(request: HttpRequest, **context: object) -> HttpResponse:
    context.setdefault("payload", request.POST.get("payload") or request.GET.get("payload", ""))
    context.setdefault("selected", request.POST.get("member", ""))
    return render(request, "web/dev_mini_program.html", {"members": members_to_play(), **context})


@debug_only
@require_http_methods(["GET"])
def mini_program(request: HttpRequest) -> HttpResponse:
    return _page(request)


@debug_only
@require_POST
def mini_program_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm a pasted challenge as the chosen member, as the mini-program would."""
    try:
        challenge_id, secret = challenge_payload_parse(request.POST.get("payload", ""))
        member, raw = dev_mini_program_sign_in(member_id=_member_id(request))
        try:
            token = api_token_authenticate(raw=raw)
        except TokenRefused:
            raise ValidationFailed("member_inactive") from None
        web_challenge_confirm(token=token, challenge_id=challenge_id, secret=secret)
    except DomainError as exc:
        return _page(request, error=exc.message, error_code=exc.code)
    return _page(request, confirmed=member, payload="")


@debug_only
@require_POST
def mini_program_token(request: HttpRequest) -> HttpResponse:
    """A real bearer token of the chosen member (shown once), for /api/docs/."""
    try:
        member, raw = dev_mini_program_sign_in(member_id=_member_id(request))
    except DomainError as exc:
        return _page(request, error=exc.message, error_code=exc.code)
    return _page(request, token=raw, token_member=member)
