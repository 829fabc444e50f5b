"""Concurrent requests with one Idempotency-Key take effect once, on PostgreSQL.

Real threads, each with its own database connection, send the whole request through
Django's handler and every middleware (the test Client), lined up by a barrier so that
they claim the key together. The controls send the same requests without a key and show
the race is real: several members, or a conflict against the caller's own booking.
"""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from django.db import connections, transaction
from django.test import Client

from alliance.models import Member, MemberRole
from alliance.tokens import api_token_issue
from api.models import IdempotencyKey
from bookings.models import Booking
from resources.models import Resource
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen_now"),
]

THREADS = 8
KEY = "7d1f0c52-rush-retry"
BOOKING = {
    "start": "2026-11-24T10:00:00+08:00",
    "end": "2026-11-24T11:00:00+08:00",
    "purpose": "并发重试",
}


def send(token: str, path: str, body: dict, key: str | None) -> tuple[int, dict, str]:
    """One request through the full stack: status, JSON body, Idempotent-Replayed."""
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    response = Client().post(
        path, json.dumps(body), content_type="application/json", headers=headers
    )
    return response.status_code, response.json(), response.get("Idempotent-Replayed", "")


def race(token: str, path: str, body: dict, key: str | None) -> list[tuple[int, dict, str]]:
    """THREADS identical requests released together by a barrier."""
    barrier = threading.Barrier(THREADS, timeout=30)
    answers: list = [None] * THREADS

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = send(token, path, body, key)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            answers[i] = (0, {"error": repr(exc)}, "")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def kinds(answers) -> Counter:
    """Each answer as ``ran`` (the one that ran), ``replay``, or its error code."""
    return Counter(
        "replay" if replayed else ("ran" if status < 300 else body.get("code", status))
        for status, body, replayed in answers
    )


@pytest.fixture
def secretary_token() -> str:
    return api_token_issue(member=MemberFactory(role=MemberRole.SECRETARIAT))[1]


@pytest.fixture
def booking_world():
    resource = ResourceFactory(hours=[(d, "00:00", "00:00") for d in range(7)])
    token = api_token_issue(member=MemberFactory(unit=resource.unit))[1]
    return resource, token


def test_concurrent_member_creations_with_one_key_make_one_member(secretary_token):
    unit = UnitFactory()
    body = {"unit": unit.pk, "name": "并发新人", "role": "researcher"}

    answers = race(secretary_token, "/api/v1/members/", body, KEY)

    outcome = kinds(answers)
    assert outcome["ran"] == 1, answers
    assert set(outcome) <= {"ran", "replay", "idempotency_in_progress"}, answers
    assert Member.objects.filter(name="并发新人").count() == 1
    ids = {body["id"] for status, body, _ in answers if status == 201}
    assert len(ids) == 1


def test_control_concurrent_member_creations_without_a_key_make_a_member_each(
    secretary_token,
):
    unit = UnitFactory()
    body = {"unit": unit.pk, "name": "并发新人", "role": "researcher"}

    answers = race(secretary_token, "/api/v1/members/", body, None)

    assert kinds(answers) == {"ran": THREADS}, answers
    assert Member.objects.filter(name="并发新人").count() == THREADS


def test_concurrent_booking_requests_with_one_key_book_once_and_conflict_never(booking_world):
    resource, token = booking_world

    answers = race(token, "/api/v1/bookings/", {**BOOKING, "resource": resource.pk}, KEY)

    outcome = kinds(answers)
    assert outcome["ran"] == 1, answers
    assert set(outcome) <= {"ran", "replay", "idempotency_in_progress"}, answers
    assert Booking.objects.filter(resource=resource).count() == 1


def test_control_concurrent_booking_requests_without_a_key_conflict_with_their_own(
    booking_world,
):
    resource, token = booking_world

    answers = race(token, "/api/v1/bookings/", {**BOOKING, "resource": resource.pk}, None)

    assert kinds(answers) == {"ran": 1, "conflict": THREADS - 1}, answers
    assert Booking.objects.filter(resource=resource).count() == 1


def test_a_retry_while_the_first_request_waits_is_409_then_replays(booking_world, settings):
    """The first request is held inside the scheduler by the resource's row lock (taken
    here), so the retry certainly arrives while it runs."""
    settings.BOOKING_LOCK_TIMEOUT_MS = 30_000
    resource, token = booking_world
    body = {**BOOKING, "resource": resource.pk}
    first: list = []
    retry_during: list = []

    def request_into(answers: list) -> None:
        try:
            answers.append(send(token, "/api/v1/bookings/", body, KEY))
        finally:
            connections.close_all()

    holder = threading.Thread(target=request_into, args=(first,))
    with transaction.atomic():
        Resource.objects.select_for_update().get(pk=resource.pk)
        holder.start()
        claimed = threading.Event()
        for _ in range(3000):  # up to 30 s for the first request to claim the key
            if IdempotencyKey.objects.filter(key=KEY).exists():
                break
            claimed.wait(0.01)
        retry = threading.Thread(target=request_into, args=(retry_during,))
        retry.start()
        retry.join(30)
    holder.join(60)
    retry_after = send(token, "/api/v1/bookings/", body, KEY)

    status, error, _ = retry_during[0]
    assert (status, error["code"]) == (409, "idempotency_in_progress")
    assert first[0][0] == 201, first
    assert retry_after == (201, first[0][1], "true")
    assert Booking.objects.filter(resource=resource).count() == 1
