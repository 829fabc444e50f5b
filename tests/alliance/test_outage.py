"""alliance.outage: which database errors are an outage (503) and which are bugs (500), and
an outage logged once per burst."""

from __future__ import annotations

import logging
import sqlite3

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.db import ProgrammingError as DjangoProgrammingError
from psycopg import errors as pg

from alliance.outage import OutageReport, database_unavailable


def as_django(driver_error: Exception, django_class: type[DatabaseError]) -> DatabaseError:
    """The error as Django raises it: its own class, the driver's error as the cause."""
    try:
        raise django_class(*driver_error.args) from driver_error
    except django_class as wrapped:
        return wrapped


def sqlite_error(sql: str, database: str = ":memory:") -> sqlite3.Error:
    try:
        sqlite3.connect(database).execute(sql)
    except sqlite3.Error as exc:
        return exc
    raise AssertionError("expected an error")


OUTAGES = {
    "refused or dropped connection": as_django(psycopg.OperationalError("gone"), OperationalError),
    "pg_terminate_backend": as_django(pg.AdminShutdown("terminating"), OperationalError),
    "server crashed": as_django(pg.CrashShutdown("crash"), OperationalError),
    "server starting up": as_django(pg.CannotConnectNow("starting"), OperationalError),
    "too many connections": as_django(pg.TooManyConnections("full"), OperationalError),
    "connection exception": as_django(pg.ConnectionFailure("08006"), OperationalError),
    "connection already closed": as_django(psycopg.InterfaceError("closed"), InterfaceError),
}
BUGS = {
    "missing table (PostgreSQL)": as_django(pg.UndefinedTable("nope"), DjangoProgrammingError),
    "lock timeout left unhandled": as_django(pg.LockNotAvailable("55P03"), OperationalError),
    "statement timeout": as_django(pg.QueryCanceled("57014"), OperationalError),
    "unique violation": as_django(pg.UniqueViolation("dup"), IntegrityError),
    "missing table (SQLite)": as_django(sqlite_error("SELECT * FROM nope"), OperationalError),
    "no cause": OperationalError("raised by hand"),
    "not a database error": ZeroDivisionError(),
}


@pytest.mark.parametrize("exc", OUTAGES.values(), ids=OUTAGES)
def test_connection_failures_are_outages(exc):
    assert database_unavailable(exc)


@pytest.mark.parametrize("exc", BUGS.values(), ids=BUGS)
def test_other_database_errors_are_bugs(exc):
    assert not database_unavailable(exc)


def test_an_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path):
    error = sqlite_error("SELECT 1", str(tmp_path / "missing" / "db.sqlite3"))

    assert database_unavailable(as_django(error, OperationalError))


def test_an_outage_is_logged_once_per_burst_without_a_traceback(caplog):
    report = OutageReport("Database", interval_seconds=3600)
    exc = OUTAGES["pg_terminate_backend"]

    for _ in range(1000):
        report(exc)

    (record,) = caplog.records
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert record.getMessage() == (
        "Database unavailable (AdminShutdown: terminating); "
        "1 request(s) answered 503 since the last report"
    )


def test_after_the_interval_the_next_report_counts_the_requests_in_between(caplog):
    now = [0.0]
    report = OutageReport("Database", interval_seconds=60, clock=lambda: now[0])
    exc = OUTAGES["pg_terminate_backend"]
    for second in range(0, 61):  # a request a second during a minute-long outage
        now[0] = second
        report(exc)

    assert [r.getMessage().split("; ")[1] for r in caplog.records] == [
        "1 request(s) answered 503 since the last report",
        "60 request(s) answered 503 since the last report",
    ]
