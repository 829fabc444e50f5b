"""The scheduler's one read of a resource and its window (docs/performance.md): the
resource row with what its rules need to know about the member (bookings.hot_sql.
resource_read), then its weekly hours, make-up days, closures and blocking bookings around
a slot as one UNION ALL (bookings.hot_sql.window_sql), parsed into the calendar and the
blocking spans that bookings.selectors decides on.

On PostgreSQL both statements go out in one round trip (psycopg's client-side binding takes
two statements in one call); elsewhere they are two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from django.db import connections

from alliance.models import Member
from bookings.hot_sql import (
    resource_from_row,
    resource_read,
    resource_read_params,
    resource_read_sql,
    window_sql,
)
from bookings.models import BLOCKING_STATUSES, Booking
from resources.intervals import Interval
from resources.models import Resource
from resources.selectors import (
    ClosureWindow,
    OpeningWindow,
    ResourceCalendar,
    calendar_days,
    opening_intervals,
)


class BlockingSpan(NamedTuple):
    """A blocking booking as the scheduler reads it: [start, end) and the end of its
    buffer."""

    start: dt.datetime
    end: dt.datetime
    blocked_until: dt.datetime


def window_calendar_and_blocking_get(
    *, resource: Resource, start: dt.datetime, end: dt.datetime
) -> tuple[ResourceCalendar, list[BlockingSpan]]:
    """The calendar of ``resource`` around [start, end) and its blocking bookings that a
    new booking inside [start, end) could meet, in ONE statement (bookings.hot_sql.window_sql).

    The same answers as resource_calendar_get and blocking_spans_between over [start, end)
    (tests/bookings/test_fast_paths.py compares them), without the ORM: the statement is
    written once for the scheduler's hot path, where each query's round trip and
    compilation were most of a refusal's cost (docs/performance.md).
    """
    connection = connections[Booking.objects.db]
    params = _window_params(
        connection, resource_id=resource.pk, start=start, end=end, buffer=resource.buffer
    )
    with connection.cursor() as cursor:
        cursor.execute(window_sql(connection.vendor), params)
        rows = cursor.fetchall()
    return _window_parse(rows, connection, start=start, end=end)


def _window_params(
    connection,
    *,
    resource_id: int,
    start: dt.datetime,
    end: dt.datetime,
    buffer: dt.timedelta | None,
) -> list:
    """window_sql's parameters; ``buffer=None`` for its ``buffer_read`` variant, which
    reads the resource's buffer from its row (PostgreSQL)."""
    ops = connection.ops
    first_day, last_day, span = calendar_days(start, end)
    moment = ops.adapt_datetimefield_value
    if connection.vendor != "postgresql":
        overlap = [resource_id, moment(end + buffer), moment(start)]
    elif buffer is None:
        overlap = [resource_id, moment(start), moment(end), resource_id]
    else:
        overlap = [resource_id, moment(start), moment(end + buffer)]
    return [
        resource_id,
        ops.adapt_datefield_value(first_day),
        ops.adapt_datefield_value(last_day),
        resource_id,
        moment(span.end),
        moment(span.start),
        *BLOCKING_STATUSES,
        *overlap,
    ]


def raw_converters(connection) -> tuple[Callable, Callable, Callable]:
    """Readers of an instant, a date and a time column as a statement written out by hand
    answers them: as they come on PostgreSQL; on SQLite, which answers text, through the
    ORM's own converters."""
    if connection.vendor == "postgresql":

        def same(value):
            return value

        return same, same, same
    ops = connection.ops

    def instant(value):
        return ops.convert_datetimefield_value(value, None, connection)

    def day(value):
        return ops.convert_datefield_value(value, None, connection)

    def time(value):
        return ops.convert_timefield_value(value, None, connection)

    return instant, day, time


def _window_parse(
    rows, connection, *, start: dt.datetime, end: dt.datetime
) -> tuple[ResourceCalendar, list[BlockingSpan]]:
    """The calendar and the blocking bookings from window_sql's rows."""
    first_day, last_day, span = calendar_days(start, end)
    instant, day, time = raw_converters(connection)
    hours: list[OpeningWindow] = []
    makeup_days: dict[dt.date, int] = {}
    closures: list[tuple[dt.datetime, int, ClosureWindow]] = []
    blocking: list[BlockingSpan] = []
    for kind, n, d, t1, t2, a, b, c, reason in rows:
        if kind == 3:
            blocking.append(BlockingSpan(instant(a), instant(b), instant(c)))
        elif kind == 0:
            hours.append(OpeningWindow(n, time(t1), time(t2)))
        elif kind == 1:
            makeup_days[day(d)] = n
        else:  # Alliance-wide first among closures that start together, as before.
            start_at = instant(a)
            closures.append((start_at, n, ClosureWindow(start_at, instant(b), reason)))
    hours.sort()
    closures.sort(key=lambda row: row[:2])
    blocking.sort()
    calendar = ResourceCalendar(
        span=span,
        opening=opening_intervals(
            hours=hours, first_day=first_day, last_day=last_day, makeup_days=makeup_days
        ),
        closures=[row[2] for row in closures],
    )
    return calendar, blocking


def resource_and_window_read(
    *, resource_id: int, member: Member, span: Interval, now: dt.datetime
) -> tuple[Resource | None, ResourceCalendar | None, list[BlockingSpan]]:
    """resource_read and window_calendar_and_blocking_get over ``span``, in one round trip
    where the database takes two statements in one call (PostgreSQL: psycopg's client-side
    binding sends them together, and the window's booking read takes the resource's buffer
    from its row); two round trips elsewhere."""
    connection = connections[Booking.objects.db]
    if connection.vendor != "postgresql":
        resource = resource_read(
            resource_id=resource_id, unit_id=member.unit_id, member_id=member.pk, now=now
        )
        if resource is None:
            return None, None, []
        calendar, blocking = window_calendar_and_blocking_get(
            resource=resource, start=span.start, end=span.end
        )
        return resource, calendar, blocking
    params = resource_read_params(
        resource_id=resource_id,
        unit_id=member.unit_id,
        member_id=member.pk,
        now=now,
        connection=connection,
    )
    params += _window_params(
        connection,
        resource_id=resource_id,
        start=span.start,
        end=span.end,
        buffer=None,
    )
    sql = f"{resource_read_sql(connection.vendor)};\n{window_sql('postgresql', buffer_read=True)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        cursor.nextset()
        rows = cursor.fetchall()
    resource = resource_from_row(row, connection)
    if resource is None:
        return None, None, []
    calendar, blocking = _window_parse(rows, connection, start=span.start, end=span.end)
    return resource, calendar, blocking
