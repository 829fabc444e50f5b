"""The API's throttles, on the limits of alliance.ratelimit (shared with the back office).

Sign-in doors: ``throttle_classes = [SignInFailureThrottle]``, mix in
:class:`FailureCountingMixin`, set ``failure_codes`` and implement
``sign_in_account(request)`` (None for a door that names no account, like WeChat codes).
The throttle refuses with 429 ``throttled`` and Retry-After before the view asks anyone
(the password hasher, WeChat); the mixin counts the view's failures.

Booking requests: :class:`BookingCreateThrottle`, a per-member ceiling (429
``booking_rate_limited``).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from alliance.errors import MESSAGES, DomainError
from alliance.ratelimit import (
    ceiling_hit,
    client_address,
    sign_in_failure_record,
    sign_in_success_record,
    sign_in_wait,
    web_challenge_record,
    web_challenge_wait,
)
from api.authentication import request_member


class SignInFailureThrottle(BaseThrottle):
    """Refuses (429 ``throttled`` with Retry-After) while the attempt's account and
    address pair, or the address, is over its failure limit."""

    def allow_request(self, request: Request, view) -> bool:
        self._wait = sign_in_wait(
            address=client_address(request), account=view.sign_in_account(request)
        )
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class FailureCountingMixin:
    """Counts a failed attempt when the view raises a domain error in ``failure_codes``."""

    failure_codes: frozenset[str]

    def sign_in_account(self, request: Request) -> str | None:
        raise NotImplementedError

    def sign_in_succeeded(self, request: Request) -> None:
        """Forget the pair's earlier failures; call it once the sign-in worked."""
        account = self.sign_in_account(request)
        if account is not None:
            sign_in_success_record(address=client_address(request), account=account)

    def handle_exception(self, exc: Exception):
        if isinstance(exc, DomainError) and exc.code in self.failure_codes:
            sign_in_failure_record(
                address=client_address(self.request), account=self.sign_in_account(self.request)
            )
        return super().handle_exception(exc)


class WebChallengeCreateThrottle(BaseThrottle):
    """Web sign-in challenges per client address (alliance.ratelimit.web_challenge_limits):
    429 ``throttled`` with Retry-After past the limit; every allowed creation counts."""

    def allow_request(self, request: Request, view) -> bool:
        address = client_address(request)
        self._wait = web_challenge_wait(address=address)
        if self._wait is None:
            web_challenge_record(address=address)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class BookingRateLimited(exceptions.Throttled):
    """429 ``booking_rate_limited`` with Retry-After (api.exceptions reads ``error_code``)."""

    error_code = "booking_rate_limited"

    def __init__(self, wait: int) -> None:
        exceptions.APIException.__init__(self, str(MESSAGES[self.error_code]))
        self.wait = wait


class BookingCreateThrottle(BaseThrottle):
    """At most ``settings.BOOKING_CREATE_RATE_PER_MINUTE`` booking requests per member and
    minute (0: none). Counts POSTs only; put it on the view that creates bookings, after
    authentication (DRF checks throttles after permissions)."""

    def allow_request(self, request: Request, view) -> bool:
        member = request_member(request) if request.method == "POST" else None
        if member is None:
            return True
        wait = ceiling_hit(
            scope="booking-create",
            subject=str(member.pk),
            per_minute=settings.BOOKING_CREATE_RATE_PER_MINUTE,
        )
        if wait is not None:
            raise BookingRateLimited(wait=wait)
        return True
