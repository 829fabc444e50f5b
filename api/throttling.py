"""Rate limits on failed sign-in attempts (passwords, invite codes), kept in Django's cache.

Unlike DRF's request-rate throttles, only *failures* count: someone who signs in right
the first time is never slowed down, and someone guessing is stopped after
``settings.SIGN_IN_FAILURE_LIMIT`` failures per key within
``settings.SIGN_IN_FAILURE_WINDOW_SECONDS`` (a fixed window from the first failure). Keys
are per account (username, WeChat openid) and per client IP, so neither many guesses at
one account nor one client guessing at many accounts gets far.

The counters live in the default cache: with several app servers, configure a shared one
(``CACHE_URL=redis://...``); with process memory each server counts on its own.
``cache.add`` + ``cache.incr`` are atomic on Redis and on the local-memory cache.

Usage in a view: ``throttle_classes = [SignInFailureThrottle]``, mix in
:class:`FailureCountingMixin`, set ``failure_scope`` and ``failure_codes`` and implement
``failure_keys(request)``.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from alliance.errors import DomainError


def _cache_key(scope: str, key: str) -> str:
    # Hashed: keys hold usernames and openids (any characters, and not for a cache dump).
    return f"signin-failures:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def failures_blocked_for(scope: str, keys: list[str]) -> int | None:
    """Seconds until the first of ``keys`` may try again, or None if none is blocked."""
    names = [_cache_key(scope, key) for key in keys]
    stored = cache.get_many([*names, *(f"{name}:until" for name in names)])
    waits = [
        max(int(stored.get(f"{name}:until", 0) - time.time()), 1)
        for name in names
        if stored.get(name, 0) >= settings.SIGN_IN_FAILURE_LIMIT
    ]
    return max(waits) if waits else None


def failure_record(scope: str, keys: list[str]) -> None:
    """Count one failed attempt against each key."""
    window = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    for key in keys:
        name = _cache_key(scope, key)
        if cache.add(name, 0, timeout=window):
            cache.set(f"{name}:until", time.time() + window, timeout=window)
        try:
            cache.incr(name)
        except ValueError:  # Expired between add and incr: start a new window.
            cache.set(name, 1, timeout=window)
            cache.set(f"{name}:until", time.time() + window, timeout=window)


def failures_reset(scope: str, keys: list[str]) -> None:
    """Forget the failures of these keys (after a successful sign-in of that account)."""
    names = [_cache_key(scope, key) for key in keys]
    cache.delete_many([*names, *(f"{name}:until" for name in names)])


def client_ip(request: Request) -> str:
    """The client address: REMOTE_ADDR, or, when DRF's ``NUM_PROXIES`` says how many proxies
    stand in front, the address they saw in X-Forwarded-For. Without NUM_PROXIES the header
    is ignored: a client could write anything in it to dodge the per-IP limit."""
    if api_settings.NUM_PROXIES is None:
        return request.META.get("REMOTE_ADDR", "")
    return BaseThrottle().get_ident(request)


class SignInFailureThrottle(BaseThrottle):
    """Refuses (429 ``throttled`` with Retry-After) while any of the view's keys is over
    its failure limit. Counting is done by :class:`FailureCountingMixin`."""

    def allow_request(self, request: Request, view) -> bool:
        self._wait = failures_blocked_for(view.failure_scope, view.failure_keys(request))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class FailureCountingMixin:
    """Counts a failed attempt when the view raises a domain error in ``failure_codes``."""

    failure_scope: str
    failure_codes: frozenset[str]

    def failure_keys(self, request: Request) -> list[str]:
        raise NotImplementedError

    def handle_exception(self, exc: Exception):
        if isinstance(exc, DomainError) and exc.code in self.failure_codes:
            failure_record(self.failure_scope, self.failure_keys(self.request))
        return super().handle_exception(exc)
