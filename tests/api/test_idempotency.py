"""Idempotency-Key on writes under /api/v1/ (api.idempotency): a retry acts once.

The concurrent cases, on PostgreSQL with real threads, are in test_idempotency_concurrency.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from alliance.models import Member, MemberRole
from api.idempotency import IdempotencyMiddleware
from api.models import IdempotencyKey
from bookings.models import Booking
from tests.api.helpers import api_client, bearer
from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BOOKINGS = "/api/v1/bookings/"
MEMBERS = "/api/v1/members/"
KEY = "3f6c2a1e-booking-retry-1"


@pytest.fixture
def world() -> World:
    return world_build()


def booking_body(world: World, **overrides) -> dict:
    return {
        "resource": world.resource.pk,
        "start": "2026-11-24T10:00:00+08:00",
        "end": "2026-11-24T11:30:00+08:00",
        "purpose": "冷冻电镜样品观察",
        **overrides,
    }


def booking_of(member, resource, day=25, hour=10) -> Booking:
    return BookingFactory(
        member=member,
        resource=resource,
        start=local(2026, 11, day, hour),
        end=local(2026, 11, day, hour + 1),
    )


def keyed(key: str = KEY) -> dict[str, str]:
    return {"Idempotency-Key": key}


def member_body(unit, name="周博士") -> dict:
    return {"unit": unit.pk, "name": name, "role": "researcher"}


# --- Replays ------------------------------------------------------------------------------


def test_a_retried_booking_request_replays_the_first_answer_and_books_once(world):
    client = client_for(world.researcher)

    first = client.post(BOOKINGS, booking_body(world), format="json", headers=keyed())
    again = client.post(BOOKINGS, booking_body(world), format="json", headers=keyed())

    assert first.status_code == 201, first.json()
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert list(Booking.objects.values_list("pk", flat=True)) == [first.json()["id"]]


def test_without_a_key_a_retried_booking_conflicts_with_the_callers_own_booking(world):
    """The problem the key solves: the retry is a second request for the same slot."""
    client = client_for(world.researcher)

    client.post(BOOKINGS, booking_body(world), format="json")
    again = client.post(BOOKINGS, booking_body(world), format="json")

    assert (again.status_code, again.json()["code"]) == (409, "conflict")


def test_a_retried_member_creation_makes_one_member_and_replays_the_invite_code():
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    unit = UnitFactory()
    client = api_client(secretariat)
    members_before = Member.objects.count()

    first = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())
    again = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Member.objects.count() == members_before + 1


def test_the_stored_answer_keeps_no_secret_in_plain_text():
    """Invite codes are shown once and stored as HMACs; the kept answer is encrypted, and
    nothing of the request (its Authorization header) is kept."""
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    client = api_client(secretariat)

    code = client.post(MEMBERS, member_body(UnitFactory()), format="json", headers=keyed()).json()[
        "invite_code"
    ]

    row = IdempotencyKey.objects.get()
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert client.raw_token not in stored
    assert "周博士" not in stored
    assert row.status_code == 201


def test_a_retry_after_signing_in_again_still_replays():
    """Keys belong to the member, not to one token: a new sign-in keeps them."""
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    unit = UnitFactory()

    first = api_client(secretariat).post(MEMBERS, member_body(unit), format="json", headers=keyed())
    again = api_client(secretariat).post(MEMBERS, member_body(unit), format="json", headers=keyed())

    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"


def test_a_staff_session_gets_replays_too():
    user = UserFactory(username="secretary", is_staff=True)
    MemberFactory(user=user, role=MemberRole.SECRETARIAT)
    unit = UnitFactory()
    client = api_client()
    client.force_login(user)

    first = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())
    again = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())

    assert first.status_code == 201
    assert (again.json()["id"], again["Idempotent-Replayed"]) == (first.json()["id"], "true")
    assert Member.objects.filter(name="周博士").count() == 1


def test_a_replay_to_a_staff_session_needs_the_csrf_token_like_the_first_request():
    """A forged cross-site retry carries the session cookie but not the CSRF token."""
    user = UserFactory(username="secretary", is_staff=True)
    MemberFactory(user=user, role=MemberRole.SECRETARIAT)
    body = member_body(UnitFactory())
    trusted = APIClient()
    trusted.force_login(user)
    trusted.post(MEMBERS, body, format="json", headers=keyed())
    forged = APIClient(enforce_csrf_checks=True)
    forged.force_login(user)

    response = forged.post(MEMBERS, body, format="json", headers=keyed())

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert "invite_code" not in response.json()


def test_a_retried_transition_replays_and_does_not_refuse_the_second_time(world):
    booking = booking_of(world.researcher, world.other_resource)
    client = client_for(world.researcher)
    url = f"{BOOKINGS}{booking.pk}/cancel/"

    first = client.post(url, {}, format="json", headers=keyed())
    again = client.post(url, {}, format="json", headers=keyed())
    unkeyed = client.post(url, {}, format="json")

    assert first.status_code == 200, first.json()
    assert (again.status_code, again.json()) == (200, first.json())
    assert unkeyed.status_code == 409


def test_an_answer_that_can_no_longer_be_decrypted_is_not_run_again(settings):
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    unit = UnitFactory()
    client = api_client(secretariat)
    client.post(MEMBERS, member_body(unit), format="json", headers=keyed())
    settings.SECRET_KEY = "another-secret-key-after-a-rotation"  # noqa: S105

    again = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())

    assert (again.status_code, again.json()["code"]) == (409, "idempotency_answer_lost")
    assert Member.objects.filter(name="周博士").count() == 1


# --- Refusals -----------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(world):
    client = client_for(world.researcher)
    client.post(BOOKINGS, booking_body(world), format="json", headers=keyed())

    other = client.post(
        BOOKINGS,
        booking_body(world, start="2026-11-25T10:00:00+08:00", end="2026-11-25T11:00:00+08:00"),
        format="json",
        headers=keyed(),
    )

    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Booking.objects.count() == 1


def test_the_same_key_on_another_path_is_refused(world):
    booking = booking_of(world.researcher, world.other_resource)
    client = client_for(world.researcher)
    client.post(BOOKINGS, booking_body(world), format="json", headers=keyed())

    cancel = client.post(f"{BOOKINGS}{booking.pk}/cancel/", {}, format="json", headers=keyed())

    assert (cancel.status_code, cancel.json()["code"]) == (422, "idempotency_key_reused")
    assert Booking.objects.get(pk=booking.pk).status == booking.status


def test_another_caller_with_the_same_key_and_body_gets_their_own_answer():
    first_secretary = MemberFactory(role=MemberRole.SECRETARIAT)
    second_secretary = MemberFactory(role=MemberRole.SECRETARIAT)
    unit = UnitFactory()

    first = api_client(first_secretary).post(
        MEMBERS, member_body(unit), format="json", headers=keyed()
    )
    second = api_client(second_secretary).post(
        MEMBERS, member_body(unit), format="json", headers=keyed()
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in second
    assert Member.objects.filter(name="周博士").count() == 2


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "ключ-повтора", "tab\there", "line\x7fdel"],
    ids=["empty", "too-long", "not-ascii", "control-char", "delete-char"],
)
def test_a_malformed_key_is_400_and_writes_nothing(world, key):
    response = client_for(world.researcher).post(
        BOOKINGS, booking_body(world), format="json", headers=keyed(key)
    )

    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_invalid")
    assert not Booking.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_the_longest_printable_key_is_accepted(world):
    key = ("".join(chr(c) for c in range(0x20, 0x7F)) * 3)[:255]  # every printable char

    response = client_for(world.researcher).post(
        BOOKINGS, booking_body(world), format="json", headers=keyed(key)
    )

    assert response.status_code == 201


# --- Time ---------------------------------------------------------------------------------


def test_after_24_hours_the_key_runs_again_and_a_purge_forgets_old_keys():
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    unit = UnitFactory()
    client = api_client(secretariat)
    first = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())

    with time_machine.travel(timezone.now() + dt.timedelta(hours=23, minutes=59), tick=False):
        within = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24), tick=False):
        after = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())
        replayed = client.post(MEMBERS, member_body(unit), format="json", headers=keyed())

    assert within.json()["id"] == first.json()["id"]
    assert after.status_code == 201
    assert "Idempotent-Replayed" not in after
    assert after.json()["id"] != first.json()["id"]
    assert replayed.json()["id"] == after.json()["id"]
    assert IdempotencyKey.objects.count() == 1


def test_the_purge_command_deletes_only_keys_older_than_24_hours(capsys):
    now = timezone.now()
    for hours, key in ((25, "old"), (23, "recent")):
        IdempotencyKey.objects.create(
            scope="s", key=key, fingerprint="f", created_at=now - dt.timedelta(hours=hours)
        )

    call_command("idempotency_purge")

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert "1" in capsys.readouterr().out


# --- Answers that release the key ---------------------------------------------------------


def test_a_refusal_is_not_kept_so_the_same_key_may_book_once_the_slot_is_free(world):
    """4xx refusals write nothing, so they release the key (unlike Stripe, which replays
    them): the client retries the same request with the same key later."""
    taken = booking_of(world.other_researcher, world.resource, day=24, hour=10)
    client = client_for(world.researcher)

    refused = client.post(BOOKINGS, booking_body(world), format="json", headers=keyed())
    client_for(world.other_researcher).post(f"{BOOKINGS}{taken.pk}/cancel/", {}, format="json")
    booked = client.post(BOOKINGS, booking_body(world), format="json", headers=keyed())

    assert (refused.status_code, refused.json()["code"]) == (409, "conflict")
    assert booked.status_code == 201, booked.json()
    assert "Idempotent-Replayed" not in booked


class StandInView:
    """Plays the view behind the middleware: answers from a script, counts its runs."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.runs = 0

    def __call__(self, request):
        self.runs += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def middleware_request(token: str, key: str = KEY, body: bytes = b'{"a": 1}'):
    return RequestFactory().post(
        "/api/v1/bookings/",
        data=body,
        content_type="application/json",
        headers={**bearer(token), "Idempotency-Key": key},
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "server_error"),
        (503, "database_unavailable"),
        (429, "throttled"),
        (401, "authentication_failed"),
        (403, "permission_denied"),
        (400, "invalid"),
        (409, "conflict"),
    ],
)
def test_an_answer_other_than_a_success_releases_the_key(status, code):
    token = api_client(MemberFactory()).raw_token
    view = StandInView(
        JsonResponse({"code": code}, status=status), JsonResponse({"id": 7}, status=201)
    )
    middleware = IdempotencyMiddleware(view)

    failed = middleware(middleware_request(token))
    assert not IdempotencyKey.objects.exists()
    retried = middleware(middleware_request(token))

    assert (failed.status_code, retried.status_code, view.runs) == (status, 201, 2)
    assert IdempotencyKey.objects.get().status_code == 201


def test_a_view_that_raises_releases_the_key():
    token = api_client(MemberFactory()).raw_token
    view = StandInView(RuntimeError("the view crashed"), HttpResponse(status=204))
    middleware = IdempotencyMiddleware(view)

    with pytest.raises(RuntimeError):
        middleware(middleware_request(token))
    retried = middleware(middleware_request(token))
    replayed = middleware(middleware_request(token))

    assert (retried.status_code, replayed.status_code, view.runs) == (204, 204, 2)
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.content == b""


def test_a_request_with_the_key_while_the_first_runs_is_409_in_progress():
    """The second request arrives while the first one's view is still running."""
    token = api_client(MemberFactory()).raw_token
    during = {}

    def view(request):
        during["answer"] = middleware(middleware_request(token))
        return JsonResponse({"id": 7}, status=201)

    middleware = IdempotencyMiddleware(view)
    first = middleware(middleware_request(token))

    answer = during["answer"]
    assert first.status_code == 201
    assert (answer.status_code, json.loads(answer.content)["code"]) == (
        409,
        "idempotency_in_progress",
    )
    assert answer["Retry-After"] == "1"


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over_after_its_lease():
    token = api_client(MemberFactory()).raw_token
    stuck = StandInView(JsonResponse({"id": 7}, status=201))
    middleware = IdempotencyMiddleware(stuck)
    middleware(middleware_request(token))
    IdempotencyKey.objects.update(status_code=None, created_at=timezone.now())

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=59), tick=False):
        waiting = middleware(middleware_request(token))
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60), tick=False):
        rerun = IdempotencyMiddleware(StandInView(JsonResponse({"id": 8}, status=201)))(
            middleware_request(token)
        )

    assert waiting.status_code == 409
    assert (rerun.status_code, json.loads(rerun.content)) == (201, {"id": 8})


# --- Where the key does not apply ---------------------------------------------------------


def test_reads_sign_in_and_anonymous_requests_ignore_the_key(world):
    client = client_for(world.researcher)

    listed = client.get(BOOKINGS, headers=keyed("x" * 300))
    anonymous = api_client().post(BOOKINGS, booking_body(world), format="json", headers=keyed())
    sign_in = api_client().post(
        "/api/v1/auth/password-login/",
        {"username": "nobody", "password": "wrong"},
        format="json",
        headers=keyed("x" * 300),
    )

    assert listed.status_code == 200
    assert anonymous.status_code == 401
    assert sign_in.json()["code"] == "invalid_credentials"
    assert not IdempotencyKey.objects.exists()
