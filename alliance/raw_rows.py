"""Model instances from rows of a statement written out by hand, as the ORM builds them.

The hot paths (bookings.hot_sql, resources.locking) write a few statements out once
instead of having the ORM compile them on every request (docs/performance.md). Their rows
become the ORM's own instances here: Model.from_db, with the converters the compiler would
apply to each column (SQLite answers text for instants and times), so they compare equal to
what a queryset returns on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Field, Model
from django.db.models.expressions import Col

_CONVERTERS: dict = {}


def field_converters(model: type[Model], connection) -> list[tuple[Field, Col, list]]:
    """Each concrete field of ``model`` with its column and the converters the ORM's
    compiler would apply to it on ``connection``; computed once per model and connection
    (a similar-resource search builds a few dozen instances per request)."""
    key = (model, connection.alias)
    if key not in _CONVERTERS:
        out = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            )
            out.append((field, column, converters))
        _CONVERTERS[key] = out
    return _CONVERTERS[key]


def instance_from_row(model: type[Model], row: Sequence, connection) -> Model:
    """A ``model`` instance from its concrete columns' raw values, in field order."""
    names, values = [], []
    for (field, column, converters), value in zip(
        field_converters(model, connection), row, strict=True
    ):
        for converter in converters:
            value = converter(value, column, connection)
        names.append(field.attname)
        values.append(value)
    return model.from_db(connection.alias, names, values)
