"""A WeChat stand-in on loopback: the few HTTP endpoints of WeChat the project calls.

One implementation for two uses: the test suite's fake (tests/wechat_fake.py, which adds the
``wechat_server`` fixture) and the development stand-in that ``make run`` starts when no
WeChat app is configured (``manage.py wechat_standin``). Clients talk to it over real HTTP,
so alliance.wechat's URL building, timeouts, JSON parsing and error mapping all run. It
implements:

- ``GET /sns/jscode2session`` (mini-program sign-in): codes registered with
  :meth:`FakeWeChat.register_code` answer ``{"openid", "session_key", "unionid"?}`` once;
  an unknown code is 40029, a used one 40163. Like WeChat, it answers ``text/plain``. In
  stand-in mode (``open_codes``) a code ``openid:<openid>`` also signs in as ``<openid>``,
  once, so that a developer can sign in as anyone.
- ``GET /cgi-bin/token`` and ``POST /cgi-bin/stable_token``: an access token valid for
  ``token_ttl`` seconds (7200); 40013 for a wrong appid, 40125 for a wrong secret.
  ``stable_token`` returns the same token until it expires or ``force_refresh`` is true.
- ``POST /cgi-bin/message/subscribe/send?access_token=...`` (subscription messages):
  41001 without a token, 40001 for an unknown one, 42001 for an expired one, 40003 for an
  unknown ``touser`` (any openid is known in stand-in mode), 43101 when the user refused,
  40037 for an unknown template (only when ``templates`` is set), 47003 when a data value
  breaks WeChat's length limits. In stand-in mode accepted messages are also handed to
  ``on_message`` (the command prints them).

Scripting, for the unhappy paths:

- :meth:`FakeWeChat.queue` a canned JSON answer (or an HTTP error status, or a delay) for
  the next request to a path; queued answers are served first in, first out;
- :meth:`FakeWeChat.set_delay` to slow every answer (timeouts);
- :attr:`FakeWeChat.requests` records every request (method, path, query, JSON body).

Never for production: it hands out tokens to anyone who asks on loopback.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

APPID = "wx-fake-appid-0001"
SECRET = "fake-app-secret-for-tests-only"  # noqa: S105 - the stand-in's own made-up secret

#: In stand-in mode, a wx.login code ``openid:<openid>`` signs in as ``<openid>``.
OPEN_CODE_PREFIX = "openid:"

JSCODE2SESSION = "/sns/jscode2session"
TOKEN = "/cgi-bin/token"  # noqa: S105 - a path, not a secret
STABLE_TOKEN = "/cgi-bin/stable_token"  # noqa: S105 - a path
SUBSCRIBE_SEND = "/cgi-bin/message/subscribe/send"

#: WeChat's documented length limits for subscription-message data values, by key prefix.
DATA_LIMITS = {
    "thing": 20,
    "phrase": 5,
    "name": 10,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "amount": 32,
    "phone_number": 17,
    "car_number": 8,
    "date": 64,
    "time": 64,
}


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it. ``json`` is None for a GET or a non-JSON body."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]


@dataclasses.dataclass
class Canned:
    """A scripted answer. ``body=None`` with a delay means: wait, then answer normally."""

    body: Any = None
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None


class FakeWeChat:
    """State and behaviour of the fake; the HTTP plumbing lives in :class:`_Handler`."""

    def __init__(
        self,
        appid: str = APPID,
        secret: str = SECRET,
        *,
        open_codes: bool = False,
        on_message: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.appid = appid
        self.secret = secret
        #: Stand-in mode: ``openid:<openid>`` codes sign in, and every openid is a user.
        self.open_codes = open_codes
        self.on_message = on_message
        self.token_ttl = 7200
        #: When non-empty, subscribe/send refuses other template ids with 40037.
        self.templates: set[str] = set()
        self.requests: list[RecordedRequest] = []
        #: Every session_key handed out, so tests can assert none of them leaks.
        self.session_keys: list[str] = []
        self._codes: dict[str, tuple[str, str | None]] = {}
        self._used_codes: set[str] = set()
        self._openids: set[str] = set()
        self._refusing: set[str] = set()
        self._tokens: dict[str, float] = {}  # access token -> expiry (monotonic seconds)
        self._stable_token: str | None = None
        self._queued: dict[str, collections.deque[Canned]] = collections.defaultdict(
            collections.deque
        )
        self._accepted_messages: list[dict[str, Any]] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- Scripting ----------------------------------------------------------------------

    def register_code(self, code: str, openid: str, unionid: str | None = None) -> None:
        """Make ``code`` (a wx.login code) sign in as ``openid``, once."""
        with self._lock:
            self._codes[code] = (openid, unionid)
            self._openids.add(openid)

    def add_user(self, openid: str) -> None:
        """Make ``openid`` a known user of the mini-program (a valid ``touser``)."""
        with self._lock:
            self._openids.add(openid)

    def refuse_messages(self, openid: str) -> None:
        """The user refused (or has no subscription left): subscribe/send answers 43101."""
        with self._lock:
            self._refusing.add(openid)

    def queue(
        self,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        delay: float = 0.0,
        raw: bytes | None = None,
    ) -> None:
        """Serve this answer to the next request for ``path`` instead of the normal one.

        ``body`` is JSON-encoded (``raw`` bytes are sent as they are); ``status`` other
        than 200 sends an HTTP error (with the body if given); no body and ``status=200``
        only delays the normal answer by ``delay`` seconds.
        """
        canned = Canned(body=body, status=status, delay=delay, raw=raw)
        with self._lock:
            self._queued[path].append(canned)

    def queue_error(self, path: str, errcode: int, errmsg: str) -> None:
        """The next request for ``path`` gets WeChat's ``{"errcode", "errmsg"}``."""
        self.queue(path, {"errcode": errcode, "errmsg": errmsg})

    def set_delay(self, seconds: float) -> None:
        """Wait this long before every answer (0 to stop). Stopping the server interrupts."""
        self.delay = seconds

    def issue_access_token(self) -> str:
        """A valid access token, as if fetched through /cgi-bin/token."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl
        return token

    def expire_access_tokens(self) -> None:
        """Every token issued so far is now expired (42001)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)
            self._stable_token = None

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    @property
    def sent_messages(self) -> list[dict[str, Any]]:
        """Bodies of the subscription messages WeChat accepted (errcode 0)."""
        with self._lock:
            return list(self._accepted_messages)

    # --- Protocol -----------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def next_canned(self, path: str) -> Canned | None:
        with self._lock:
            queue = self._queued.get(path)
            return queue.popleft() if queue else None

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        """The normal (unscripted) JSON answer to a request."""
        if path == JSCODE2SESSION and method == "GET":
            return self._jscode2session(query)
        if path == TOKEN and method == "GET":
            return self._token(query)
        if path == STABLE_TOKEN and method == "POST":
            return self._stable(body if isinstance(body, dict) else {})
        if path == SUBSCRIBE_SEND and method == "POST":
            return self._subscribe_send(query, body if isinstance(body, dict) else {})
        return None

    def _credentials_error(self, appid: str | None, secret: str | None) -> dict | None:
        if appid != self.appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if secret != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        return None

    def _jscode2session(self, query: dict[str, str]) -> dict:
        error = self._credentials_error(query.get("appid"), query.get("secret"))
        if error:
            return error
        if query.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        code = query.get("js_code", "")
        if self.open_codes and code.startswith(OPEN_CODE_PREFIX) and code not in self._used_codes:
            self.register_code(code, code.removeprefix(OPEN_CODE_PREFIX))
        with self._lock:
            if code in self._used_codes:
                return {"errcode": 40163, "errmsg": "code been used"}
            if code not in self._codes:
                return {"errcode": 40029, "errmsg": "invalid code"}
            self._used_codes.add(code)
            openid, unionid = self._codes.pop(code)
            session_key = secrets.token_urlsafe(18)
            self.session_keys.append(session_key)
        answer = {"openid": openid, "session_key": session_key}
        if unionid:
            answer["unionid"] = unionid
        return answer

    def _token(self, query: dict[str, str]) -> dict:
        error = self._credentials_error(query.get("appid"), query.get("secret"))
        if error:
            return error
        if query.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        return {"access_token": self.issue_access_token(), "expires_in": self.token_ttl}

    def _stable(self, body: dict) -> dict:
        error = self._credentials_error(body.get("appid"), body.get("secret"))
        if error:
            return error
        if body.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        with self._lock:
            current = self._stable_token
            valid = current is not None and self._tokens.get(current, 0.0) > time.monotonic()
        if not valid or body.get("force_refresh"):
            current = self.issue_access_token()
            with self._lock:
                self._stable_token = current
        with self._lock:
            remaining = math.ceil(self._tokens[current] - time.monotonic())
        return {"access_token": current, "expires_in": max(remaining, 0)}

    def _subscribe_send(self, query: dict[str, str], body: dict) -> dict:
        token = query.get("access_token")
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        if expiry <= time.monotonic():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        touser = body.get("touser")
        if touser not in self._openids and not self.open_codes:
            return {"errcode": 40003, "errmsg": "invalid openid"}
        template_id = body.get("template_id")
        if not template_id or (self.templates and template_id not in self.templates):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if touser in self._refusing:
            return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        data = body.get("data")
        if not isinstance(data, dict):
            return {"errcode": 47001, "errmsg": "data format error"}
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str):
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value empty"}
            prefix = key.rstrip("0123456789")
            limit = DATA_LIMITS.get(prefix)
            if limit is not None and len(value) > limit:
                return {
                    "errcode": 47003,
                    "errmsg": f"argument invalid! data.{key}.value exceeds limit",
                }
        with self._lock:
            self._accepted_messages.append(body)
        if self.on_message is not None:
            self.on_message(body)
        return {"errcode": 0, "errmsg": "ok"}

    # --- Lifecycle ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> FakeWeChat:
        """Serve on 127.0.0.1 (``port`` 0: any free port) in a background thread."""
        server = _Server(("127.0.0.1", port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-wechat"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed answers are cut short and their threads joined."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # joined on server_close, so no thread outlives the test
    block_on_close = True
    fake: FakeWeChat

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (a timeout test) is expected; stay quiet about it."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the query string carries the app secret and codes."""

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        fake.record(RecordedRequest(method, parts.path, query, body, dict(self.headers.items())))
        canned = fake.next_canned(parts.path)
        delay = fake.delay + (canned.delay if canned else 0.0)
        if delay and fake.stopping.wait(delay):
            return
        if canned is not None and canned.raw is not None:
            self._send_bytes(canned.status, canned.raw, "text/html")
            return
        if canned is not None and (canned.body is not None or canned.status != 200):
            self._send(canned.status, canned.body, parts.path)
            return
        answer = fake.answer(method, parts.path, query, body)
        if answer is None:
            self._send(404, {"errcode": 404, "errmsg": "not found"}, parts.path)
        else:
            self._send(200, answer, parts.path)

    def _send(self, status: int, body: Any, path: str) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        # WeChat answers jscode2session as text/plain; the client must not rely on the type.
        kind = "text/plain" if path == JSCODE2SESSION else "application/json"
        self._send_bytes(status, payload, kind)

    def _send_bytes(self, status: int, payload: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
