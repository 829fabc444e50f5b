"""/api/v1/auth/web-challenges/: the anonymous POST that starts a web sign-in, and the
mini-program's confirmation with its bearer token, under the sign-in limits."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from alliance.models import WebSignInChallenge
from alliance.web_sign_in import challenge_payload_parse
from tests.api.helpers import api_client
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

CREATE = "/api/v1/auth/web-challenges/"


def _confirm_url(challenge_id: str) -> str:
    return f"/api/v1/auth/web-challenges/{challenge_id}/confirm/"


def _start(browser: APIClient | None = None) -> tuple[APIClient, str, str]:
    browser = browser or APIClient()
    response = browser.post(CREATE)
    assert response.status_code == 201, response.json()
    challenge_id, secret = challenge_payload_parse(response.json()["payload"])
    return browser, challenge_id, secret


class TestCreating:
    def test_an_anonymous_post_answers_the_id_the_payload_and_the_expiry(self):
        response = APIClient().post(CREATE)

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "payload", "expires_at", "ttl_seconds"}
        assert body["payload"].startswith(f"alliance-share:web-sign-in:{body['id']}:")
        assert body["expires_at"] == "2026-11-23T08:02:00+08:00"
        assert body["ttl_seconds"] == 120

    def test_the_challenge_is_bound_to_the_callers_session(self):
        browser = APIClient()

        browser.post(CREATE)

        assert browser.cookies.get("sessionid")

    def test_creations_are_limited_per_address(self, settings):
        settings.WEB_SIGN_IN_CHALLENGE_LIMIT = 3
        client = APIClient()
        for _ in range(3):
            assert client.post(CREATE).status_code == 201

        response = client.post(CREATE)

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) > 0
        assert WebSignInChallenge.objects.count() == 3
        other = APIClient(REMOTE_ADDR="10.0.0.2")
        assert other.post(CREATE).status_code == 201

    def test_the_default_limit_is_thirty_per_fifteen_minutes(self, settings):
        assert settings.WEB_SIGN_IN_CHALLENGE_LIMIT == 30
        assert settings.SIGN_IN_FAILURE_WINDOW_SECONDS == 900


class TestConfirming:
    def test_a_bound_member_confirms_with_the_payloads_secret(self):
        member = MemberFactory()
        _, challenge_id, secret = _start()

        response = api_client(member).post(
            _confirm_url(challenge_id), {"secret": secret}, format="json"
        )

        assert response.status_code == 200, response.json()
        assert response.json()["confirmed"] is True
        assert response.json()["member"]["id"] == member.pk

    def test_without_a_token_it_is_401(self):
        _, challenge_id, secret = _start()

        response = APIClient().post(_confirm_url(challenge_id), {"secret": secret}, format="json")

        assert response.status_code == 401

    def test_an_unbound_token_is_refused_not_bound(self):
        _, challenge_id, secret = _start()

        response = api_client(openid="o-stranger").post(
            _confirm_url(challenge_id), {"secret": secret}, format="json"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "not_bound"
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()

    def test_a_member_of_an_inactive_unit_is_refused(self):
        member = MemberFactory()
        client = api_client(member)
        member.unit.is_active = False
        member.unit.save()
        _, challenge_id, secret = _start()

        response = client.post(_confirm_url(challenge_id), {"secret": secret}, format="json")

        assert response.status_code == 403
        assert response.json()["code"] == "actor_unit_inactive"

    def test_an_inactive_members_token_no_longer_signs_anyone_in(self):
        member = MemberFactory()
        client = api_client(member)
        member.is_active = False
        member.save()
        _, challenge_id, secret = _start()

        response = client.post(_confirm_url(challenge_id), {"secret": secret}, format="json")

        assert response.status_code == 401
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()

    @pytest.mark.parametrize(
        ("make_id", "make_secret", "code"),
        [
            (lambda cid: cid, lambda s: s + "x", "challenge_invalid"),
            (lambda cid: "00000000-0000-4000-8000-000000000000", lambda s: s, "challenge_invalid"),
            (lambda cid: "nonsense", lambda s: s, "challenge_invalid"),
        ],
    )
    def test_unknown_challenges_and_wrong_secrets_are_one_answer(self, make_id, make_secret, code):
        _, challenge_id, secret = _start()

        response = api_client(MemberFactory()).post(
            _confirm_url(make_id(challenge_id)), {"secret": make_secret(secret)}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["code"] == code

    def test_a_missing_secret_is_invalid_input(self):
        _, challenge_id, _ = _start()

        response = api_client(MemberFactory()).post(_confirm_url(challenge_id), {}, format="json")

        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_a_challenge_confirmed_by_someone_else_is_used(self):
        _, challenge_id, secret = _start()
        api_client(MemberFactory()).post(
            _confirm_url(challenge_id), {"secret": secret}, format="json"
        )

        response = api_client(MemberFactory()).post(
            _confirm_url(challenge_id), {"secret": secret}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["code"] == "challenge_used"

    def test_failed_confirmations_count_as_failed_sign_ins(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 3
        client = api_client(MemberFactory())
        _, challenge_id, secret = _start()
        for _ in range(3):
            response = client.post(_confirm_url(challenge_id), {"secret": "wrong"}, format="json")
            assert response.json()["code"] == "challenge_invalid"

        response = client.post(_confirm_url(challenge_id), {"secret": secret}, format="json")

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()
