"""The similar-resource search's reads in one round trip (issue 7, docs/performance.md,
"Fourth pass"): the candidates (bookings.similar.similar_resources_get) and everything
bookings.search.resource_search decides on for them (bookings.search.search_reads_get),
written out once instead of compiled by the ORM as seven queries on every refusal.

Two statements: the candidates with their units, then one UNION ALL of their weekly hours,
the make-up days, their closures and the alliance-wide ones, their blocking bookings, their
allow-lists and the member's valid qualifications for those that require one, told apart
by ``kind``. The second names the candidates by the same subquery as the first, so it does
not wait for them: on PostgreSQL both go out in one call (psycopg's client-side binding),
and the booking read takes the widest buffer from the candidates' rows. SQLite, in
process, runs them one after the other and passes the widest buffer in.

Only model metadata and placeholders are formatted into the SQL; every value is a
parameter. tests/bookings/test_similar_reads.py compares the answers with the ORM's.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connections

from alliance.models import Member, Unit
from bookings.models import BLOCKING_STATUSES, Booking
from bookings.search import SearchReads
from bookings.window_reads import BlockingSpan, raw_converters
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource
from resources.qualification_models import Qualification, QualificationStatus
from resources.rows import resource_and_unit_columns, resource_and_unit_from_row
from resources.selectors import OpeningWindow, calendar_days, calendars_from_rows

HOURS, MAKEUP, CLOSURE, BLOCKING, ALLOWED, QUALIFIED = range(6)


def _candidates_where(*, by_class: bool) -> str:
    """The candidates of similar_resources_get, ``r`` being the resource table: the same
    kind, not retired, another resource, and for instruments the same class prefix."""
    where = "r.kind = %s AND r.is_retired = %s AND r.id <> %s"
    if by_class:
        where += " AND SUBSTR(r.classification_code, 1, %s) = %s"
    return f"{where} ORDER BY r.name, r.id LIMIT %s"


@functools.cache
def candidates_sql(vendor: str, *, by_class: bool) -> str:
    """The candidates, each a resource row with its unit's (resources.rows)."""
    columns = resource_and_unit_columns(connections[Resource.objects.db])
    return f"""
        SELECT {", ".join(columns)}
          FROM {Resource._meta.db_table} r JOIN {Unit._meta.db_table} u ON u.id = r.unit_id
         WHERE {_candidates_where(by_class=by_class)}
    """  # noqa: S608 - model metadata and placeholders only


@functools.cache
def reads_sql(vendor: str, *, by_class: bool) -> str:
    """The UNION ALL of everything the search decides on. Columns: kind, resource id, n,
    day, t1, t2, a, b, c, reason. On PostgreSQL the booking read's upper bound is the
    window's end plus the candidates' widest buffer, read from their rows; elsewhere one
    more parameter, the end with that buffer already added."""
    pg = vendor == "postgresql"

    def null(kind: str) -> str:
        return f"CAST(NULL AS {kind})" if pg else "NULL"

    ts = "timestamptz"
    statuses = ", ".join(["%s"] * len(BLOCKING_STATUSES))
    if pg:
        # The exclusion constraint's expression, so that its GiST index answers by time.
        upper = "%s + make_interval(mins => (SELECT COALESCE(MAX(buffer_minutes), 0) FROM c))"
        overlap = f"tstzrange(start, blocked_until) && tstzrange(%s, {upper})"
    else:
        overlap = "blocked_until > %s AND start < %s"
    through = Resource.allowed_units.through._meta.db_table
    return f"""
        WITH c AS (
            SELECT r.id, r.buffer_minutes, r.requires_qualification
              FROM {Resource._meta.db_table} r
             WHERE {_candidates_where(by_class=by_class)}
        )
        SELECT {HOURS} AS kind, resource_id AS rid, weekday AS n, {null("date")} AS day,
               start_time AS t1, end_time AS t2, {null(ts)} AS a, {null(ts)} AS b,
               {null(ts)} AS c, {null("varchar")} AS reason
          FROM {OpeningHours._meta.db_table} WHERE resource_id IN (SELECT id FROM c)
        UNION ALL
        SELECT {MAKEUP}, NULL, opens_as, "date", NULL, NULL, NULL, NULL, NULL, NULL
          FROM {MakeUpWorkingDay._meta.db_table} WHERE "date" >= %s AND "date" <= %s
        UNION ALL
        SELECT {CLOSURE}, resource_id, NULL, NULL, NULL, NULL, start, "end", NULL, reason
          FROM {Closure._meta.db_table}
         WHERE (resource_id IN (SELECT id FROM c) OR resource_id IS NULL)
           AND start < %s AND "end" > %s
        UNION ALL
        SELECT {BLOCKING}, resource_id, NULL, NULL, NULL, NULL, start, "end", blocked_until,
               NULL
          FROM {Booking._meta.db_table}
         WHERE resource_id IN (SELECT id FROM c) AND status IN ({statuses}) AND {overlap}
        UNION ALL
        SELECT {ALLOWED}, resource_id, unit_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
          FROM {through} WHERE resource_id IN (SELECT id FROM c)
        UNION ALL
        SELECT {QUALIFIED}, resource_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
          FROM {Qualification._meta.db_table}
         WHERE resource_id IN (SELECT id FROM c WHERE requires_qualification)
           AND member_id = %s AND status = %s
           AND (lapses_at IS NULL OR lapses_at > %s)
    """  # noqa: S608 - model metadata and placeholders only


def similar_search_read(
    *,
    resource: Resource,
    prefix: str | None,
    limit: int,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> tuple[list[Resource], SearchReads]:
    """The candidates like ``resource`` (``prefix``: the class instruments must share, None
    for labs and venues), by name, at most ``limit``, and the search's reads for them over
    [start, end): what similar_resources_get and search_reads_get answer, in one round trip
    on PostgreSQL, two statements elsewhere."""
    connection = connections[Booking.objects.db]
    ops = connection.ops
    vendor = connection.vendor
    by_class = prefix is not None
    where = [resource.kind, False, resource.pk]
    if by_class:
        where += [len(prefix), prefix]
    where.append(limit)
    first_day, last_day, span = calendar_days(start, end)
    moment = ops.adapt_datetimefield_value

    def reads_params(upper: list) -> list:
        return [
            *where,
            ops.adapt_datefield_value(first_day),
            ops.adapt_datefield_value(last_day),
            moment(span.end),
            moment(span.start),
            *BLOCKING_STATUSES,
            *upper,
            member.pk,
            QualificationStatus.GRANTED,
            moment(now),
        ]

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"{candidates_sql(vendor, by_class=by_class)};\n"
                f"{reads_sql(vendor, by_class=by_class)}",
                where + reads_params([moment(start), moment(end)]),
            )
            candidates = _candidates(cursor.fetchall(), connection)
            cursor.nextset()
            rows = cursor.fetchall()
        else:
            cursor.execute(candidates_sql(vendor, by_class=by_class), where)
            candidates = _candidates(cursor.fetchall(), connection)
            if not candidates:
                return [], SearchReads({}, set(), {}, {})
            widest = max(c.buffer for c in candidates)
            cursor.execute(
                reads_sql(vendor, by_class=by_class),
                reads_params([moment(start), moment(end + widest)]),
            )
            rows = cursor.fetchall()
    return candidates, _reads_parse(rows, connection, candidates, start=start, end=end)


def _candidates(rows, connection) -> list[Resource]:
    units: dict = {}  # candidates of one unit share its instance
    return [resource_and_unit_from_row(row, connection, units) for row in rows]


def _reads_parse(
    rows, connection, candidates: list[Resource], *, start: dt.datetime, end: dt.datetime
) -> SearchReads:
    instant, day, time = raw_converters(connection)
    hours: dict[int, list[OpeningWindow]] = {}
    makeup_days: dict[dt.date, int] = {}
    closures: list[tuple[dt.datetime, int, int | None, dt.datetime, str]] = []
    blocking: dict[int, list[BlockingSpan]] = {}
    allowed: dict[int, set[int]] = {}
    qualified: set[int] = set()
    for kind, rid, n, d, t1, t2, a, b, c, reason in rows:
        if kind == BLOCKING:
            blocking.setdefault(rid, []).append(BlockingSpan(instant(a), instant(b), instant(c)))
        elif kind == HOURS:
            hours.setdefault(rid, []).append(OpeningWindow(n, time(t1), time(t2)))
        elif kind == MAKEUP:
            makeup_days[day(d)] = n
        elif kind == CLOSURE:  # soonest first, alliance-wide first among equals
            closure_start = instant(a)
            closures.append((closure_start, rid is not None, rid, instant(b), reason))
        elif kind == ALLOWED:
            allowed.setdefault(rid, set()).add(n)
        else:
            qualified.add(rid)
    for windows in hours.values():
        windows.sort()
    for spans in blocking.values():
        spans.sort()
    closures.sort(key=lambda row: row[:2])
    calendars = calendars_from_rows(
        resource_ids=[c.pk for c in candidates],
        start=start,
        end=end,
        hours=hours,
        makeup_days=makeup_days,
        closures=[(rid, a, b, reason) for a, _, rid, b, reason in closures],
    )
    return SearchReads(allowed, qualified, calendars, blocking)
