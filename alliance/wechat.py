"""A small client for WeChat's server API (api.weixin.qq.com), on the standard library.

Every call goes to ``settings.WECHAT_API_BASE`` with ``settings.WECHAT_TIMEOUT_SECONDS``,
and every failure becomes one of three typed errors so that callers can decide what to
do without reading error codes:

- :class:`WeChatUnavailable`: the network, a timeout, an HTTP error, a body that is not
  JSON, or WeChat's own "system busy" (-1). Transient: the same call may succeed later.
- :class:`WeChatRateLimited`: 45011 (sign-in too frequent) and 45009 (daily quota).
- :class:`WeChatError`: any other ``errcode``; :class:`WeChatAccessTokenInvalid` for an
  invalid, expired or missing access token (fetch a new one and retry once).

Secrets stay secret: query strings carry the app secret and sign-in codes, so no URL is
ever logged or put into an exception, and :func:`jscode2session` drops the session key
(the project never needs it: it does not decrypt user data).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings

logger = logging.getLogger(__name__)

#: WeChat answers "system busy, try again" with -1.
BUSY = -1
RATE_LIMITED = {45011, 45009}
ACCESS_TOKEN_INVALID = {40001, 42001, 41001}


class WeChatError(Exception):
    """WeChat refused the call. ``errcode`` is WeChat's code (None for transport errors)."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"WeChat error {errcode}: {errmsg}")


class WeChatUnavailable(WeChatError):
    """WeChat could not be reached or is busy. Retrying later may succeed."""


class WeChatRateLimited(WeChatError):
    """WeChat's rate limit or daily quota is exhausted. Retry much later."""


class WeChatAccessTokenInvalid(WeChatError):
    """The access token is invalid, expired or missing: fetch a fresh one."""


class WeChatIdentity(NamedTuple):
    """Who signed in: the openid (per mini-program) and, if any, the unionid."""

    openid: str
    unionid: str | None


def _url(path: str, params: dict[str, Any] | None) -> str:
    base = str(settings.WECHAT_API_BASE).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise WeChatUnavailable(None, "WECHAT_API_BASE must be an http(s) URL")
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}{path}{query}"


def _request(request: urllib.request.Request, path: str) -> dict[str, Any]:
    """Send one request and return WeChat's JSON object, or raise a typed error.

    The URL (with its secrets) never appears in what is raised or logged: exceptions are
    re-raised ``from None`` and name only ``path``.
    """
    opener = urllib.request.build_opener()
    timeout = float(settings.WECHAT_TIMEOUT_SECONDS)
    try:
        # The scheme is checked in _url: only http(s) to the configured base.
        with opener.open(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        logger.warning("WeChat %s answered HTTP %s", path, status)
        raise WeChatUnavailable(None, f"HTTP {status}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        kind = "timeout" if isinstance(reason, TimeoutError) else type(reason).__name__
        logger.warning("WeChat %s unreachable (%s)", path, kind)
        raise WeChatUnavailable(None, f"unreachable ({kind})") from None
    try:
        answer = json.loads(raw)
    except ValueError:
        logger.warning("WeChat %s answered something that is not JSON", path)
        raise WeChatUnavailable(None, "answer is not JSON") from None
    if not isinstance(answer, dict):
        raise WeChatUnavailable(None, "answer is not a JSON object")
    errcode = answer.get("errcode") or 0
    if errcode == 0:
        return answer
    errmsg = str(answer.get("errmsg", ""))[:200]
    logger.info("WeChat %s refused: errcode %s", path, errcode)
    if errcode == BUSY:
        raise WeChatUnavailable(errcode, errmsg)
    if errcode in RATE_LIMITED:
        raise WeChatRateLimited(errcode, errmsg)
    if errcode in ACCESS_TOKEN_INVALID:
        raise WeChatAccessTokenInvalid(errcode, errmsg)
    raise WeChatError(errcode, errmsg)


def wechat_get(path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """``GET {WECHAT_API_BASE}{path}?params``; WeChat's JSON answer when errcode is 0."""
    request = urllib.request.Request(_url(path, params), method="GET")  # noqa: S310
    return _request(request, path)


def wechat_post(
    path: str, params: dict[str, Any] | None = None, json_body: Any = None
) -> dict[str, Any]:
    """``POST`` a JSON body (UTF-8, Chinese unescaped, as WeChat expects)."""
    data = json.dumps(json_body if json_body is not None else {}, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310
        _url(path, params),
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    return _request(request, path)


def _credentials() -> tuple[str, str]:
    appid, secret = settings.WECHAT_APPID, settings.WECHAT_SECRET
    if not appid or not secret:
        logger.error("WECHAT_APPID and WECHAT_SECRET must be set to talk to WeChat")
        raise WeChatUnavailable(None, "WeChat is not configured")
    return appid, secret


def jscode2session(code: str) -> WeChatIdentity:
    """Exchange a ``wx.login`` code for the user's openid (and unionid, if any).

    Raises WeChatError with errcode 40029 (invalid code) or 40163 (code already used),
    WeChatRateLimited, or WeChatUnavailable. The session key WeChat returns is dropped here
    and never stored, returned or logged.
    """
    appid, secret = _credentials()
    answer = wechat_get(
        "/sns/jscode2session",
        {"appid": appid, "secret": secret, "js_code": code, "grant_type": "authorization_code"},
    )
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WeChatUnavailable(None, "jscode2session answered without an openid")
    unionid = answer.get("unionid")
    return WeChatIdentity(openid=openid, unionid=unionid if isinstance(unionid, str) else None)


def stable_access_token_fetch(*, force_refresh: bool = False) -> tuple[str, int]:
    """A fresh ``(access_token, expires_in_seconds)`` from ``POST /cgi-bin/stable_token``.

    Callers cache it (it is valid for about two hours and WeChat limits fetches per day);
    this function does not.
    """
    appid, secret = _credentials()
    answer = wechat_post(
        "/cgi-bin/stable_token",
        json_body={
            "grant_type": "client_credential",
            "appid": appid,
            "secret": secret,
            "force_refresh": force_refresh,
        },
    )
    token, expires_in = answer.get("access_token"), answer.get("expires_in")
    if not isinstance(token, str) or not isinstance(expires_in, int):
        raise WeChatUnavailable(None, "stable_token answered without a token")
    return token, expires_in
