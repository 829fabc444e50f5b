"""The resource row lock: every writer of a resource, its rules or its bookings takes it.

See docs/bookings-concurrency.md. Taken once, late, inside the writer's transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from alliance.errors import NotFound
from resources.models import Resource


def resource_lock(resource_id: int) -> Resource:
    """Lock and return the resource row. Caller must be inside ``transaction.atomic``.

    PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` with a lock timeout, so that writers of one
    resource queue here while inserts that merely reference the resource do not. SQLite has
    no row locks: its IMMEDIATE transactions already hold the database's write lock.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the resource lock needs an open transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.BOOKING_LOCK_TIMEOUT_MS}ms"])
    # Ordered by pk, not by Resource.Meta.ordering: that joins the unit, and FOR NO KEY
    # UPDATE would then lock the unit's row too, serialising every resource of the unit.
    # The unit is read (whether it is active: bookings.rules asks) but not locked.
    resource = (
        Resource.objects.select_for_update(no_key=True, of=("self",))
        .select_related("unit")
        .filter(pk=resource_id)
        .order_by("pk")
        .first()
    )
    if resource is None:
        raise NotFound()
    return resource
