"""API clients that sign in the way the mini-program does: with a real Bearer token."""

from __future__ import annotations

from rest_framework.test import APIClient

from alliance.models import Member, SignInChannel
from alliance.tokens import api_token_issue


def bearer(token: str) -> dict[str, str]:
    """Request headers carrying ``token``, for ``client.get(url, headers=bearer(token))``."""
    return {"Authorization": f"Bearer {token}"}


def api_client(member: Member | None = None, *, openid: str | None = None) -> APIClient:
    """An APIClient with a real token issued by alliance.tokens.

    ``member``: a bound token (the member's requests act as them); ``openid``: an unbound
    token of a WeChat user not linked to a member (may browse, not book); neither: an
    anonymous client.
    """
    client = APIClient()
    if member is not None and openid is not None:
        raise ValueError("Give a member or an openid, not both")
    if member is None and openid is None:
        return client
    if member is not None:
        _, raw = api_token_issue(member=member, channel=SignInChannel.WECHAT)
    else:
        _, raw = api_token_issue(openid=openid, channel=SignInChannel.WECHAT)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_token = raw
    return client
