"""``Idempotency-Key``: a write under /api/v1/ sent twice takes effect once.

A client that did not hear the answer to a POST (a dropped connection, a timeout in the
mini-program) sends it again with the same ``Idempotency-Key`` header and gets the first
answer back, marked ``Idempotent-Replayed: true``, instead of a second booking, member or
transition. The rules:

- Which requests: POST, PUT, PATCH and DELETE under /api/v1/ by a signed-in caller, except
  the sign-in endpoints under /api/v1/auth/ (their answers carry a new bearer token, which
  is never stored, and their failures are counted for rate limiting; there the header is
  ignored). Without the header nothing changes.
- Scope: a key belongs to its caller (a SHA-256 of the bearer token's member or, for an
  unbound token, its WeChat openid; of the user of a staff session), so one caller can
  never replay another's answer. A request without a live token or session (or a session
  request that fails DRF's CSRF check) runs as if it had no key (the view refuses it).
- The key: 1–255 printable ASCII characters, else 400 ``idempotency_key_invalid``.
- Same key, same method, path and body (a SHA-256 fingerprint) within 24 hours: the first
  answer again (status, body, Content-Type, Location, Content-Language). Same key with
  another method, path or body: 422 ``idempotency_key_reused``. Same key while the first
  request still runs: 409 ``idempotency_in_progress`` with ``Retry-After``.
- Only successes (2xx) are stored. Every other answer (4xx refusals, 401, 429, 5xx, 503)
  releases the key, so the same key may be sent again: refusals write nothing (a project
  rule the services' tests assert), so running them again cannot double an effect, and a
  client that fixed its input, or waited for a slot or for the service to recover, needs
  no new key. This differs from Stripe, which also replays 4xx answers.
- A claim is an INSERT in its own short transaction before the view runs; the unique
  constraint on (scope, key) decides which of two concurrent requests runs. The view is
  not wrapped in a transaction (services open their own durable ones). A claim left
  without an answer for ``LEASE`` (its worker died) may be taken by the next request with
  the key; a key older than ``TTL`` counts as absent. ``manage.py idempotency_purge``
  deletes old keys.
- Stored: scope and fingerprint digests, the key, status, the replayed headers and the
  body encrypted (alliance.crypto), since bodies may carry a secret shown once (an invite
  code, a calendar feed URL). Never the request or its Authorization header. If the
  encryption key changes, a kept answer is lost: 409 ``idempotency_answer_lost``, not a
  second run.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from rest_framework.authentication import CSRFCheck

from alliance.crypto import secret_decrypt, secret_encrypt
from alliance.errors import MESSAGES
from alliance.models import ApiToken
from alliance.tokens import token_digest
from api.exceptions import error_body
from api.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: How long a key's first answer is replayed.
TTL = dt.timedelta(hours=24)
#: A claim without an answer after this long belongs to a worker that died (gunicorn's
#: default timeout is 30 s); the next request with the key runs instead of waiting 24 h.
LEASE = dt.timedelta(seconds=60)
RETRY_AFTER_SECONDS = 1
PREFIX = "/api/v1/"
#: Sign-in, bind and logout: see the module docstring.
EXCLUDED_PREFIXES = ("/api/v1/auth/",)
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The answer's headers that are replayed with its body.
KEPT_HEADERS = ("Content-Type", "Location", "Content-Language")
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
#: How often a request tries to claim a key that other requests keep releasing.
CLAIM_ATTEMPTS = 3


def idempotency_applies(method: str, path: str) -> bool:
    """Whether a request with this method and path honours ``Idempotency-Key``."""
    return method in METHODS and path.startswith(PREFIX) and not path.startswith(EXCLUDED_PREFIXES)


def caller_scope(request: HttpRequest) -> str | None:
    """A digest of who is calling, or None for nobody (or a token that signs no one in).

    Follows DRF's order (api.authentication): a bearer token decides when one is sent,
    else the session's user (already loaded by AuthenticationMiddleware, and reused by
    DRF's SessionAuthentication). A token costs one indexed lookup by its digest.
    """
    parts = str(request.META.get("HTTP_AUTHORIZATION", "")).split()
    if parts and parts[0].lower() == "bearer":
        if len(parts) != 2:
            return None
        subject = (
            ApiToken.objects.filter(
                digest=token_digest(parts[1]),
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .values_list("member_id", "wechat_openid")
            .first()
        )
        if subject is None:
            return None
        member_id, openid = subject
        name = f"member:{member_id}" if member_id is not None else f"openid:{openid}"
    else:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.pk is None:
            return None
        if _csrf_refused(request):  # DRF will refuse it; a replay must not pass it either
            return None
        name = f"user:{user.pk}"
    return hashlib.sha256(name.encode()).hexdigest()


def _csrf_refused(request: HttpRequest) -> bool:
    """DRF's CSRF check for session callers (SessionAuthentication.enforce_csrf)."""
    check = CSRFCheck(lambda _request: HttpResponse())
    check.process_request(request)
    return check.process_view(request, None, (), {}) is not None


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of method, path (with its query) and body: what makes two requests one."""
    digest = hashlib.sha256(f"{method}\n{path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _refusal(code: str, status: int, **headers: str) -> JsonResponse:
    response = JsonResponse(
        error_body(code, str(MESSAGES[code])),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _in_progress() -> JsonResponse:
    return _refusal("idempotency_in_progress", 409, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


@dataclasses.dataclass(frozen=True)
class Claim:
    """This request owns the key's row ``pk``, claimed at ``at`` (a compare-and-set token:
    a request that lost its lease finds the row changed and leaves it alone)."""

    pk: int
    at: dt.datetime


def _is_stale(row: IdempotencyKey, now: dt.datetime) -> bool:
    age = now - row.created_at
    return age >= (LEASE if row.status_code is None else TTL)


def key_claim(*, scope: str, key: str, fingerprint: str) -> Claim | HttpResponse:
    """Claim ``key`` for this request, or the answer that stands in for running it.

    Each INSERT commits at once in its own transaction (a savepoint inside a caller's
    transaction), so the next request with the key sees the claim. Returns a Claim when
    this request runs the view; a replay, 409 or 422 otherwise.
    """
    for _ in range(CLAIM_ATTEMPTS):
        now = timezone.now()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint, created_at=now
                )
            return Claim(pk=row.pk, at=now)
        except IntegrityError:
            pass
        row = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if row is None:  # released between our INSERT and this read: claim again
            continue
        if _is_stale(row, now):
            taken = IdempotencyKey.objects.filter(
                pk=row.pk, created_at=row.created_at, status_code=row.status_code
            ).update(fingerprint=fingerprint, created_at=now, status_code=None, headers={}, body="")
            if taken:
                return Claim(pk=row.pk, at=now)
            continue
        if row.fingerprint != fingerprint:
            return _refusal("idempotency_key_reused", 422)
        if row.status_code is None:
            return _in_progress()
        return _replay(row)
    return _in_progress()


def _replay(row: IdempotencyKey) -> HttpResponse:
    encoded = secret_decrypt(row.body)
    if encoded is None:  # FIELD_ENCRYPTION_KEY or SECRET_KEY changed since
        return _refusal("idempotency_answer_lost", 409)
    response = HttpResponse(base64.b64decode(encoded), status=row.status_code)
    if "Content-Type" not in row.headers:
        del response["Content-Type"]
    for name, value in row.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _is_storable(response: HttpResponse) -> bool:
    return 200 <= response.status_code < 300 and not response.streaming


def answer_store(claim: Claim, response: HttpResponse) -> None:
    """Keep what a replay needs: status, KEPT_HEADERS and the body, encrypted."""
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    headers.setdefault("Content-Language", translation.get_language())
    body = secret_encrypt(base64.b64encode(response.content).decode("ascii"))
    IdempotencyKey.objects.filter(pk=claim.pk, created_at=claim.at, status_code=None).update(
        status_code=response.status_code, headers=headers, body=body
    )


def key_release(claim: Claim) -> None:
    """Forget the claim, so that the client may send the same key again."""
    IdempotencyKey.objects.filter(pk=claim.pk, created_at=claim.at, status_code=None).delete()


def _release_quietly(claim: Claim) -> None:
    """Release on the way out of an exception, which must not be masked by another."""
    try:
        key_release(claim)
    except DatabaseError:
        logger.exception("Could not release an Idempotency-Key; it lapses after its lease")


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the keys older than TTL (they count as absent already); how many."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotencyMiddleware:
    """Applies the rules of this module's docstring. Placed after AuthenticationMiddleware
    (a staff session's user scopes its keys)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or not idempotency_applies(request.method or "", request.path):
            return self.get_response(request)
        if not KEY_PATTERN.fullmatch(key):
            return _refusal("idempotency_key_invalid", 400)
        scope = caller_scope(request)
        if scope is None:
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:  # refused by whatever answers oversized bodies
            return self.get_response(request)
        fingerprint = request_fingerprint(request.method or "", request.get_full_path(), body)
        claim = key_claim(scope=scope, key=key, fingerprint=fingerprint)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            response = self.get_response(request)
        except BaseException:
            _release_quietly(claim)
            raise
        try:
            if _is_storable(response):
                answer_store(claim, response)
            else:
                key_release(claim)
        except DatabaseError:
            # The write took effect; the client gets its answer. The claim lapses after LEASE.
            logger.exception("Could not record the answer to an Idempotency-Key")
        return response
