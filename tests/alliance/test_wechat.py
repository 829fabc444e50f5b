"""The WeChat client against the loopback fake: what each WeChat answer becomes."""

import datetime as dt
import logging
import socket
import time

import pytest
import time_machine

from alliance import wechat
from alliance.wechat import (
    WeChatAccessTokenInvalid,
    WeChatCircuitOpen,
    WeChatError,
    WeChatIdentity,
    WeChatRateLimited,
    WeChatUnavailable,
    jscode2session,
    stable_access_token_fetch,
    wechat_get,
    wechat_post,
)
from tests import wechat_fake
from tests.wechat_fake import JSCODE2SESSION, STABLE_TOKEN, SUBSCRIBE_SEND, TOKEN

wechat_server = wechat_fake.wechat_server

# The circuit breaker keeps its state in the default cache, the database.
pytestmark = pytest.mark.django_db


def _send(token: str, **body):
    message = {"touser": "o-user", "template_id": "tpl-1", "data": {"thing1": {"value": "显微镜"}}}
    return wechat_post(SUBSCRIBE_SEND, {"access_token": token}, {**message, **body})


class TestJscode2session:
    def test_a_registered_code_gives_the_openid_and_unionid(self, wechat_server):
        wechat_server.register_code("code-1", "o-user", unionid="u-user")

        assert jscode2session("code-1") == WeChatIdentity(openid="o-user", unionid="u-user")

        (request,) = wechat_server.requests_to(JSCODE2SESSION)
        assert request.method == "GET"
        assert request.query == {
            "appid": wechat_server.appid,
            "secret": wechat_server.secret,
            "js_code": "code-1",
            "grant_type": "authorization_code",
        }

    def test_the_unionid_is_optional(self, wechat_server):
        wechat_server.register_code("code-1", "o-user")

        assert jscode2session("code-1") == WeChatIdentity(openid="o-user", unionid=None)

    def test_an_unknown_code_is_40029(self, wechat_server):
        with pytest.raises(WeChatError, match="40029") as caught:
            jscode2session("nonsense")
        assert type(caught.value) is WeChatError
        assert caught.value.errcode == 40029

    def test_a_code_works_once_then_is_40163(self, wechat_server):
        wechat_server.register_code("code-1", "o-user")
        jscode2session("code-1")

        with pytest.raises(WeChatError) as caught:
            jscode2session("code-1")
        assert caught.value.errcode == 40163

    def test_a_wrong_secret_is_40125(self, wechat_server, settings):
        settings.WECHAT_SECRET = "not-the-secret"
        wechat_server.register_code("code-1", "o-user")

        with pytest.raises(WeChatError) as caught:
            jscode2session("code-1")
        assert caught.value.errcode == 40125

    def test_a_wrong_appid_is_40013(self, wechat_server, settings):
        settings.WECHAT_APPID = "wx-other"

        with pytest.raises(WeChatError) as caught:
            jscode2session("code-1")
        assert caught.value.errcode == 40013

    def test_wechat_rate_limit_is_rate_limited(self, wechat_server):
        wechat_server.queue_error(JSCODE2SESSION, 45011, "api minute-quota reach limit")

        with pytest.raises(WeChatRateLimited) as caught:
            jscode2session("code-1")
        assert caught.value.errcode == 45011

    def test_system_busy_is_unavailable(self, wechat_server):
        wechat_server.queue_error(JSCODE2SESSION, -1, "system error")

        with pytest.raises(WeChatUnavailable):
            jscode2session("code-1")

    def test_an_http_error_is_unavailable(self, wechat_server):
        wechat_server.queue(JSCODE2SESSION, status=502)

        with pytest.raises(WeChatUnavailable, match="HTTP 502"):
            jscode2session("code-1")

    def test_a_body_that_is_not_json_is_unavailable(self, wechat_server):
        wechat_server.queue(JSCODE2SESSION, raw=b"<html>gateway</html>")
        wechat_server.queue(JSCODE2SESSION, ["a", "list"])

        with pytest.raises(WeChatUnavailable, match="not JSON"):
            jscode2session("code-1")
        with pytest.raises(WeChatUnavailable, match="not a JSON object"):
            jscode2session("code-1")

    def test_a_slow_wechat_times_out_as_unavailable(self, wechat_server, settings):
        settings.WECHAT_TIMEOUT_SECONDS = 0.2
        wechat_server.register_code("code-1", "o-user")
        wechat_server.set_delay(2)

        with pytest.raises(WeChatUnavailable, match="timeout"):
            jscode2session("code-1")

    def test_an_unreachable_wechat_is_unavailable(self, wechat_server, settings):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"

        with pytest.raises(WeChatUnavailable, match="unreachable"):
            jscode2session("code-1")

    def test_missing_credentials_are_unavailable_without_calling_wechat(
        self, wechat_server, settings
    ):
        settings.WECHAT_SECRET = ""

        with pytest.raises(WeChatUnavailable, match="not configured"):
            jscode2session("code-1")
        assert wechat_server.requests == []

    def test_neither_the_session_key_nor_the_secret_is_logged(self, wechat_server, caplog):
        caplog.set_level(logging.DEBUG)
        wechat_server.register_code("code-1", "o-user")
        jscode2session("code-1")
        wechat_server.queue(JSCODE2SESSION, status=500)
        with pytest.raises(WeChatUnavailable) as caught:
            jscode2session("code-2")

        (session_key,) = wechat_server.session_keys
        for secret in (session_key, wechat_server.secret, "code-2"):
            assert secret not in caplog.text
            assert secret not in str(caught.value)
        assert caught.value.__cause__ is None


class TestAccessTokens:
    def test_stable_token_is_shared_until_forced(self, wechat_server):
        token, expires_in = stable_access_token_fetch()

        assert expires_in == 7200
        assert stable_access_token_fetch()[0] == token
        assert stable_access_token_fetch(force_refresh=True)[0] != token
        assert wechat_server.requests_to(STABLE_TOKEN)[0].json == {
            "grant_type": "client_credential",
            "appid": wechat_server.appid,
            "secret": wechat_server.secret,
            "force_refresh": False,
        }

    def test_the_plain_token_endpoint_checks_the_secret(self, wechat_server, settings):
        answer = wechat_get(
            TOKEN,
            {
                "grant_type": "client_credential",
                "appid": wechat_server.appid,
                "secret": wechat_server.secret,
            },
        )
        assert answer["expires_in"] == 7200

        with pytest.raises(WeChatError) as caught:
            wechat_get(
                TOKEN,
                {"grant_type": "client_credential", "appid": wechat_server.appid, "secret": "x"},
            )
        assert caught.value.errcode == 40125


class TestSubscribeSend:
    def test_a_valid_message_is_accepted_and_recorded(self, wechat_server):
        wechat_server.add_user("o-user")
        token, _ = stable_access_token_fetch()

        assert _send(token)["errcode"] == 0
        assert wechat_server.sent_messages[0]["data"] == {"thing1": {"value": "显微镜"}}

    def test_an_expired_token_is_42001_and_an_unknown_one_40001(self, wechat_server):
        wechat_server.add_user("o-user")
        token = wechat_server.issue_access_token()
        wechat_server.expire_access_tokens()

        with pytest.raises(WeChatAccessTokenInvalid) as expired:
            _send(token)
        with pytest.raises(WeChatAccessTokenInvalid) as unknown:
            _send("made-up")
        assert (expired.value.errcode, unknown.value.errcode) == (42001, 40001)

    @pytest.mark.parametrize(
        ("setup", "body", "errcode"),
        [
            ("refuse", {}, 43101),
            ("none", {}, 40003),
            ("user", {"data": {"thing1": {"value": "一" * 21}}}, 47003),
            ("user", {"data": {"phrase2": {"value": "已经批准了的"}}}, 47003),
        ],
    )
    def test_permanent_refusals_keep_their_errcode(self, wechat_server, setup, body, errcode):
        if setup != "none":
            wechat_server.add_user("o-user")
        if setup == "refuse":
            wechat_server.refuse_messages("o-user")
        token = wechat_server.issue_access_token()

        with pytest.raises(WeChatError) as caught:
            _send(token, **body)
        assert caught.value.errcode == errcode
        assert wechat_server.sent_messages == []

    def test_the_daily_quota_is_rate_limited(self, wechat_server):
        wechat_server.queue_error(SUBSCRIBE_SEND, 45009, "reach max api daily quota limit")

        with pytest.raises(WeChatRateLimited):
            _send(wechat_server.issue_access_token())


class TestTimeouts:
    def test_a_wechat_that_does_not_accept_the_connection_is_given_up_on_connecting(
        self, wechat_server, settings
    ):
        settings.WECHAT_CONNECT_TIMEOUT_SECONDS = 0.3
        settings.WECHAT_TIMEOUT_SECONDS = 10
        with socket.socket() as full, socket.socket() as queued:
            full.bind(("127.0.0.1", 0))
            full.listen(0)  # one connection waits to be accepted; the next cannot connect
            queued.connect(full.getsockname())
            settings.WECHAT_API_BASE = f"http://127.0.0.1:{full.getsockname()[1]}"
            started = time.monotonic()

            with pytest.raises(WeChatUnavailable, match="timeout"):
                jscode2session("code-1")

            assert time.monotonic() - started < 5  # the connect timeout, not the read one


@pytest.mark.usefixtures("frozen_now")
class TestCircuitBreaker:
    """After WECHAT_BREAKER_FAILURES failures in a row, calls fail at once (no request) for
    WECHAT_BREAKER_OPEN_SECONDS; then one trial call decides."""

    @pytest.fixture(autouse=True)
    def _slow_wechat(self, wechat_server, settings):
        settings.WECHAT_TIMEOUT_SECONDS = 0.2
        settings.WECHAT_BREAKER_FAILURES = 3
        settings.WECHAT_BREAKER_OPEN_SECONDS = 30
        wechat_server.set_delay(2)

    def _fail(self, times: int) -> None:
        for _ in range(times):
            with pytest.raises(WeChatUnavailable, match="timeout"):
                jscode2session("code-1")

    def test_repeated_timeouts_make_calls_fail_fast_without_asking_wechat(self, wechat_server):
        self._fail(3)
        asked = len(wechat_server.requests)

        with pytest.raises(WeChatCircuitOpen) as suspended:
            jscode2session("code-1")

        assert suspended.value.retry_after == 30
        assert len(wechat_server.requests) == asked

    def test_fewer_failures_in_a_row_do_not_open_it(self, wechat_server):
        self._fail(2)
        wechat_server.set_delay(0)
        wechat_server.register_code("code-ok", "o-user")
        assert jscode2session("code-ok").openid == "o-user"  # the success resets the count
        wechat_server.set_delay(2)
        self._fail(2)
        wechat_server.set_delay(0)

        with pytest.raises(WeChatError) as refused:
            jscode2session("code-1")

        assert refused.value.errcode == 40029  # still asked: WeChat does not know the code

    def test_refusals_with_an_errcode_are_answers_not_failures(self, wechat_server):
        wechat_server.set_delay(0)
        for _ in range(5):
            with pytest.raises(WeChatError) as refused:
                jscode2session("code-unknown")
            assert refused.value.errcode == 40029

        assert len(wechat_server.requests) == 5

    def test_after_the_pause_one_trial_call_closes_it_again(self, wechat_server, frozen_now):
        self._fail(3)
        wechat_server.set_delay(0)
        wechat_server.register_code("code-ok", "o-user")

        with time_machine.travel(frozen_now + dt.timedelta(seconds=31), tick=False):
            assert jscode2session("code-ok").openid == "o-user"
            with pytest.raises(WeChatError) as refused:  # closed: the next call reaches WeChat
                jscode2session("code-unknown")

        assert refused.value.errcode == 40029

        assert [r.query.get("js_code") for r in wechat_server.requests[-2:]] == [
            "code-ok",
            "code-unknown",
        ]

    def test_a_failed_trial_opens_it_for_another_pause(self, wechat_server, frozen_now):
        self._fail(3)
        later = frozen_now + dt.timedelta(seconds=31)
        with time_machine.travel(later, tick=False):
            self._fail(1)  # the trial
            asked = len(wechat_server.requests)
            with pytest.raises(WeChatCircuitOpen) as suspended:
                jscode2session("code-1")

        assert suspended.value.retry_after == 30
        assert len(wechat_server.requests) == asked

    def test_only_one_trial_at_a_time(self, wechat_server, frozen_now):
        self._fail(3)
        with time_machine.travel(frozen_now + dt.timedelta(seconds=31), tick=False):
            assert wechat._breaker_admit() == "trial"  # another server's trial, in flight
            asked = len(wechat_server.requests)

            with pytest.raises(WeChatCircuitOpen):
                jscode2session("code-1")

        assert len(wechat_server.requests) == asked

    def test_subscription_messages_and_access_tokens_share_the_breaker(self, wechat_server):
        self._fail(3)
        asked = len(wechat_server.requests)

        with pytest.raises(WeChatCircuitOpen):
            stable_access_token_fetch()
        with pytest.raises(WeChatCircuitOpen):
            _send("any-token")

        assert len(wechat_server.requests) == asked
