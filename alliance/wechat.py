"""A small client for WeChat's server API (api.weixin.qq.com), on the standard library.

Every call goes to ``settings.WECHAT_API_BASE``, waits at most
``WECHAT_CONNECT_TIMEOUT_SECONDS`` to connect and ``WECHAT_TIMEOUT_SECONDS`` for each read,
and every failure becomes one of three typed errors so that callers can decide what to
do without reading error codes:

- :class:`WeChatUnavailable`: the network, a timeout, an HTTP error, a body that is not
  JSON, or WeChat's own "system busy" (-1). Transient: the same call may succeed later.
  :class:`WeChatCircuitOpen` (a WeChatUnavailable) when calls are suspended, see below.
- :class:`WeChatRateLimited`: 45011 (sign-in too frequent) and 45009 (daily quota).
- :class:`WeChatError`: any other ``errcode``; :class:`WeChatAccessTokenInvalid` for an
  invalid, expired or missing access token (fetch a new one and retry once).

A slow or failing WeChat must not tie up every server's workers in timeouts, so calls go
through a circuit breaker kept in the shared cache: after ``WECHAT_BREAKER_FAILURES``
unavailable answers in a row (across all servers), calls fail at once with
WeChatCircuitOpen for ``WECHAT_BREAKER_OPEN_SECONDS``; then one call (one across all
servers) is let through as a trial: its success closes the breaker, its failure opens it
again. A WeChat refusal with an errcode is an answer, not a failure.

Secrets stay secret: query strings carry the app secret and sign-in codes, so no URL is
ever logged or put into an exception, and :func:`jscode2session` drops the session key
(the project never needs it: it does not decrypt user data).
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import time
import urllib.error
import urllib.request
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from alliance.ratelimit import counter_incr

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


class WeChatCircuitOpen(WeChatUnavailable):
    """WeChat calls are suspended after repeated failures; try in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(None, "suspended after repeated failures")


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


# --- Timeouts -----------------------------------------------------------------------------


class _TimedHTTPConnection(http.client.HTTPConnection):
    """Connects within the request's timeout (the connect timeout), then gives each read
    ``read_timeout`` seconds."""

    read_timeout: float

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self.read_timeout)


class _TimedHTTPSConnection(http.client.HTTPSConnection):
    """As _TimedHTTPConnection; the TLS handshake counts as connecting."""

    read_timeout: float

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self.read_timeout)


def _connection_factory(connection_class: type, read_timeout: float):
    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = connection_class(host, **kwargs)
        connection.read_timeout = read_timeout
        return connection

    return make


class _TimedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_connection_factory(_TimedHTTPConnection, self.read_timeout), req)


class _TimedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def https_open(self, req: urllib.request.Request) -> Any:
        factory = _connection_factory(_TimedHTTPSConnection, self.read_timeout)
        return self.do_open(factory, req, context=self._context)


# --- Circuit breaker ----------------------------------------------------------------------

BREAKER_FAILURES = "wechat-breaker:failures"
BREAKER_OPEN_UNTIL = "wechat-breaker:open-until"
BREAKER_TRIAL = "wechat-breaker:trial"
#: Consecutive failures are forgotten after this long without any call failing.
BREAKER_MEMORY_SECONDS = 3600


def _breaker_admit() -> str:
    """Let a call through or raise WeChatCircuitOpen. Returns ``"closed"`` (nothing to
    tidy), ``"failing"`` (earlier failures to forget on success) or ``"trial"``."""
    state = cache.get_many([BREAKER_FAILURES, BREAKER_OPEN_UNTIL])
    open_until = state.get(BREAKER_OPEN_UNTIL)
    if open_until is None:
        return "failing" if state.get(BREAKER_FAILURES) else "closed"
    wait = math.ceil(open_until - time.time())
    if wait > 0:
        raise WeChatCircuitOpen(wait)
    # Half open: one caller tries; the others fail fast until it has an answer.
    trial_seconds = settings.WECHAT_CONNECT_TIMEOUT_SECONDS + settings.WECHAT_TIMEOUT_SECONDS
    if not cache.add(BREAKER_TRIAL, True, timeout=math.ceil(trial_seconds) + 5):
        raise WeChatCircuitOpen(1)
    return "trial"


def _breaker_failure(admitted: str) -> None:
    failures = counter_incr(BREAKER_FAILURES, window=BREAKER_MEMORY_SECONDS)
    if admitted == "trial" or failures >= settings.WECHAT_BREAKER_FAILURES:
        seconds = settings.WECHAT_BREAKER_OPEN_SECONDS
        cache.set(BREAKER_OPEN_UNTIL, time.time() + seconds, timeout=seconds + 3600)
        cache.delete(BREAKER_TRIAL)
        logger.warning("WeChat calls suspended for %s s after %s failures", seconds, failures)


def _breaker_success(admitted: str) -> None:
    if admitted != "closed":
        cache.delete_many([BREAKER_FAILURES, BREAKER_OPEN_UNTIL, BREAKER_TRIAL])


# --- Requests -----------------------------------------------------------------------------


def _exchange(request: urllib.request.Request, path: str) -> dict[str, Any]:
    """Send one request; WeChat's JSON object (any errcode but "busy"), or
    WeChatUnavailable. The URL (with its secrets) never appears in what is raised or
    logged: exceptions are re-raised ``from None`` and name only ``path``."""
    read_timeout = float(settings.WECHAT_TIMEOUT_SECONDS)
    opener = urllib.request.build_opener(
        _TimedHTTPHandler(read_timeout), _TimedHTTPSHandler(read_timeout)
    )
    timeout = float(settings.WECHAT_CONNECT_TIMEOUT_SECONDS)
    try:
        # The scheme is checked in _url: only http(s) to the configured base.
        with opener.open(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        logger.warning("WeChat %s answered HTTP %s", path, status)
        raise WeChatUnavailable(None, f"HTTP {status}") from None
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
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
    if (answer.get("errcode") or 0) == BUSY:
        logger.info("WeChat %s refused: errcode %s", path, BUSY)
        raise WeChatUnavailable(BUSY, str(answer.get("errmsg", ""))[:200])
    return answer


def _request(request: urllib.request.Request, path: str) -> dict[str, Any]:
    """Send one request through the circuit breaker and return WeChat's JSON object, or
    raise a typed error."""
    admitted = _breaker_admit()
    try:
        answer = _exchange(request, path)
    except WeChatUnavailable:
        _breaker_failure(admitted)
        raise
    _breaker_success(admitted)
    errcode = answer.get("errcode") or 0
    if errcode == 0:
        return answer
    errmsg = str(answer.get("errmsg", ""))[:200]
    logger.info("WeChat %s refused: errcode %s", path, errcode)
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
