"""The resource row lock: every writer of a resource, its rules or its bookings takes it.

See docs/bookings-concurrency.md. Taken once, late, inside the writer's transaction.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import connection

from alliance.errors import NotFound
from alliance.models import Unit
from resources.models import Resource
from resources.rows import resource_and_unit_columns, resource_and_unit_from_row


def lock_timeout() -> str:
    return f"{settings.BOOKING_LOCK_TIMEOUT_MS}ms"


def resource_lock(resource_id: int) -> Resource:
    """Lock and return the resource row. Caller must be inside ``transaction.atomic``.

    PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` with a lock timeout, so that writers of one
    resource queue here while inserts that merely reference the resource do not. SQLite has
    no row locks: its IMMEDIATE transactions already hold the database's write lock, and
    the row is read plainly.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the resource lock needs an open transaction")
    if connection.vendor == "postgresql":
        resource = _resource_lock_postgresql(resource_id)
    else:
        resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    return resource


@functools.cache
def _lock_sql() -> str:
    """The locking statement, written out once rather than compiled by the ORM for every
    writer (docs/performance.md: compiling it was a booking's largest single CPU cost after
    the token check). Only model metadata is formatted in; every value is a parameter.

    ``FOR NO KEY UPDATE OF r``: the resource's row only. Locking the joined unit's row too
    would serialise every resource of the unit; the unit is read (whether it is active:
    bookings.rules asks) but not locked. ``set_config('lock_timeout', …, true)`` is
    ``SET LOCAL`` within the statement itself, one round trip fewer: it is a condition on
    no column, so PostgreSQL evaluates it before the scan and the LockRows step above it
    (tests/bookings/test_concurrency.py shows that the timeout holds).
    """
    return f"""
        SELECT {", ".join(resource_and_unit_columns(connection))}
          FROM {Resource._meta.db_table} r
          JOIN {Unit._meta.db_table} u ON u.id = r.unit_id
         WHERE r.id = %s AND set_config('lock_timeout', %s, true) IS NOT NULL
           FOR NO KEY UPDATE OF r
    """  # noqa: S608 - model metadata and placeholders only


def _resource_lock_postgresql(resource_id: int) -> Resource | None:
    """The resource row, locked, with its unit, as the ORM's own instances."""
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(), [resource_id, lock_timeout()])
        row = cursor.fetchone()
    return None if row is None else resource_and_unit_from_row(row, connection)


def resources_lock_all() -> list[Resource]:
    """Lock every resource row, in pk order, for a write that changes what every resource's
    bookings may be (an alliance-wide closure). Caller must be inside ``transaction.atomic``.

    The same lock and timeout as resource_lock, taken in the order that any other holder of
    several resource locks takes them, so that none waits for another crosswise; a booking
    writer holds one resource lock only.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the resource lock needs an open transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.BOOKING_LOCK_TIMEOUT_MS}ms"])
    return list(
        Resource.objects.select_for_update(no_key=True, of=("self",))
        .select_related("unit")
        .order_by("pk")
    )
