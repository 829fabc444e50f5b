"""A switched-socket relay stand-in on loopback, for the power-control tests.

It speaks the HTTP relay protocol of bookings.interlock and can be told to answer slowly
(``delay`` seconds, past the driver's timeout), to refuse (``status`` 500 or 403), and to
check the secret. It records what it was asked, so tests see the unlock and the lock.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class RelayStandIn:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.delay = 0.0
        self.status = 200
        self.state: dict[int, str] = {}
        self.calls: list[tuple[str, int, str]] = []  # (method, channel, state asked)
        self._release = threading.Event()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _answer(self, code: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if not standin.secret:
                    return True
                return self.headers.get("Authorization") == f"Bearer {standin.secret}"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                asked = json.loads(self.rfile.read(length) or b"{}")
                channel, state = int(asked.get("channel", 0)), asked.get("state", "")
                standin.calls.append(("POST", channel, state))
                if standin.delay:
                    standin._release.wait(standin.delay)
                if not self._authorised():
                    return self._answer(403, {"error": "bad secret"})
                if standin.status != 200:
                    return self._answer(standin.status, {"error": "relay fault"})
                standin.state[channel] = state
                return self._answer(200, {"state": state})

            def do_GET(self) -> None:  # noqa: N802
                channel = int(parse_qs(urlparse(self.path).query).get("channel", ["0"])[0])
                standin.calls.append(("GET", channel, ""))
                if not self._authorised():
                    return self._answer(403, {"error": "bad secret"})
                return self._answer(200, {"state": standin.state.get(channel, "off")})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/relay"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RelayStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()  # a slow answer still waiting is let go at once
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def asked(self) -> list[str]:
        """The states asked by POST, in order ("on", "off")."""
        return [state for method, _channel, state in self.calls if method == "POST"]
