"""The test suite's WeChat fake: alliance.wechat_standin plus the ``wechat_server`` fixture.

The protocol lives in alliance.wechat_standin (shared with ``manage.py wechat_standin``);
this module re-exports it for the tests. Use the ``wechat_server`` fixture, which starts the
server, points ``settings.WECHAT_API_BASE`` / ``WECHAT_APPID`` / ``WECHAT_SECRET`` at it and
stops it afterwards. Make it visible either for the whole suite with
``pytest_plugins = ["tests.wechat_fake"]`` in ``tests/conftest.py``, or in one test module
with ``wechat_server = wechat_fake.wechat_server`` after ``from tests import wechat_fake``
(a plain ``from … import wechat_server`` trips ruff's F811 on every test using it).
"""

from __future__ import annotations

import pytest

from alliance.wechat_standin import (  # noqa: F401 - re-exported for the tests
    APPID,
    DATA_LIMITS,
    JSCODE2SESSION,
    SECRET,
    STABLE_TOKEN,
    SUBSCRIBE_SEND,
    TOKEN,
    Canned,
    FakeWeChat,
    RecordedRequest,
)


@pytest.fixture
def wechat_server(settings, monkeypatch):
    """A running :class:`FakeWeChat`; the project's settings point at it."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeWeChat().start()
    settings.WECHAT_API_BASE = fake.url
    settings.WECHAT_APPID = fake.appid
    settings.WECHAT_SECRET = fake.secret
    settings.WECHAT_TIMEOUT_SECONDS = 5
    try:
        yield fake
    finally:
        fake.stop()
