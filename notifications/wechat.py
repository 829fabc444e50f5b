"""The mini-program's access token, shared by every worker, and subscription-message sends.

Access token protocol: the token lives in one database row (WeChatAccessToken, pk 1) with
the Django cache in front. A reader takes the cached token when it is still valid for
more than ``WECHAT_ACCESS_TOKEN_MARGIN_SECONDS``; otherwise it locks the row (SELECT …
FOR UPDATE), and whoever holds the lock either finds a token that another worker has just
fetched or fetches one itself. So concurrent workers wait for one fetch instead of each
fetching (WeChat limits fetches per day, and a new ``/cgi-bin/token`` token invalidates
the previous one). The lock is held during the fetch, at most ``WECHAT_TIMEOUT_SECONDS``.

The token is a credential: it is never logged, put into an error message or shown, and it
is stored only encrypted (alliance.crypto), in the row and in the cache alike. A stored value
that does not decrypt (FIELD_ENCRYPTION_KEY or SECRET_KEY changed, or a value from before
encryption) counts as no token, so the next reader fetches a new one instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from alliance.crypto import secret_decrypt, secret_encrypt
from alliance.wechat import (
    WeChatAccessTokenInvalid,
    WeChatUnavailable,
    stable_access_token_fetch,
    wechat_get,
    wechat_post,
)
from notifications.models import WeChatAccessToken

logger = logging.getLogger(__name__)

SUBSCRIBE_SEND = "/cgi-bin/message/subscribe/send"
TOKEN_PATH = "/cgi-bin/token"  # noqa: S105 - a URL path, not a secret
STABLE_TOKEN_ENDPOINT = "stable_token"  # noqa: S105 - a setting value, not a secret


def _cache_key() -> str:
    """One cache entry per app and API base, so a changed configuration never reuses one."""
    scope = f"{settings.WECHAT_APPID}|{settings.WECHAT_API_BASE}".encode()
    return f"notifications:wechat-access-token:{hashlib.sha256(scope).hexdigest()[:16]}"


def _margin() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WECHAT_ACCESS_TOKEN_MARGIN_SECONDS)


def _fetch(*, force_refresh: bool) -> tuple[str, int]:
    """A new ``(token, expires_in)`` from the configured endpoint."""
    if settings.WECHAT_ACCESS_TOKEN_ENDPOINT == STABLE_TOKEN_ENDPOINT:
        return stable_access_token_fetch(force_refresh=force_refresh)
    appid, secret = settings.WECHAT_APPID, settings.WECHAT_SECRET
    if not appid or not secret:
        raise WeChatUnavailable(None, "WeChat is not configured")
    answer = wechat_get(
        TOKEN_PATH, {"grant_type": "client_credential", "appid": appid, "secret": secret}
    )
    token, expires_in = answer.get("access_token"), answer.get("expires_in")
    if not isinstance(token, str) or not token or not isinstance(expires_in, int):
        raise WeChatUnavailable(None, "token answered without a token")
    return token, expires_in


def access_token_get(*, stale_token: str | None = None) -> str:
    """A valid access token, fetched at most once across all workers when needed.

    ``stale_token``: a token WeChat has just refused (40001/42001); it is not returned
    again, a fresh one is fetched unless another worker already replaced it. Call outside
    long transactions: the row lock is held while WeChat answers. Raises WeChatError
    subclasses when WeChat cannot give a token.
    """
    now = timezone.now()
    key = _cache_key()
    cached = cache.get(key)
    if cached is not None:
        encrypted, expires_at = cached
        token = secret_decrypt(encrypted)
        if token and token != stale_token and expires_at - _margin() > now:
            return token
    WeChatAccessToken.objects.get_or_create(pk=WeChatAccessToken.SINGLETON)
    with transaction.atomic():
        row = WeChatAccessToken.objects.select_for_update().get(pk=WeChatAccessToken.SINGLETON)
        stored = secret_decrypt(row.token_encrypted)
        if row.token_encrypted and stored is None:
            logger.warning(
                "The stored WeChat access token does not decrypt (encryption key changed?); "
                "fetching a new one"
            )
        usable = (
            stored
            and stored != stale_token
            and row.expires_at is not None
            and row.expires_at - _margin() > now
            and row.appid == settings.WECHAT_APPID
        )
        if not usable:
            # Force a new stable token only when WeChat refused the one we hold.
            token, expires_in = _fetch(force_refresh=bool(stale_token) and stored == stale_token)
            row.token_encrypted, row.appid = secret_encrypt(token), settings.WECHAT_APPID
            row.expires_at = now + dt.timedelta(seconds=expires_in)
            row.fetched_at = now
            row.save()
            logger.info("Fetched a new WeChat access token, valid for %s s", expires_in)
        else:
            token = stored
        encrypted, expires_at = row.token_encrypted, row.expires_at
    ttl = (expires_at - _margin() - now).total_seconds()
    if ttl > 0:
        cache.set(key, (encrypted, expires_at), timeout=ttl)
    return token


def subscribe_message_send(
    *, openid: str, template_id: str, page: str, data: dict[str, Any]
) -> None:
    """Send one subscription message; returns when WeChat accepted it (errcode 0).

    An access token WeChat refuses (40001 invalid, 42001 expired) is replaced once and the
    send retried once. Raises the WeChatError subclasses of alliance.wechat otherwise.
    """
    body = {
        "touser": openid,
        "template_id": template_id,
        "page": page,
        "data": data,
        "miniprogram_state": settings.WECHAT_MINIPROGRAM_STATE,
        "lang": "zh_CN",
    }
    token = access_token_get()
    try:
        wechat_post(SUBSCRIBE_SEND, {"access_token": token}, body)
    except WeChatAccessTokenInvalid:
        logger.info("WeChat refused the access token; fetching a new one")
        token = access_token_get(stale_token=token)
        wechat_post(SUBSCRIBE_SEND, {"access_token": token}, body)
