"""Who is signed in to the web app: a Django session whose user is a member's account.

Researchers sign in by scanning a challenge with the mini-program; staff may also use their
password. Views ask :func:`web_member` and never read ``request.user.member`` themselves.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.views import redirect_to_login

from alliance.models import Member

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


def web_member(request: HttpRequest) -> Member | None:
    """The active member behind the session, with their unit loaded; None otherwise.

    Cached on the request, so a page and its context processor read it once."""
    if hasattr(request, "_web_member"):
        return request._web_member
    member = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk is not None:
        member = (
            Member.objects.select_related("unit").filter(user_id=user.pk, is_active=True).first()
        )
    request._web_member = member
    return member


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anyone without an active member to the sign-in page, then back here."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if web_member(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
