"""Sign-in over HTTP, end to end: the API talks to a real WeChat fake on loopback."""

import datetime as dt
import hashlib
import logging

import pytest
import time_machine
from django.core.cache import cache

from alliance.models import ApiToken, InviteCode, Member, MemberRole, SignInChannel
from alliance.tokens import api_token_issue, invite_code_issue
from tests import wechat_fake
from tests.api.helpers import api_client, bearer
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory, UserFactory
from tests.wechat_fake import JSCODE2SESSION

wechat_server = wechat_fake.wechat_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now", "_empty_cache")]

LOGIN = "/api/v1/auth/wechat-login/"
BIND = "/api/v1/auth/bind/"
PASSWORD_LOGIN = "/api/v1/auth/password-login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def _empty_cache():
    """Failure counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def _login(code: str, **headers):
    return api_client().post(LOGIN, {"code": code}, format="json", headers=headers)


class TestWeChatLogin:
    def test_a_linked_openid_signs_in_as_its_member(self, wechat_server):
        member = MemberFactory(wechat_openid="o-li")
        wechat_server.register_code("code-1", "o-li")

        response = _login("code-1")

        assert response.status_code == 200
        body = response.json()
        assert body["bound"] is True
        assert body["member"] == {
            "id": member.pk,
            "name": member.name,
            "role": "researcher",
            "phone": "",
            "unit": {
                "id": member.unit.pk,
                "name": member.unit.name,
                "short_name": member.unit.short_name,
            },
        }
        me = api_client().get(ME, headers=bearer(body["token"]))
        assert me.json()["member"]["id"] == member.pk
        assert ApiToken.objects.get().channel == SignInChannel.WECHAT

    def test_an_unknown_openid_gets_an_unbound_token(self, wechat_server):
        wechat_server.register_code("code-1", "o-new", unionid="u-new")

        response = _login("code-1")

        assert response.status_code == 200
        body = response.json()
        assert (body["bound"], body["member"]) == (False, None)
        token = ApiToken.objects.get()
        assert (token.member, token.wechat_openid) == (None, "o-new")
        me = api_client().get(ME, headers=bearer(body["token"]))
        assert me.json() == {"bound": False, "member": None}
        assert not Member.objects.exists()

    def test_a_stale_token_sent_along_does_not_stop_a_new_sign_in(self, wechat_server):
        wechat_server.register_code("code-1", "o-new")

        response = _login("code-1", Authorization="Bearer long-expired-token")

        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("script", "status", "code"),
        [
            ("unknown", 400, "wechat_code_invalid"),
            ("used", 400, "wechat_code_invalid"),
            ("rate_limited", 503, "wechat_rate_limited"),
            ("busy", 503, "wechat_unavailable"),
            ("http_502", 503, "wechat_unavailable"),
            ("timeout", 503, "wechat_unavailable"),
            ("wrong_secret", 503, "wechat_unavailable"),
        ],
    )
    def test_wechat_refusals_are_clear_answers_and_create_nothing(
        self, wechat_server, settings, script, status, code
    ):
        wechat_server.register_code("code-1", "o-new")
        if script == "used":
            _login("code-1")
            ApiToken.objects.all().delete()
        elif script == "rate_limited":
            wechat_server.queue_error(JSCODE2SESSION, 45011, "api minute-quota reach limit")
        elif script == "busy":
            wechat_server.queue_error(JSCODE2SESSION, -1, "system error")
        elif script == "http_502":
            wechat_server.queue(JSCODE2SESSION, status=502)
        elif script == "timeout":
            settings.WECHAT_TIMEOUT_SECONDS = 0.2
            wechat_server.set_delay(2)
        elif script == "wrong_secret":
            settings.WECHAT_SECRET = "not-the-secret"

        response = _login("code-unknown" if script == "unknown" else "code-1")

        assert response.status_code == status
        assert response.json()["code"] == code
        assert response.json()["message"]
        assert not ApiToken.objects.exists()
        assert not Member.objects.exists()

    def test_the_session_key_is_neither_answered_nor_logged(self, wechat_server, caplog):
        caplog.set_level(logging.DEBUG)
        wechat_server.register_code("code-1", "o-new")
        wechat_server.queue(JSCODE2SESSION, status=500)

        refused = _login("code-1")
        signed_in = _login("code-1")

        assert (refused.status_code, signed_in.status_code) == (503, 200)
        (session_key,) = wechat_server.session_keys
        for response in (refused, signed_in):
            assert session_key not in response.content.decode()
            assert "session_key" not in response.content.decode()
        for secret in (session_key, wechat_server.secret, signed_in.json()["token"]):
            assert secret not in caplog.text

    def test_an_inactive_member_is_refused(self, wechat_server):
        MemberFactory(wechat_openid="o-gone", is_active=False)
        wechat_server.register_code("code-1", "o-gone")

        response = _login("code-1")

        assert (response.status_code, response.json()["code"]) == (403, "member_inactive")
        assert not ApiToken.objects.exists()

    @pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 129}, {"code": None}])
    def test_bad_input_is_400_without_asking_wechat(self, wechat_server, body):
        response = api_client().post(LOGIN, body, format="json")

        assert (response.status_code, response.json()["code"]) == (400, "invalid")
        assert "code" in response.json()["fields"]
        assert wechat_server.requests == []

    def test_errors_speak_english_when_asked(self, wechat_server):
        response = _login("nonsense", **{"Accept-Language": "en"})

        assert response.json()["message"] == (
            "The WeChat sign-in code is invalid or was already used."
        )


class TestBearerTokens:
    def test_tokens_are_stored_hashed(self, wechat_server):
        wechat_server.register_code("code-1", "o-new")

        raw = _login("code-1").json()["token"]

        row = ApiToken.objects.values().get()
        assert raw not in {str(value) for value in row.values()}
        assert row["digest"] == hashlib.sha256(raw.encode()).hexdigest()

    def test_without_a_token_it_is_401_with_a_bearer_challenge(self):
        response = api_client().get(ME)

        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    @pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer nonsense", "Bearer 令牌"])
    def test_a_malformed_or_unknown_token_is_401(self, header):
        response = api_client().get(ME, headers={"Authorization": header})

        assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")

    def test_an_expired_token_is_401(self):
        client = api_client(MemberFactory())

        with time_machine.travel(FROZEN_NOW + dt.timedelta(days=30), tick=False):
            response = client.get(ME)

        assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_a_token_works_until_just_before_it_expires(self):
        client = api_client(MemberFactory())

        with time_machine.travel(FROZEN_NOW + dt.timedelta(days=30, seconds=-1), tick=False):
            assert client.get(ME).status_code == 200

    def test_a_signed_in_request_costs_one_query_and_one_write_a_minute(
        self, django_assert_num_queries
    ):
        client = api_client(MemberFactory())
        with django_assert_num_queries(2):  # the token with its member, last_used_at
            assert client.get(ME).status_code == 200

        with django_assert_num_queries(1):
            assert client.get(ME).status_code == 200

    def test_logout_revokes_the_token(self):
        member = MemberFactory()
        client = api_client(member)
        _, other_raw = api_token_issue(member=member)

        response = client.post(LOGOUT)

        assert response.status_code == 204
        assert client.get(ME).status_code == 401
        assert api_client().get(ME, headers=bearer(other_raw)).status_code == 200
        assert ApiToken.objects.filter(revoked_at=FROZEN_NOW).count() == 1

    def test_logout_needs_a_token(self):
        assert api_client().post(LOGOUT).status_code == 401

    def test_a_deactivated_members_token_stops_working(self):
        member = MemberFactory()
        client = api_client(member)
        Member.objects.filter(pk=member.pk).update(is_active=False)

        assert client.get(ME).status_code == 401


class TestBind:
    def _invite(self, member=None):
        member = member or MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)
        return member, code

    def test_an_unbound_token_is_linked_with_an_invite_code(self):
        member, code = self._invite()
        client = api_client(openid="o-new")
        assert client.post("/api/v1/members/", {}, format="json").json()["code"] == "not_bound"

        response = client.post(BIND, {"invite_code": code}, format="json")

        assert response.status_code == 200
        assert response.json()["bound"] is True
        assert response.json()["member"]["id"] == member.pk
        member.refresh_from_db()
        assert member.wechat_openid == "o-new"
        assert client.get(ME).json()["member"]["id"] == member.pk

    def test_the_next_wechat_login_is_bound(self, wechat_server):
        member, code = self._invite()
        api_client(openid="o-new").post(BIND, {"invite_code": code}, format="json")
        wechat_server.register_code("code-1", "o-new")

        assert _login("code-1").json()["member"]["id"] == member.pk

    def test_a_code_works_once(self):
        _, code = self._invite()
        api_client(openid="o-first").post(BIND, {"invite_code": code}, format="json")

        response = api_client(openid="o-second").post(BIND, {"invite_code": code}, format="json")

        assert (response.status_code, response.json()["code"]) == (400, "invite_code_used")

    def test_an_expired_code_is_refused_and_nothing_is_written(self):
        member, code = self._invite()
        client = api_client(openid="o-new")

        with time_machine.travel(FROZEN_NOW + dt.timedelta(days=15), tick=False):
            response = client.post(BIND, {"invite_code": code}, format="json")

        assert (response.status_code, response.json()["code"]) == (400, "invite_code_expired")
        member.refresh_from_db()
        assert member.wechat_openid is None
        assert InviteCode.objects.get().used_at is None
        assert ApiToken.objects.get().member is None

    def test_a_bound_token_gets_409(self):
        _, code = self._invite()
        client = api_client(MemberFactory(wechat_openid="o-member"))

        response = client.post(BIND, {"invite_code": code}, format="json")

        assert (response.status_code, response.json()["code"]) == (409, "already_bound")

    def test_a_member_linked_elsewhere_gets_409(self):
        _, code = self._invite(MemberFactory(wechat_openid="o-original"))

        response = api_client(openid="o-new").post(BIND, {"invite_code": code}, format="json")

        assert (response.status_code, response.json()["code"]) == (409, "member_already_bound")

    def test_binding_needs_a_token(self):
        _, code = self._invite()

        assert api_client().post(BIND, {"invite_code": code}, format="json").status_code == 401

    def test_wrong_codes_are_rate_limited_per_wechat_account(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 3
        member, code = self._invite()
        client = api_client(openid="o-guesser")
        for _ in range(3):
            response = client.post(BIND, {"invite_code": "WRONG-CODE0"}, format="json")
            assert response.json()["code"] == "invite_code_invalid"

        blocked = client.post(BIND, {"invite_code": code}, format="json")

        assert (blocked.status_code, blocked.json()["code"]) == (429, "throttled")
        assert 0 < int(blocked["Retry-After"]) <= settings.SIGN_IN_FAILURE_WINDOW_SECONDS
        member.refresh_from_db()
        assert member.wechat_openid is None
        after = FROZEN_NOW + dt.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS + 1)
        with time_machine.travel(after, tick=False):
            assert client.post(BIND, {"invite_code": code}, format="json").status_code == 200

    def test_another_wechat_account_at_the_same_address_may_still_bind(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 3
        for _ in range(3):
            api_client(openid="o-guesser").post(BIND, {"invite_code": "WRONG-CODE0"}, format="json")
        _, code = self._invite()

        response = api_client(openid="o-fresh").post(BIND, {"invite_code": code}, format="json")

        assert response.status_code == 200

    def test_wrong_codes_are_rate_limited_per_client_address(self, settings):
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
        for index in range(3):
            api_client(openid=f"o-guesser-{index}").post(
                BIND, {"invite_code": "WRONG-CODE0"}, format="json"
            )
        _, code = self._invite()

        response = api_client(openid="o-fresh").post(BIND, {"invite_code": code}, format="json")

        assert response.status_code == 429
        other_address = api_client(openid="o-fresh").post(
            BIND, {"invite_code": code}, format="json", REMOTE_ADDR="10.0.0.9"
        )
        assert other_address.status_code == 200

    def test_a_forwarded_for_header_does_not_dodge_the_limit(self, settings):
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 2
        for index in range(2):
            api_client(openid=f"o-guesser-{index}").post(
                BIND,
                {"invite_code": "WRONG-CODE0"},
                format="json",
                headers={"X-Forwarded-For": f"203.0.113.{index}"},
            )
        response = api_client(openid="o-guesser-9").post(
            BIND,
            {"invite_code": "WRONG-CODE0"},
            format="json",
            headers={"X-Forwarded-For": "203.0.113.9"},
        )

        assert response.status_code == 429


class TestPasswordLogin:
    def _login(self, username, password, **extra):
        body = {"username": username, "password": password}
        return api_client().post(PASSWORD_LOGIN, body, format="json", **extra)

    def test_a_unit_manager_signs_in(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)

        response = self._login(manager.user.username, PASSWORD)

        assert response.status_code == 200
        assert response.json()["member"]["role"] == "unit_manager"
        me = api_client().get(ME, headers=bearer(response.json()["token"]))
        assert me.json()["member"]["id"] == manager.pk

    def test_a_superuser_signs_in_as_secretariat(self, settings):
        UserFactory(username="admin", is_staff=True, is_superuser=True)

        response = self._login("admin", PASSWORD)

        assert response.status_code == 200
        member = response.json()["member"]
        assert member["role"] == "secretariat"
        assert member["unit"]["name"] == settings.SECRETARIAT_UNIT_NAME

    def test_a_wrong_password_is_400_and_issues_nothing(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)

        response = self._login(manager.user.username, "wrong")

        assert (response.status_code, response.json()["code"]) == (400, "invalid_credentials")
        assert not ApiToken.objects.exists()

    def test_a_researchers_right_password_is_answered_like_a_wrong_one(self):
        researcher = MemberFactory()
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)

        right = self._login(researcher.user.username, PASSWORD)
        wrong = self._login(manager.user.username, "wrong")

        assert right.status_code == wrong.status_code == 400
        assert right.json() == wrong.json()
        assert right.json()["code"] == "invalid_credentials"
        assert (
            "mini-program"
            in self._login(researcher.user.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="en").json()[
                "message"
            ]
        )
        assert not ApiToken.objects.exists()

    def test_a_researchers_right_password_counts_as_a_failure(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 2
        researcher = MemberFactory()
        for _ in range(2):
            self._login(researcher.user.username, PASSWORD)

        assert self._login(researcher.user.username, PASSWORD).status_code == 429

    def test_five_failures_block_the_account_from_that_address_even_with_the_right_password(
        self,
    ):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)
        username = manager.user.username
        for _ in range(5):
            assert self._login(username.upper(), "wrong").status_code == 400

        blocked = self._login(username, PASSWORD)

        assert (blocked.status_code, blocked.json()["code"]) == (429, "throttled")
        assert 0 < int(blocked["Retry-After"]) <= 15 * 60
        assert blocked.json()["retry_after"] == int(blocked["Retry-After"])
        assert not ApiToken.objects.exists()
        with time_machine.travel(FROZEN_NOW + dt.timedelta(minutes=15, seconds=1), tick=False):
            assert self._login(username, PASSWORD).status_code == 200

    def test_failures_from_elsewhere_do_not_lock_a_staff_member_out(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)
        username = manager.user.username
        for _ in range(10):
            self._login(username, "wrong", REMOTE_ADDR="198.51.100.7")

        assert self._login(username, PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_one_address_guessing_at_many_accounts_meets_a_ceiling(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)
        for index in range(50):
            assert self._login(f"nobody{index}", "wrong").status_code == 400

        assert self._login(manager.user.username, PASSWORD).status_code == 429
        other = self._login(manager.user.username, PASSWORD, REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 200

    def test_a_success_forgets_the_usernames_earlier_failures(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 3
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)
        username = manager.user.username
        for index in range(2):
            self._login(username, "wrong", REMOTE_ADDR=f"10.0.0.{index}")
        assert self._login(username, PASSWORD, REMOTE_ADDR="10.0.1.1").status_code == 200

        for index in range(2):
            self._login(username, "wrong", REMOTE_ADDR=f"10.0.2.{index}")

        assert self._login(username, PASSWORD, REMOTE_ADDR="10.0.1.2").status_code == 200
