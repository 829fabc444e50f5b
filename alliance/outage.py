"""Telling a database outage from a bug, and reporting an outage once, not once a request.

When PostgreSQL restarts, fails over or has its connections terminated, every request in
flight fails with the same error. Those requests are answered 503 ``database_unavailable``
with ``Retry-After`` (api.exceptions for API views, config.middleware for the rest) and the
outage is logged here at WARNING, without a traceback, at most once per
``REPORT_INTERVAL_SECONDS`` with a count of the answers in between. Anything else the
database raises (a missing table, bad SQL, a lock timeout the caller forgot to handle) is a
programming error and stays a 500 with its traceback.

Recovery needs nothing from here: Django closes a connection that failed when the request
ends, and with ``CONN_HEALTH_CHECKS`` a persistent connection that died between requests is
replaced before its first query (config/settings.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

#: What a client is told to wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 5
#: An outage is reported at most once per this many seconds (per process).
REPORT_INTERVAL_SECONDS = 60

#: PostgreSQL error codes that mean "no usable connection" rather than "bad query": the
#: server shutting down or terminating the session (57P01 admin_shutdown is what
#: ``pg_terminate_backend`` sends), crashing, starting up, or out of connection slots.
#: Class 08 (connection exception) is matched by prefix.
POSTGRES_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03", "53300"})
#: SQLite primary result codes for a database that is busy past the timeout, locked,
#: unreadable or cannot be opened.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN = 5, 6, 10, 14
SQLITE_UNAVAILABLE = frozenset({SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN})


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached, as opposed to a bug.

    Django wraps the driver's error; the driver's own error (``__cause__``) tells which:
    psycopg gives a SQLSTATE (none at all when the failure is the connection itself, such as
    a refused connection or a server that went away), sqlite3 an error code.
    """
    if isinstance(exc, InterfaceError):
        return True  # the connection is already closed
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlite_code = getattr(cause, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in SQLITE_UNAVAILABLE
    if cause is None or not hasattr(cause, "sqlstate"):
        return False
    sqlstate = cause.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in POSTGRES_UNAVAILABLE


class OutageReport:
    """Log the first failure of a burst at WARNING, then at most once per interval with a
    count of the failures in between. Thread-safe; per process."""

    def __init__(
        self,
        what: str,
        *,
        interval_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.interval_seconds = interval_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._last_report: float | None = None
        self._unreported = 0

    def __call__(self, exc: BaseException) -> None:
        now = self.clock()
        with self._lock:
            if self._last_report is not None and now - self._last_report < self.interval_seconds:
                self._unreported += 1
                return
            unreported, self._unreported = self._unreported, 0
            self._last_report = now
        cause = exc.__cause__ or exc
        detail = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
        logger.warning(
            "%s unavailable (%s: %s); %s request(s) answered 503 since the last report",
            self.what,
            type(cause).__name__,
            detail,
            unreported + 1,
        )

    def reset(self) -> None:
        """Forget the current burst (for tests)."""
        with self._lock:
            self._last_report = None
            self._unreported = 0


database_outage = OutageReport("Database", interval_seconds=REPORT_INTERVAL_SECONDS)
cache_outage = OutageReport("Cache", interval_seconds=REPORT_INTERVAL_SECONDS)
