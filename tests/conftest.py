"""Shared fixtures: a frozen clock in the alliance's zone and the demo-free base data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Monday morning. Every test that depends on "now" runs at this instant unless it
#: travels elsewhere.
FROZEN_NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def frozen_now():
    """Freeze the clock at FROZEN_NOW (does not tick)."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield FROZEN_NOW


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _shared_cache_emptied(request):
    """The default cache is a database table that transactional tests' flush leaves alone
    (it is no model's): empty it around them, so that no limit or breaker state leaks.
    Other tests roll their cache rows back with everything else."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        yield
        return
    request.getfixturevalue("transactional_db")
    cache.clear()
    yield
    cache.clear()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL. On SQLite they are reported as skipped with
    the reason; on PostgreSQL nothing can skip them (CI's PostgreSQL pass runs them all)."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def media_root(settings, tmp_path):
    """Stored files (resource photos) land in a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
