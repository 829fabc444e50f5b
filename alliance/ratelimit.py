"""Limits counted in the shared cache: failed sign-ins at every door, and request ceilings.

Below the API so that every door uses the same counters: the API's password, WeChat and
invite-code sign-ins (api.throttling) and the back office's /admin/login/
(alliance.admin_login). The counters live in the default cache, which every server shares
(the database by default, Redis with ``CACHE_URL``), and are incremented atomically
(alliance.cache for the database; Redis's native INCR).

Failed sign-ins (only failures count: whoever signs in right the first time is never slowed
down) are counted twice, in a window that starts with the first failure:

- per account *and* address: ``SIGN_IN_FAILURE_LIMIT`` (5) failures in
  ``SIGN_IN_FAILURE_WINDOW_SECONDS`` (15 minutes). Per pair, so that nobody can lock a
  named staff member out by failing from somewhere else;
- per address across accounts: ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` (50) in the same window,
  so that one client cannot spray guesses over many accounts (or WeChat codes, which name
  no account).

Once a limit is reached every attempt it covers is refused, the right password included,
until the window passes. Keys are hashed: they hold usernames and openids.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most ``limit`` events per ``window`` seconds on the counter ``name``.
    A limit of 0 (or less) never refuses."""

    name: str
    limit: int
    window: int


def limit_key(scope: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"limit:{scope}:{digest}"


def counter_incr(name: str, *, window: int) -> int:
    """Count one event on ``name``; the count so far. The first event opens a window of
    ``window`` seconds (the counter then expires); later events do not extend it."""
    count = getattr(cache, "count", None)  # alliance.cache.CounterDatabaseCache: one upsert
    if count is not None:
        try:
            return count(name, window=window)
        except NotImplementedError:  # a database without upserts: the portable way below
            pass
    try:
        return cache.incr(name)
    except ValueError:  # No live counter: open a window.
        pass
    if cache.add(name, 1, timeout=window):
        return 1
    try:
        return cache.incr(name)  # Another server opened it meanwhile.
    except ValueError:
        cache.set(name, 1, timeout=window)
        return 1


def limits_wait(limits: Sequence[Limit]) -> int | None:
    """Seconds until every limit that is reached allows again; None if none is reached."""
    live = [limit for limit in limits if limit.limit > 0]
    if not live:
        return None
    names = [limit.name for limit in live]
    stored = cache.get_many([*names, *(f"{name}:until" for name in names)])
    now = time.time()
    waits = [
        max(math.ceil(stored.get(f"{limit.name}:until", now) - now), 1)
        for limit in live
        if stored.get(limit.name, 0) >= limit.limit
    ]
    return max(waits) if waits else None


def limits_record(limits: Sequence[Limit]) -> None:
    """Count one event against each limit (its window starts with its first event)."""
    for limit in limits:
        if counter_incr(limit.name, window=limit.window) == 1:
            cache.set(f"{limit.name}:until", time.time() + limit.window, timeout=limit.window)


def limits_reset(limits: Sequence[Limit]) -> None:
    names = [limit.name for limit in limits]
    cache.delete_many([*names, *(f"{name}:until" for name in names)])


# --- Sign-in ------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, when ``REST_FRAMEWORK["NUM_PROXIES"]`` says
    how many proxies stand in front, the address the outermost of them saw in
    X-Forwarded-For (as DRF's throttles read it). Without NUM_PROXIES the header is
    ignored: a client could write anything in it to dodge the per-address limit."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies is None or proxies == 0 or not forwarded:
        return remote
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()


def username_account(username: object) -> str:
    """The account a password sign-in names: one counter for the API and the back office,
    whatever the case and spacing typed."""
    return f"username:{username.strip().lower() if isinstance(username, str) else ''}"


def openid_account(openid: str) -> str:
    return f"openid:{openid}"


def _pair_limit(account: str, address: str) -> Limit:
    return Limit(
        name=limit_key("signin-pair", account, address),
        limit=settings.SIGN_IN_FAILURE_LIMIT,
        window=settings.SIGN_IN_FAILURE_WINDOW_SECONDS,
    )


def sign_in_limits(*, address: str, account: str | None) -> list[Limit]:
    """The limits a sign-in attempt falls under: the (account, address) pair, if the attempt
    names an account, and the address's ceiling."""
    ceiling = Limit(
        name=limit_key("signin-address", address),
        limit=settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
        window=settings.SIGN_IN_FAILURE_WINDOW_SECONDS,
    )
    return [ceiling] if account is None else [_pair_limit(account, address), ceiling]


def sign_in_wait(*, address: str, account: str | None) -> int | None:
    """Seconds until this attempt may be made; None if it may be made now. Check before
    asking anyone (the password hasher, WeChat)."""
    return limits_wait(sign_in_limits(address=address, account=account))


def sign_in_failure_record(*, address: str, account: str | None) -> None:
    limits_record(sign_in_limits(address=address, account=account))


def sign_in_success_record(*, address: str, account: str) -> None:
    """Forget the pair's failures (a person who mistyped, then got it right). The address's
    count stays: one good account must not clear a client's record of guessing others."""
    limits_reset([_pair_limit(account, address)])


def web_challenge_limits(*, address: str) -> list[Limit]:
    """Web sign-in challenges one address may create (issue 8): every creation counts,
    ``WEB_SIGN_IN_CHALLENGE_LIMIT`` per ``SIGN_IN_FAILURE_WINDOW_SECONDS``."""
    return [
        Limit(
            name=limit_key("web-challenge", address),
            limit=settings.WEB_SIGN_IN_CHALLENGE_LIMIT,
            window=settings.SIGN_IN_FAILURE_WINDOW_SECONDS,
        )
    ]


def web_challenge_wait(*, address: str) -> int | None:
    """Seconds until this address may create another challenge; None if it may now."""
    return limits_wait(web_challenge_limits(address=address))


def web_challenge_record(*, address: str) -> None:
    limits_record(web_challenge_limits(address=address))


def member_account(member_id: int) -> str:
    """The account a bound token's confirmations of web sign-ins count against."""
    return f"member:{member_id}"


# --- Request ceilings ---------------------------------------------------------------------


def ceiling_hit(*, scope: str, subject: str, per_minute: int) -> int | None:
    """Count one request of ``subject`` against a ceiling of ``per_minute`` requests per
    minute (0 disables); None if allowed, else seconds until the next minute.

    Fixed minutes (the counter's key names the minute): one atomic increment per request,
    no second key. Refused requests count too, so hammering does not pay.
    """
    if per_minute <= 0:
        return None
    now = time.time()
    minute = int(now // 60)
    count = counter_incr(limit_key(scope, subject, str(minute)), window=120)
    if count <= per_minute:
        return None
    return max(math.ceil((minute + 1) * 60 - now), 1)
