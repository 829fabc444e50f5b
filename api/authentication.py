"""Who is calling: ``Authorization: Bearer <token>`` and the member behind it.

A bound token signs in its member's user. An unbound token (a WeChat sign-in not yet
linked to a member with an invite code) signs in a :class:`WeChatVisitor`, who may browse
but not book: views that act for a member use :class:`IsBoundMember` and
:func:`request_member`, never ``request.user.member`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from alliance.errors import AccessDenied
from alliance.models import ApiToken, Member
from alliance.tokens import TokenRefused, api_token_authenticate

KEYWORD = "Bearer"
REFUSALS = {
    "unknown": _("This sign-in is not valid; please sign in again."),
    "revoked": _("You have signed out; please sign in again."),
    "expired": _("Your sign-in has expired; please sign in again."),
    "inactive": _("Your membership is not active."),
}


@dataclass(frozen=True)
class WeChatVisitor:
    """A WeChat user signed in with an unbound token: authenticated, but no member.

    Quacks like enough of a Django user for DRF and Django (``is_authenticated`` and
    friends); has no primary key, no permissions and ``member`` None.
    """

    openid: str
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    member = None

    def __str__(self) -> str:
        return "WeChat visitor"

    def get_username(self) -> str:
        return ""

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_perms(self, perm_list: object, obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from alliance.tokens.

    No header (or another scheme): not this authenticator's business (None). A malformed
    header or a token that is unknown, expired, revoked or whose member is inactive: 401
    ``authentication_failed``. ``request.auth`` is the ApiToken row (for logout).
    """

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        parts = str(request.META.get("HTTP_AUTHORIZATION", "")).split()
        if not parts or parts[0].lower() != KEYWORD.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        raw = parts[1]
        if not raw.isascii():
            raise exceptions.AuthenticationFailed(REFUSALS["unknown"])
        try:
            token = api_token_authenticate(raw=raw)
        except TokenRefused as refused:
            raise exceptions.AuthenticationFailed(REFUSALS[refused.reason]) from None
        if token.member is not None:
            return token.member.user, token
        return WeChatVisitor(openid=token.wechat_openid), token

    def authenticate_header(self, request: Request) -> str:
        """Makes DRF answer 401 (not 403) to a request without credentials."""
        return f'{KEYWORD} realm="api"'


def request_member(request: Request) -> Member | None:
    """The member acting in this request, or None (anonymous, unbound, or a user account
    without a member). The member may be inactive: access helpers check that."""
    user = request.user
    if not user or not user.is_authenticated or isinstance(user, WeChatVisitor):
        return None
    try:
        return user.member
    except ObjectDoesNotExist:
        return None


class IsBoundMember(BasePermission):
    """Signed in as a member: 401 when not signed in, 403 ``not_bound`` for an unbound
    WeChat token (or an account without a member), 403 ``member_inactive``."""

    def has_permission(self, request: Request, view: object) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        member = request_member(request)
        if member is None:
            raise AccessDenied("not_bound")
        if not member.is_active:
            raise AccessDenied("member_inactive")
        return True


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular how BearerTokenAuthentication looks in the OpenAPI schema."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
