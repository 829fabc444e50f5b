"""``manage.py wechat_standin``: the local WeChat that ``make run`` starts. Run as its own
process on a free port and spoken to over HTTP by the project's WeChat client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from alliance.tokens import wechat_sign_in
from alliance.wechat import (
    WeChatError,
    jscode2session,
    stable_access_token_fetch,
    wechat_post,
)

ROOT = Path(__file__).resolve().parents[2]
APPID, SECRET = "wx-standin-test", "standin-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def standin(settings, monkeypatch):
    """The command in a subprocess; the project's settings pointed at it."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    port = _free_port()
    env = {**os.environ, "DEBUG": "true", "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET}
    env.pop("DATABASE_URL", None)  # It needs no database.
    process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "wechat_standin", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert f"127.0.0.1:{port}" in first, first + process.stderr.read()
        settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"
        settings.WECHAT_APPID, settings.WECHAT_SECRET = APPID, SECRET
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


@pytest.mark.django_db
class TestTheStandIn:
    def test_an_openid_code_signs_in_as_that_openid_once(self, standin):
        assert jscode2session("openid:o-developer").openid == "o-developer"

        with pytest.raises(WeChatError) as used:
            jscode2session("openid:o-developer")
        assert used.value.errcode == 40163
        with pytest.raises(WeChatError) as unknown:
            jscode2session("some-other-code")
        assert unknown.value.errcode == 40029

    def test_it_hands_out_a_stable_token_and_accepts_subscription_messages(self, standin):
        token, expires_in = stable_access_token_fetch()
        assert expires_in > 0
        assert stable_access_token_fetch()[0] == token

        answer = wechat_post(
            "/cgi-bin/message/subscribe/send",
            {"access_token": token},
            {"touser": "o-anyone", "template_id": "tpl-1", "data": {"thing1": {"value": "会议室"}}},
        )

        assert answer["errcode"] == 0
        standin.terminate()
        output, _ = standin.communicate(timeout=10)
        assert "WeChat message:" in output
        assert "会议室" in output
        assert token not in output
        assert standin.returncode == 0

    def test_it_checks_the_app_secret(self, standin, settings):
        settings.WECHAT_SECRET = "wrong"

        with pytest.raises(WeChatError) as refused:
            stable_access_token_fetch()
        assert refused.value.errcode == 40125

    def test_the_sign_in_service_works_against_it(self, standin):
        sign_in = wechat_sign_in(code="openid:o-new-user")

        assert sign_in.member is None
        assert sign_in.token


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("wechat_standin", "--port", "0")
