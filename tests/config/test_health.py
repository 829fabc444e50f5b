"""GET /healthz and GET /readyz (config.health), for load balancers: anonymous, cheap,
answered before host checks and redirects, and quiet in the logs."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alliance.outage import cache_outage, database_outage
from tests.config.outage_support import unreachable_database

pytestmark = pytest.mark.django_db

MISSING_CACHE_TABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "no_such_cache_table",
    }
}


@pytest.fixture(autouse=True)
def _new_burst():
    database_outage.reset()
    cache_outage.reset()


def probe(path: str, **extra):
    # A load balancer calls by address, over plain HTTP, without credentials or cookies.
    return Client().get(path, headers={"host": "10.0.0.7"}, **extra)


def test_healthz_says_the_process_is_alive_without_touching_the_database():
    with CaptureQueriesContext(connection) as queries:
        response = probe("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_healthz_stays_200_while_the_database_is_unreachable(tmp_path):
    with unreachable_database(tmp_path):
        response = probe("/healthz")

    assert response.status_code == 200


def test_readyz_checks_the_database_and_the_cache():
    response = probe("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_503_with_a_code_while_the_database_is_unreachable(tmp_path, caplog):
    with unreachable_database(tmp_path):
        response = probe("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["code"] == "database_unavailable"
    # The default cache keeps its table in the same database, so it is down as well.
    assert body["checks"] == {"database": "unavailable", "cache": "unavailable"}
    assert probe("/readyz").status_code == 200  # ready again once the database is back
    reports = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert {r.name for r in reports} == {"alliance.outage"}


def test_readyz_is_503_with_a_code_when_the_cache_fails(settings, caplog):
    settings.CACHES = MISSING_CACHE_TABLE

    response = probe("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "cache_unavailable"
    assert body["checks"] == {"database": "ok", "cache": "unavailable"}


def test_probes_answer_whatever_host_and_scheme_the_balancer_uses(settings):
    settings.ALLOWED_HOSTS = ["share.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    assert probe("/healthz").status_code == 200
    assert probe("/readyz").status_code == 200
    assert probe("/api/v1/me/").status_code == 400  # any other path: host validated


def test_probes_only_answer_get_and_head():
    assert Client().head("/healthz").status_code == 200
    response = Client().post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_probes_are_not_logged(caplog):
    with caplog.at_level(logging.INFO):
        probe("/healthz")
        probe("/readyz")

    assert caplog.records == []
