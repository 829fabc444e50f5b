"""The resource row lock: every writer of a resource, its rules or its bookings takes it.

See docs/bookings-concurrency.md. Taken once, late, inside the writer's transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from alliance.errors import NotFound
from resources.models import Resource


def lock_timeout() -> str:
    return f"{settings.BOOKING_LOCK_TIMEOUT_MS}ms"


def resource_lock(resource_id: int) -> Resource:
    """Lock and return the resource row. Caller must be inside ``transaction.atomic``.

    PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` with a lock timeout, so that writers of one
    resource queue here while inserts that merely reference the resource do not. SQLite has
    no row locks: its IMMEDIATE transactions already hold the database's write lock.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the resource lock needs an open transaction")
    queryset = Resource.objects.select_for_update(no_key=True, of=("self",))
    if connection.vendor == "postgresql":
        # ``SET LOCAL lock_timeout`` within the locking statement itself, one round trip
        # fewer: the filter runs in the scan, before the LockRows step above it asks for
        # the row lock (tests/bookings/test_concurrency.py shows that the timeout holds).
        timeout = RawSQL(
            "set_config('lock_timeout', %s, true)", [lock_timeout()], output_field=CharField()
        )
        queryset = queryset.alias(lock_timeout_set=timeout).filter(lock_timeout_set__isnull=False)
    # Ordered by pk, not by Resource.Meta.ordering: that joins the unit, and FOR NO KEY
    # UPDATE would then lock the unit's row too, serialising every resource of the unit.
    # The unit is read (whether it is active: bookings.rules asks) but not locked.
    resource = queryset.select_related("unit").filter(pk=resource_id).order_by("pk").first()
    if resource is None:
        raise NotFound()
    return resource


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
