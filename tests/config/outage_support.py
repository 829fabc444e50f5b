"""Helpers for the failure tests: a database that cannot be reached, and an app to crash."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections


def closed_port() -> int:
    """A loopback TCP port that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def unreachable_database(tmp_path: Path) -> Iterator[None]:
    """Point this thread's default connection at a database that cannot be opened: a
    PostgreSQL port nothing listens on, or an SQLite file in a directory that does not
    exist. The real connection (and the test's transaction on it) comes back afterwards.

    The settings are the only thing changed: connecting fails inside the real driver,
    exactly as when the server is down.
    """
    real = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(real.settings_dict)
    if real.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    broken = real.__class__(settings_dict, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = broken
    try:
        yield
    finally:
        broken.close()
        connections[DEFAULT_DB_ALIAS] = real


def reads_the_database(get_response):
    """A middleware that reads the database after the view, as session saving, the shared
    cache and rate limits do: its failure happens outside any view."""
    from django.contrib.auth import get_user_model

    def middleware(request):
        response = get_response(request)
        get_user_model().objects.exists()
        return response

    return middleware
