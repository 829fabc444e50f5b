"""The outage drill on PostgreSQL: the app's connections are terminated with
``pg_terminate_backend`` from a second connection while requests run.

Requests go through Django's WSGI handler from worker threads that each keep their
connection between requests (CONN_MAX_AGE), as gunicorn's sync workers do; the handler
sends request_started and request_finished, so Django's connection housekeeping runs as in
production. Every answer must be a normal one or 503 ``database_unavailable`` with
``Retry-After``, never a 500; the next request after the outage must succeed without a
restart.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

from alliance.models import ApiToken, Member, Unit
from alliance.outage import RETRY_AFTER_SECONDS, database_outage
from tests.api.world import World, client_for, world_build

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen_now"),
]

DEADLINE_SECONDS = 20


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def wsgi_call(method: str, path: str, *, token: str, body: Any = None) -> Answer:
    """One request through a fresh-per-thread WSGIHandler, as a WSGI server makes it."""
    data = b"" if body is None else json.dumps(body).encode()
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ.update(
        {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "HTTP_HOST": "testserver",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
        }
    )
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        started["status"], started["headers"] = int(status.split()[0]), dict(headers)

    result = HANDLER(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()  # request_finished: Django closes a connection that failed
    return Answer(started["status"], started["headers"], content)


HANDLER = WSGIHandler()


@contextmanager
def worker() -> Iterator[ThreadPoolExecutor]:
    """One thread that serves requests one after another on its own persistent connection."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            yield pool
        finally:
            pool.submit(connections.close_all).result()


def backend_pid() -> int:
    """The server process behind this thread's connection."""
    return connection.connection.info.backend_pid


@contextmanager
def second_connection(*, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=autocommit,
    ) as conn:
        yield conn


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


def pid_state(watcher: psycopg.Connection, pid: int) -> str | None:
    """``wait_event_type`` of a backend (``Lock`` while it waits on one), or None when the
    backend is gone."""
    row = watcher.execute(
        "SELECT coalesce(wait_event_type, 'running') FROM pg_stat_activity WHERE pid = %s",
        [pid],
    ).fetchone()
    return None if row is None else row[0]


def terminate(watcher: psycopg.Connection, pid: int) -> None:
    assert watcher.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    wait_for(lambda: pid_state(watcher, pid) is None, f"backend {pid} is gone")


def assert_database_unavailable(answer: Answer) -> None:
    assert answer.status == 503, answer.body[:300]
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert answer.json()["code"] == "database_unavailable"


@pytest.fixture
def world() -> World:
    database_outage.reset()
    return world_build()


@pytest.fixture
def token(world: World) -> str:
    return client_for(world.researcher).raw_token


def test_a_request_whose_connection_is_terminated_mid_flight_is_503_and_the_next_is_200(
    token,
):
    tables = ", ".join(m._meta.db_table for m in (ApiToken, Member, Unit))
    with worker() as app, second_connection() as watcher:
        assert app.submit(wsgi_call, "GET", "/api/v1/me/", token=token).result().status == 200
        pid = app.submit(backend_pid).result()

        # Hold the request inside the database (waiting on a lock) so that the kill
        # lands while it runs, not between requests.
        with second_connection(autocommit=False) as locker:
            locker.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
            in_flight = app.submit(wsgi_call, "GET", "/api/v1/me/", token=token)
            wait_for(lambda: pid_state(watcher, pid) == "Lock", "the request waits")
            terminate(watcher, pid)
            locker.rollback()

        assert_database_unavailable(in_flight.result(timeout=DEADLINE_SECONDS))
        assert app.submit(wsgi_call, "GET", "/api/v1/me/", token=token).result().status == 200
        assert app.submit(backend_pid).result() != pid


@pytest.mark.parametrize("health_checks", [True, False], ids=["health checks", "control"])
def test_a_persistent_connection_killed_between_requests_is_replaced(
    token, monkeypatch, health_checks
):
    """With CONN_HEALTH_CHECKS (the setting for PostgreSQL) the next request notices the dead
    connection before its first query and opens a new one: nobody sees the kill. The control
    turns the checks off: that request gets the dead connection (503, not 500) and the one
    after it recovers."""
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks)
    with worker() as app, second_connection() as watcher:
        assert app.submit(wsgi_call, "GET", "/api/v1/me/", token=token).result().status == 200
        pid = app.submit(backend_pid).result()

        terminate(watcher, pid)
        after_kill = app.submit(wsgi_call, "GET", "/api/v1/me/", token=token).result()

        if health_checks:
            assert after_kill.status == 200
        else:
            assert_database_unavailable(after_kill)
            assert app.submit(wsgi_call, "GET", "/api/v1/me/", token=token).result().status == 200
        assert app.submit(backend_pid).result() != pid


def test_a_rush_under_repeated_terminations_gets_no_500_and_recovers(
    world, token, caplog, settings
):
    """Four workers send sign-in checks and bookings while a second connection terminates
    every app connection again and again, as a failover or a restart would."""
    settings.BOOKING_CREATE_RATE_PER_MINUTE = 0  # one member books 60 times: not a limit test
    workers, requests_each = 4, 30
    connection.ensure_connection()
    spared = {backend_pid()}  # the test's own connection, which tears the test down

    def requests_of(worker_index: int) -> list[Answer]:
        answers = []
        for i in range(requests_each):
            if i % 2:
                answers.append(wsgi_call("GET", "/api/v1/me/", token=token))
            else:
                day = 24 + (worker_index + i) % 4  # Tuesday to Friday
                body = {
                    "resource": world.other_resource.pk,
                    "start": f"2026-11-{day}T10:00:00+08:00",
                    "end": f"2026-11-{day}T11:00:00+08:00",
                    "purpose": "演练",
                }
                answers.append(wsgi_call("POST", "/api/v1/bookings/", token=token, body=body))
        return answers

    kills = 0
    with second_connection() as killer:
        spared.add(killer.info.backend_pid)
        pools = [ThreadPoolExecutor(max_workers=1) for _ in range(workers)]
        try:
            runs = [pool.submit(requests_of, n) for n, pool in enumerate(pools)]
            while not all(run.done() for run in runs):
                rows = killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> ALL(%s)",
                    [list(spared)],
                ).fetchall()
                kills += sum(1 for (done,) in rows if done)
                time.sleep(0.25)  # a round of kills, then a moment to recover
            answers = [answer for run in runs for answer in run.result()]
            after = [pool.submit(wsgi_call, "GET", "/api/v1/me/", token=token) for pool in pools]
            recovered = [future.result().status for future in after]
        finally:
            for pool in pools:
                pool.submit(connections.close_all).result()
                pool.shutdown()

    statuses = sorted({answer.status for answer in answers})
    assert kills > 0
    assert set(statuses) <= {200, 201, 409, 503}, statuses
    for answer in answers:
        if answer.status == 503:
            assert_database_unavailable(answer)
    assert recovered == [200] * workers
    logged = [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [("alliance.outage", "WARNING")]  # one line for the burst
