"""The statements of the scheduler's hot path, written out once instead of compiled by the
ORM on every request (docs/performance.md, "Second pass"): the resource with its unit and
allow-list probe, and the SQL of the window's one UNION ALL read
(bookings.selectors.window_calendar_and_blocking_get, which reads its rows).

Only model metadata and placeholders are formatted into the SQL; every value is a
parameter. Instances are the ORM's own: Model.from_db, with the converters the compiler
would apply, so they compare equal to what a queryset returns on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connections

from alliance.models import Unit
from bookings.models import BLOCKING_STATUSES, Booking, CreditAccount, Quota
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource
from resources.qualification_models import Qualification, QualificationStatus
from resources.rows import resource_and_unit_columns, resource_and_unit_from_row


@functools.cache
def window_sql(vendor: str, *, buffer_read: bool = False) -> str:
    """The statement of bookings.selectors.window_calendar_and_blocking_get: four reads as
    one UNION ALL, one row each, told apart by ``kind`` (0 weekly hours, 1 make-up days,
    2 closures, 3 blocking bookings). Columns: kind, n, day, t1, t2, a, b, c, reason.

    The booking read is blocking_overlapping's: on PostgreSQL the exclusion constraint's
    expression ``tstzrange(start, blocked_until) &&`` with the resource id as a bigint, so
    its GiST index answers on both columns (see blocking_spans_between); elsewhere the
    columns' test, bounded by the (resource, blocked_until) index.

    ``buffer_read`` (PostgreSQL only): the booking read's upper bound is the slot's end plus
    the resource's buffer read from its row (one more parameter, the resource id, after the
    end), so that the statement can go out with resource_read's before the resource is
    known (bookings.selectors.booking_window_get). PostgreSQL evaluates the subquery once,
    as an InitPlan, and the GiST index still answers on both columns.
    """
    pg = vendor == "postgresql"
    if buffer_read and not pg:
        raise ValueError("buffer_read is for PostgreSQL's one round trip only")

    def null(kind: str) -> str:
        return f"CAST(NULL AS {kind})" if pg else "NULL"

    ts = "timestamptz"
    hours = OpeningHours._meta.db_table
    makeup = MakeUpWorkingDay._meta.db_table
    closure = Closure._meta.db_table
    booking = Booking._meta.db_table
    statuses = ", ".join(["%s"] * len(BLOCKING_STATUSES))
    upper = "%s"
    if buffer_read:
        table = Resource._meta.db_table
        buffer = f"(SELECT buffer_minutes FROM {table} WHERE id = %s)"  # noqa: S608 - metadata
        upper = f"%s + make_interval(mins => {buffer})"
    overlap = (
        "resource_id = CAST(%s AS bigint) AND tstzrange(start, blocked_until) && "
        f"tstzrange(%s, {upper})"
        if pg
        else "resource_id = %s AND start < %s AND blocked_until > %s"
    )
    # Only model metadata and placeholders are formatted in; every value is a parameter.
    return f"""
        SELECT 0 AS kind, weekday AS n, {null("date")} AS day, start_time AS t1,
               end_time AS t2, {null(ts)} AS a, {null(ts)} AS b, {null(ts)} AS c,
               {null("varchar")} AS reason
          FROM {hours} WHERE resource_id = %s
        UNION ALL
        SELECT 1, opens_as, "date", NULL, NULL, NULL, NULL, NULL, NULL
          FROM {makeup} WHERE "date" >= %s AND "date" <= %s
        UNION ALL
        SELECT 2, CASE WHEN resource_id IS NULL THEN 0 ELSE 1 END, NULL, NULL, NULL,
               start, "end", NULL, reason
          FROM {closure}
         WHERE (resource_id = %s OR resource_id IS NULL) AND start < %s AND "end" > %s
        UNION ALL
        SELECT 3, NULL, NULL, NULL, NULL, start, "end", blocked_until, NULL
          FROM {booking} WHERE status IN ({statuses}) AND {overlap}
    """  # noqa: S608


def _instant(value, connection) -> dt.datetime | None:
    """A timestamp column read raw: aware on PostgreSQL, text on SQLite."""
    if value is None:
        return None
    field = CreditAccount._meta.get_field("suspended_until")
    column = field.get_col(CreditAccount._meta.db_table)
    for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = converter(value, column, connection)
    return value


@functools.cache
def resource_read_sql(vendor: str) -> str:
    """The statement of resource_read (one row, or none for an unknown resource)."""
    columns = resource_and_unit_columns(connections[Resource.objects.db])
    through = Resource.allowed_units.through._meta.db_table
    qualifications = Qualification._meta.db_table
    quotas = Quota._meta.db_table
    accounts = CreditAccount._meta.db_table
    return f"""
        SELECT {", ".join(columns)},
               EXISTS (SELECT 1 FROM {quotas} qt
                        WHERE qt.resource_id = r.id
                           OR (qt.resource_id IS NULL AND qt.kind = r.kind)),
               (SELECT ca.suspended_until FROM {accounts} ca WHERE ca.member_id = %s),
               EXISTS (SELECT 1 FROM {qualifications} q
                        WHERE q.resource_id = r.id AND q.member_id = %s AND q.status = %s
                          AND (q.lapses_at IS NULL OR q.lapses_at > %s)),
               (SELECT a.unit_id FROM {through} a WHERE a.resource_id = r.id
                 ORDER BY CASE WHEN a.unit_id = %s THEN 0 ELSE 1 END, a.unit_id LIMIT 1)
          FROM {Resource._meta.db_table} r
          JOIN {Unit._meta.db_table} u ON u.id = r.unit_id
         WHERE r.id = %s
    """  # noqa: S608 - model metadata and placeholders only; every value is a parameter


def resource_read_params(
    *, resource_id: int, unit_id: int | None, member_id: int | None, now: dt.datetime, connection
) -> list:
    return [
        member_id,
        member_id,
        QualificationStatus.GRANTED,
        connection.ops.adapt_datetimefield_value(now),
        unit_id,
        resource_id,
    ]


def resource_from_row(row, connection) -> Resource | None:
    """resource_read's instance from its statement's row (None for no row)."""
    if row is None:
        return None
    resource = resource_and_unit_from_row(row, connection)
    resource.has_quotas = bool(row[-4])
    resource.member_suspended_until = _instant(row[-3], connection)
    resource.member_qualified = bool(row[-2])
    resource.allow_probe = row[-1]
    return resource


def resource_read(
    *, resource_id: int, unit_id: int | None, member_id: int | None, now: dt.datetime
) -> Resource | None:
    """The resource, its owning unit (whether it is active: bookings.rules asks) and the
    allow-list probe (``allow_probe``, see bookings.selectors.booking_window_get), in one
    statement written out rather than compiled by the ORM on every request
    (docs/performance.md: compiling the queryset with its subquery, ordering and join was
    the largest share of a refusal's CPU time). The instances are the ORM's own
    (Model.from_db, with its converters). ``member_qualified``: whether the member holds a
    valid qualification for it (resources.qualifications.qualification_valid_q, written out
    here the same way: granted and not lapsed at ``now``). Issue 12: ``has_quotas``,
    whether any quota applies to it (bookings.quotas), and ``member_suspended_until``, the
    member's booking suspension (bookings.credit), so that neither costs a query."""
    connection = connections[Resource.objects.db]
    params = resource_read_params(
        resource_id=resource_id,
        unit_id=unit_id,
        member_id=member_id,
        now=now,
        connection=connection,
    )
    with connection.cursor() as cursor:
        cursor.execute(resource_read_sql(connection.vendor), params)
        return resource_from_row(cursor.fetchone(), connection)
