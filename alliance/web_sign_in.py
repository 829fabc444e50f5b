"""Signing a browser in by scanning a challenge with the mini-program (issue 8).

1. The browser asks for a challenge (:func:`web_challenge_create`): its answer is a payload
   for a QR code, ``alliance-share:web-sign-in:<id>:<secret>``, valid for
   ``WEB_SIGN_IN_CHALLENGE_TTL_SECONDS``. The challenge is bound to the browser: the
   browser's session holds a random browser secret (:func:`browser_secret_of`) and the
   challenge stores its digest.
2. The mini-program scans it and confirms it with its bearer token and the payload's secret
   (:func:`web_challenge_confirm`): only a bound, active member of an active unit may.
3. The browser polls (:func:`web_challenge_complete`); once confirmed, exactly one poll of
   the browser that created it gets the member, and the web app signs the session in.

Only SHA-256 digests of the two secrets are stored (256 random bits each, so a digest
needs no key). Confirmation and completion are conditional UPDATEs (``... WHERE
confirmed_at IS NULL`` / ``WHERE used_at IS NULL``): of concurrent calls exactly one wins,
whatever the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from alliance.errors import AccessDenied, ValidationFailed
from alliance.models import ApiToken, Member, WebSignInChallenge

if TYPE_CHECKING:
    from collections.abc import MutableMapping

PAYLOAD_PREFIX = "alliance-share:web-sign-in:"
#: The session key under which a browser keeps its browser secret.
SESSION_KEY = "alliance_web_sign_in_browser"
#: A challenge confirmed in time may still be completed this long after it expired (the
#: browser polls every 2 seconds; a confirmation in the last second must not be lost).
COMPLETE_GRACE = dt.timedelta(seconds=30)
#: Challenges are deleted this long after they expired (on the next creation).
KEEP_EXPIRED = dt.timedelta(days=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def browser_secret_of(session: MutableMapping[str, object]) -> str:
    """The browser secret kept in this Django session, created on first use. Whoever holds
    the session cookie holds it; nobody else can complete the session's challenges."""
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str) or not secret:
        secret = secrets.token_urlsafe(32)
        session[SESSION_KEY] = secret
    return secret


@dataclasses.dataclass(frozen=True)
class IssuedChallenge:
    """A new challenge and its payload (the only copy of its secret: show it, forget it)."""

    challenge: WebSignInChallenge
    payload: str

    @property
    def ttl_seconds(self) -> int:
        return settings.WEB_SIGN_IN_CHALLENGE_TTL_SECONDS


def web_challenge_create(*, browser_secret: str) -> IssuedChallenge:
    """A fresh challenge bound to the browser holding ``browser_secret``.

    Precondition: the caller applied alliance.ratelimit's challenge limit. Challenges that
    expired more than a day ago are deleted on the way, so the table stays small.
    """
    if not browser_secret:
        raise ValueError("A challenge needs the browser's secret")
    now = timezone.now()
    secret = secrets.token_urlsafe(32)
    WebSignInChallenge.objects.filter(expires_at__lt=now - KEEP_EXPIRED).delete()
    challenge = WebSignInChallenge.objects.create(
        id=uuid.uuid4(),
        secret_digest=_digest(secret),
        browser_digest=_digest(browser_secret),
        expires_at=now + dt.timedelta(seconds=settings.WEB_SIGN_IN_CHALLENGE_TTL_SECONDS),
    )
    return IssuedChallenge(challenge=challenge, payload=f"{PAYLOAD_PREFIX}{challenge.pk}:{secret}")


def challenge_payload_parse(payload: str) -> tuple[str, str]:
    """``(challenge_id, secret)`` from a scanned payload; 400 ``challenge_invalid`` if it is
    not one."""
    text = payload.strip() if isinstance(payload, str) else ""
    if not text.startswith(PAYLOAD_PREFIX):
        raise ValidationFailed("challenge_invalid")
    challenge_id, _, secret = text.removeprefix(PAYLOAD_PREFIX).partition(":")
    if not challenge_id or not secret:
        raise ValidationFailed("challenge_invalid")
    return challenge_id, secret


def _challenge_get(challenge_id: object) -> WebSignInChallenge | None:
    try:
        pk = uuid.UUID(str(challenge_id))
    except ValueError:
        return None
    return WebSignInChallenge.objects.filter(pk=pk).first()


def _member_check(member: Member) -> None:
    """A member who may sign a browser in: active, with an active account and unit."""
    if not (member.is_active and member.user.is_active):
        raise AccessDenied("member_inactive")
    if not member.unit.is_active:
        raise AccessDenied("actor_unit_inactive")


def web_challenge_confirm(*, token: ApiToken, challenge_id: object, secret: str) -> Member:
    """The mini-program's "yes, sign that browser in as me"; the confirming member.

    Refusals (nothing written): 403 ``not_bound`` for a token not linked to a member,
    ``member_inactive``, ``actor_unit_inactive``; 400 ``challenge_invalid`` (unknown id or
    wrong secret: one answer), ``challenge_expired``, ``challenge_used`` (confirmed by
    someone else, or already signed in). Confirming again as the same member before the
    browser signed in is answered as the first time, so that a retry is harmless.
    """
    member = token.member
    if member is None:
        raise AccessDenied("not_bound")
    member = Member.objects.select_related("user", "unit").get(pk=member.pk)
    _member_check(member)
    challenge = _challenge_get(challenge_id)
    if challenge is None or not constant_time_compare(
        _digest(secret or ""), challenge.secret_digest
    ):
        raise ValidationFailed("challenge_invalid")
    now = timezone.now()
    confirmed = WebSignInChallenge.objects.filter(
        pk=challenge.pk, confirmed_at__isnull=True, expires_at__gt=now
    ).update(confirmed_at=now, confirmed_by=member)
    if confirmed:
        return member
    challenge.refresh_from_db()
    if challenge.confirmed_at is None:
        raise ValidationFailed("challenge_expired")
    if challenge.confirmed_by_id == member.pk and challenge.used_at is None:
        if challenge.expires_at <= now:
            raise ValidationFailed("challenge_expired")
        return member
    raise ValidationFailed("challenge_used")


def web_challenge_complete(*, challenge_id: object, browser_secret: str) -> Member | None:
    """The browser's poll: None while nobody has confirmed; the member, exactly once, after.

    Only the browser that created the challenge may complete it: any other (another session,
    a guessed id) is answered 400 ``challenge_invalid``, as for an unknown id. Other
    refusals: ``challenge_expired`` (not confirmed in time), ``challenge_used`` (completed
    already: single use), ``member_inactive``/``actor_unit_inactive`` (deactivated since
    confirming; the challenge is spent).
    """
    challenge = _challenge_get(challenge_id)
    if challenge is None or not constant_time_compare(
        _digest(browser_secret or ""), challenge.browser_digest
    ):
        raise ValidationFailed("challenge_invalid")
    now = timezone.now()
    if challenge.used_at is not None:
        raise ValidationFailed("challenge_used")
    if challenge.confirmed_at is None:
        if challenge.expires_at <= now:
            raise ValidationFailed("challenge_expired")
        return None
    if challenge.expires_at + COMPLETE_GRACE <= now:
        raise ValidationFailed("challenge_expired")
    won = WebSignInChallenge.objects.filter(
        pk=challenge.pk, used_at__isnull=True, confirmed_at__isnull=False
    ).update(used_at=now)
    if not won:
        raise ValidationFailed("challenge_used")
    member = Member.objects.select_related("user", "unit").get(pk=challenge.confirmed_by_id)
    _member_check(member)
    return member


def members_to_play() -> list[Member]:
    """Active members of active units with active accounts, for the debug-only page that
    plays the mini-program (web.views.dev)."""
    return list(
        Member.objects.select_related("unit", "user")
        .filter(is_active=True, user__is_active=True, unit__is_active=True)
        .order_by("unit__name", "name")
    )
