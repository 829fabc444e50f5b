"""The resource with its unit as one row of a statement written out by hand: the columns to
select and the ORM's instances from them. The scheduler's read (bookings.hot_sql) and the
resource lock (resources.locking) both select them, with the resource as ``r`` and its unit
as ``u``."""

from __future__ import annotations

from collections.abc import Sequence

from alliance.models import Unit
from alliance.raw_rows import instance_from_row
from resources.models import Resource


def resource_and_unit_columns(connection) -> list[str]:
    """``r.…`` for every concrete column of the resource, then ``u.…`` for its unit's."""
    quote = connection.ops.quote_name
    columns = [f"r.{quote(f.column)}" for f in Resource._meta.concrete_fields]
    return columns + [f"u.{quote(f.column)}" for f in Unit._meta.concrete_fields]


def resource_and_unit_from_row(
    row: Sequence, connection, units: dict[int, Unit] | None = None
) -> Resource:
    """The resource, its unit cached on it, from the first columns of ``row`` (in the order
    of resource_and_unit_columns); columns after them are the caller's. ``units``: the
    units already built from earlier rows of the same answer, by id, shared rather than
    built again (rows of many resources)."""
    width = len(Resource._meta.concrete_fields)
    unit_end = width + len(Unit._meta.concrete_fields)
    resource = instance_from_row(Resource, row[:width], connection)
    unit = None if units is None else units.get(resource.unit_id)
    if unit is None:
        unit = instance_from_row(Unit, row[width:unit_end], connection)
        if units is not None:
            units[unit.pk] = unit
    Resource.unit.field.set_cached_value(resource, unit)
    return resource
