"""config.middleware and the API's handler: a database that cannot be reached is answered
503 ``database_unavailable`` with ``Retry-After`` everywhere (API views, the back office,
other middleware), logged once rather than with a traceback per request, and the service
answers normally again as soon as the database is back. A real bug is still a 500 with its
traceback. These run on SQLite and PostgreSQL; tests/config/test_outage_drill.py kills live
PostgreSQL connections."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from alliance.outage import RETRY_AFTER_SECONDS, database_outage
from tests.api.world import World, client_for, world_build
from tests.config.outage_support import unreachable_database

pytestmark = pytest.mark.django_db

READS_THE_DATABASE = "tests.config.outage_support.reads_the_database"


@pytest.fixture(autouse=True)
def _new_burst():
    database_outage.reset()


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture(params=[False, True], ids=["DEBUG off", "DEBUG on"])
def debug(request, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


def staff_client() -> Client:
    user = get_user_model().objects.create_superuser("root", password="pw")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_database_unavailable(response, *, json: bool) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["X-Content-Type-Options"] == "nosniff"  # still a secured answer
    if json:
        body = response.json()
        assert body["code"] == "database_unavailable"
        assert body["retry_after"] == RETRY_AFTER_SECONDS
    else:
        assert response["Content-Type"].startswith("text/plain")


def warnings_and_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_api_request_is_answered_503_while_the_database_is_unreachable(
    world, debug, tmp_path, caplog
):
    client = client_for(world.researcher)

    with unreachable_database(tmp_path):
        responses = [client.get("/api/v1/me/") for _ in range(3)]

    for response in responses:
        assert_database_unavailable(response, json=True)
    assert client.get("/api/v1/me/").status_code == 200  # back as soon as the database is
    (report,) = warnings_and_errors(caplog)  # one line for the burst, not one per request
    assert (report.name, report.levelno, report.exc_info) == ("alliance.outage", 30, None)
    assert report.getMessage().startswith("Database unavailable (")


def test_the_back_office_is_answered_503_in_plain_text(debug, tmp_path, caplog):
    client = staff_client()

    with unreachable_database(tmp_path):
        response = client.get("/admin/")

    assert_database_unavailable(response, json=False)
    assert client.get("/admin/").status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("path", "json"), [("/api/v1/no-such-thing/", True), ("/no-such-page/", False)]
)
def test_a_failure_in_another_middleware_is_answered_503_too(
    debug, settings, tmp_path, caplog, path, json
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, READS_THE_DATABASE]
    client = Client(raise_request_exception=False)

    with unreachable_database(tmp_path):
        response = client.get(path)

    assert_database_unavailable(response, json=json)
    assert client.get(path).status_code == 404
    (report,) = warnings_and_errors(caplog)
    assert report.name == "alliance.outage"


# --- A bug is not an outage ---------------------------------------------------------------


@pytest.mark.urls("tests.config.crash_urls")
@pytest.mark.parametrize(("path", "json"), [("/api/v1/test-crash/", True), ("/test-crash/", False)])
def test_a_query_on_a_missing_table_is_still_a_500_with_its_traceback(path, json, caplog):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 500
    if json:
        assert response.json()["code"] == "server_error"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert any(r.exc_info and "no_such_table_at_all" in str(r.exc_info[1]) for r in errors)
    assert not [r for r in caplog.records if r.name == "alliance.outage"]
