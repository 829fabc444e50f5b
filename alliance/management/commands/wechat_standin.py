"""``manage.py wechat_standin``: a local WeChat for development (alliance.wechat_standin).

Speaks jscode2session (a code ``openid:<openid>`` signs in as that openid), stable_token
and subscribe/send on 127.0.0.1, and prints each subscription message it accepts. Point
the project at it with ``WECHAT_API_BASE=http://127.0.0.1:<port>`` and the same
``WECHAT_APPID``/``WECHAT_SECRET`` (``make run`` does all this when ``WECHAT_APPID`` is
unset). Refuses to run with DEBUG off: it hands tokens to anyone on loopback.
"""

from __future__ import annotations

import json
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alliance.wechat_standin import APPID, SECRET, FakeWeChat


class Command(BaseCommand):
    help = "Run a local WeChat stand-in on 127.0.0.1 (development only, DEBUG on)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
        parser.add_argument("--appid", default="", help="default: WECHAT_APPID or a made-up one")
        parser.add_argument("--secret", default="", help="default: WECHAT_SECRET or a made-up one")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The WeChat stand-in runs with DEBUG on only.")
        appid = options["appid"] or settings.WECHAT_APPID or APPID
        secret = options["secret"] or settings.WECHAT_SECRET or SECRET
        stop = threading.Event()
        standin = FakeWeChat(appid, secret, open_codes=True, on_message=self._message_print)
        try:
            standin.start(port=options["port"])
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{options['port']}: {exc}") from None
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"WeChat stand-in listening on {standin.url} (appid {appid})")
        self.stdout.flush()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            standin.stop()
            self.stdout.write("WeChat stand-in stopped")

    def _message_print(self, body: dict) -> None:
        """One line per accepted subscription message (no secrets: the token is in the URL)."""
        summary = {key: body.get(key) for key in ("touser", "template_id", "page", "data")}
        self.stdout.write("WeChat message: " + json.dumps(summary, ensure_ascii=False))
        self.stdout.flush()
