"""Limits at the API's doors: WeChat sign-in counted per address and checked before WeChat is
asked, a WeChat that fails or hangs answered at once with 503 (the circuit breaker), and a
per-member ceiling on booking requests. Counters live in the shared cache (the database)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from alliance.models import ApiToken
from bookings.models import Booking
from tests import wechat_fake
from tests.api.helpers import api_client
from tests.api.world import World, client_for, world_build
from tests.conftest import FROZEN_NOW

wechat_server = wechat_fake.wechat_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LOGIN = "/api/v1/auth/wechat-login/"
BOOKINGS = "/api/v1/bookings/"


def _login(code: str, **extra):
    return api_client().post(LOGIN, {"code": code}, format="json", **extra)


class TestWeChatSignInLimit:
    def test_invalid_codes_stop_reaching_wechat_after_the_address_ceiling(self, wechat_server):
        answers = [_login(f"guess-{index}").status_code for index in range(60)]

        assert answers == [400] * 50 + [429] * 10
        assert len(wechat_server.requests) == 50

    def test_the_limit_is_checked_before_asking_wechat_and_per_address(
        self, wechat_server, settings
    ):
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
        for index in range(3):
            assert _login(f"guess-{index}").json()["code"] == "wechat_code_invalid"
        wechat_server.register_code("code-ok", "o-li")

        blocked = _login("code-ok")

        assert (blocked.status_code, blocked.json()["code"]) == (429, "throttled")
        assert int(blocked["Retry-After"]) > 0
        assert len(wechat_server.requests) == 3
        assert _login("code-ok", REMOTE_ADDR="10.0.0.9").status_code == 200

    def test_wechat_sign_in_failures_share_the_ceiling_with_passwords(
        self, wechat_server, settings
    ):
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 2
        body = {"username": "nobody", "password": "wrong"}
        for _ in range(2):
            api_client().post("/api/v1/auth/password-login/", body, format="json")

        assert _login("code-1").status_code == 429
        assert wechat_server.requests == []


class TestWeChatCircuitBreaker:
    @pytest.fixture(autouse=True)
    def _hanging_wechat(self, wechat_server, settings):
        settings.WECHAT_TIMEOUT_SECONDS = 0.2
        wechat_server.set_delay(2)

    def test_after_five_timeouts_sign_ins_are_answered_503_at_once(self, wechat_server):
        for index in range(5):
            timed_out = _login(f"code-{index}")
            assert (timed_out.status_code, timed_out.json()["code"]) == (503, "wechat_unavailable")
        assert len(wechat_server.requests) == 5

        suspended = _login("code-6")

        assert (suspended.status_code, suspended.json()["code"]) == (503, "wechat_unavailable")
        assert suspended["Retry-After"] == "30"
        assert suspended.json()["retry_after"] == 30
        assert len(wechat_server.requests) == 5
        assert not ApiToken.objects.exists()

    def test_after_the_pause_a_healthy_wechat_signs_people_in_again(self, wechat_server):
        for index in range(5):
            _login(f"code-{index}")
        wechat_server.set_delay(0)
        wechat_server.register_code("code-ok", "o-li")
        assert _login("code-ok").status_code == 503  # still paused: WeChat not asked

        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=30), tick=False):
            response = _login("code-ok")

        assert response.status_code == 200
        assert len(wechat_server.requests) == 6


@pytest.fixture
def world() -> World:
    return world_build()


def _book(client, world: World, hour: int):
    body = {
        "resource": world.resource.pk,
        "start": f"2026-11-24T{hour:02d}:00:00+08:00",
        "end": f"2026-11-24T{hour:02d}:30:00+08:00",
        "purpose": "冷冻电镜样品观察",
    }
    return client.post(BOOKINGS, body, format="json")


class TestBookingCeiling:
    def test_a_member_past_the_ceiling_is_refused_429_with_retry_after(self, world, settings):
        settings.BOOKING_CREATE_RATE_PER_MINUTE = 3
        client = client_for(world.researcher)
        for hour in (9, 10, 11):
            assert _book(client, world, hour).status_code == 201

        refused = _book(client, world, 12)

        assert refused.status_code == 429
        body = refused.json()
        assert body["code"] == "booking_rate_limited"
        assert body["message"]
        assert refused["Retry-After"] == "60"  # the clock stands at the start of a minute
        assert body["retry_after"] == 60
        assert Booking.objects.count() == 3

    def test_the_ceiling_is_per_member_and_per_minute(self, world, settings):
        settings.BOOKING_CREATE_RATE_PER_MINUTE = 1
        client = client_for(world.researcher)
        assert _book(client, world, 9).status_code == 201
        assert _book(client, world, 10).status_code == 429

        assert _book(client_for(world.other_researcher), world, 11).status_code == 201
        with time_machine.travel(FROZEN_NOW + dt.timedelta(minutes=1), tick=False):
            assert _book(client, world, 12).status_code == 201

    def test_refused_requests_count_too(self, world, settings):
        settings.BOOKING_CREATE_RATE_PER_MINUTE = 2
        client = client_for(world.researcher)
        for _ in range(2):
            assert client.post(BOOKINGS, {}, format="json").status_code == 400

        assert _book(client, world, 9).status_code == 429

    def test_the_default_ceiling_is_thirty_a_minute_and_reading_is_not_counted(self, world):
        client = client_for(world.researcher)
        for _ in range(40):
            assert client.get(BOOKINGS).status_code == 200
        answers = [client.post(BOOKINGS, {}, format="json").status_code for _ in range(31)]

        assert answers == [400] * 30 + [429]

    def test_zero_switches_the_ceiling_off(self, world, settings):
        settings.BOOKING_CREATE_RATE_PER_MINUTE = 0
        client = client_for(world.researcher)

        answers = {client.post(BOOKINGS, {}, format="json").status_code for _ in range(40)}

        assert answers == {400}
