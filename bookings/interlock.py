"""Instrument power control: drivers that switch a resource's power, and the one function
that calls them for a usage session and records the attempt (docs/interlock.md).

A driver has ``lock(config)``, ``unlock(config)`` and ``status(config)``; each returns the
relay's state ("on"/"off") or raises :class:`InterlockFailed` with a short code. The no-op
driver (a resource without an InterlockConfig, or with driver ``noop``) does nothing and
records nothing. The HTTP relay driver speaks to a switched socket on the network:

- ``POST <relay_url>`` with JSON ``{"channel": 1, "state": "on"|"off"}`` and the header
  ``Authorization: Bearer <secret>``; a 2xx answer with JSON ``{"state": ...}`` is success;
- ``GET <relay_url>?channel=1`` answers ``{"state": "on"|"off"}``.

Every call is bounded by ``INTERLOCK_TIMEOUT_SECONDS`` (connect and each read), with
urllib as alliance.wechat does. The secret is decrypted only to be sent; it is never logged.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alliance.crypto import secret_decrypt, secret_encrypt
from alliance.errors import ValidationFailed
from bookings.usage_models import (
    InterlockAction,
    InterlockAttempt,
    InterlockConfig,
    InterlockDriver,
    PowerState,
    UsageSession,
)

if TYPE_CHECKING:
    import datetime as dt

logger = logging.getLogger(__name__)


class InterlockFailed(Exception):
    """The relay did not do what was asked. ``code``: timeout, refused, unreachable,
    bad_answer, no_secret."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


class Driver(Protocol):
    def lock(self, config: InterlockConfig) -> str: ...
    def unlock(self, config: InterlockConfig) -> str: ...
    def status(self, config: InterlockConfig) -> str: ...


class NoopDriver:
    """No power control: the instrument is always usable."""

    def lock(self, config: InterlockConfig) -> str:
        return "off"

    def unlock(self, config: InterlockConfig) -> str:
        return "on"

    def status(self, config: InterlockConfig) -> str:
        return "unknown"


class HttpRelayDriver:
    def lock(self, config: InterlockConfig) -> str:
        return self._switch(config, "off")

    def unlock(self, config: InterlockConfig) -> str:
        return self._switch(config, "on")

    def status(self, config: InterlockConfig) -> str:
        query = urlencode({"channel": config.channel})
        url = f"{config.relay_url}?{query}"
        request = urllib.request.Request(url, method="GET")  # noqa: S310 - scheme checked
        return self._exchange(config, request)

    def _switch(self, config: InterlockConfig, state: str) -> str:
        body = json.dumps({"channel": config.channel, "state": state}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in _exchange
            config.relay_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        answer = self._exchange(config, request)
        if answer != state:
            raise InterlockFailed("bad_answer")
        return answer

    def _exchange(self, config: InterlockConfig, request: urllib.request.Request) -> str:
        if not request.full_url.startswith(("http://", "https://")):
            raise InterlockFailed("unreachable")
        secret = secret_decrypt(config.secret_encrypted)
        if config.secret_encrypted and secret is None:
            raise InterlockFailed("no_secret")  # encrypted under another key: set it again
        if secret:
            request.add_header("Authorization", f"Bearer {secret}")
        timeout = float(settings.INTERLOCK_TIMEOUT_SECONDS)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                payload = json.loads(response.read(4096) or b"{}")
        except urllib.error.HTTPError as exc:
            exc.close()
            raise InterlockFailed("refused") from None
        except TimeoutError:
            raise InterlockFailed("timeout") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise InterlockFailed("timeout") from None
            raise InterlockFailed("unreachable") from None
        except (OSError, ValueError):
            raise InterlockFailed("bad_answer") from None
        state = payload.get("state") if isinstance(payload, dict) else None
        if state not in ("on", "off"):
            raise InterlockFailed("bad_answer")
        return state


DRIVERS: dict[str, Driver] = {
    InterlockDriver.NOOP: NoopDriver(),
    InterlockDriver.HTTP_RELAY: HttpRelayDriver(),
}


def interlock_config_set(
    *,
    resource_id: int,
    driver: str,
    relay_url: str = "",
    channel: int = 1,
    secret: str | None = None,
) -> InterlockConfig:
    """Configure a resource's power control; ``secret=None`` keeps the stored one."""
    config, _created = InterlockConfig.objects.get_or_create(resource_id=resource_id)
    config.driver = driver
    config.relay_url = relay_url
    config.channel = channel
    if secret is not None and not (secret.isascii() and secret.isprintable()):
        raise ValidationFailed("invalid", fields={"secret": ["invalid"]})
    if secret is not None:
        config.secret_encrypted = secret_encrypt(secret) if secret else ""
    config.full_clean(exclude=["resource"])
    config.save()
    return config


def _config_of(resource_id: int) -> InterlockConfig | None:
    config = InterlockConfig.objects.filter(resource_id=resource_id).first()
    if config is None or config.driver == InterlockDriver.NOOP:
        return None
    return config


def session_power_needed(resource_id: int) -> bool:
    """Whether starting or stopping a session of this resource calls a relay."""
    return _config_of(resource_id) is not None


def session_power_apply(
    *, session_id: int, action: str, now: dt.datetime | None = None
) -> InterlockAttempt | None:
    """Switch the power for a session that has been committed, record the attempt, set
    the session's power state, and on failure tell the member and the managers.

    Runs after the session's transaction commits (``transaction.on_commit``), never inside
    it: the relay may take up to its timeout, and the session must stand whatever it does.
    Never raises for a relay failure. Returns the attempt, or None without power control.
    """
    from bookings.usage_notify import interlock_failure_notify  # notifications: below us

    session = UsageSession.objects.select_related("resource").get(pk=session_id)
    config = _config_of(session.resource_id)
    if config is None:
        return None
    driver = DRIVERS[config.driver]
    began = time.monotonic()
    error = ""
    try:
        if action == InterlockAction.UNLOCK:
            driver.unlock(config)
        else:
            driver.lock(config)
    except InterlockFailed as exc:
        error = exc.code
    except Exception:  # a driver bug must not lose the session either
        logger.exception("interlock driver %s failed", config.driver)
        error = "driver_error"
    duration_ms = int((time.monotonic() - began) * 1000)
    now = now or timezone.now()
    if action == InterlockAction.UNLOCK:
        power = PowerState.ON_FAILED if error else PowerState.ON
    else:
        power = PowerState.OFF_FAILED if error else PowerState.OFF
    with transaction.atomic():
        attempt = InterlockAttempt.objects.create(
            resource_id=session.resource_id,
            session=session,
            action=action,
            ok=not error,
            error_code=error,
            duration_ms=duration_ms,
            at=now,
        )
        UsageSession.objects.filter(pk=session.pk).update(power=power)
        if error:
            logger.warning(
                "interlock %s of resource %s failed: %s", action, session.resource_id, error
            )
            interlock_failure_notify(session=session, action=action, error=error, now=now)
    return attempt


def session_power_after_commit(*, session: UsageSession, action: str) -> None:
    """Inside the session's transaction: mark the power as switching and schedule the
    switch for after the commit (a rolled-back session switches nothing)."""
    if not session_power_needed(session.resource_id):
        return
    UsageSession.objects.filter(pk=session.pk).update(power=PowerState.PENDING)
    session.power = PowerState.PENDING
    transaction.on_commit(lambda: session_power_apply(session_id=session.pk, action=action))
