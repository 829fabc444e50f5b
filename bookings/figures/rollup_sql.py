"""The rollup's statements that depend on the vendor (bookings.figures.rollup).

- :func:`json_rows`: a FROM item that reads rows out of ONE JSON parameter, so that a
  refresh or a mark writes any number of rows in one statement (a fixed number of queries,
  and no limit on SQLite's bound parameters): ``jsonb_to_recordset`` on PostgreSQL,
  ``json_each`` on SQLite.
- :func:`rebuild_statements`: the whole rollup from the raw rows, set-based, PostgreSQL
  only (``generate_series`` over each interval's local clock hours, as figures_sql does for
  the raw heat map); other vendors rebuild by marking every day and refreshing.
"""

from __future__ import annotations

from django.db import connection

from alliance.models import Member
from bookings.models import BOOKED_STATUSES, Booking, BookingEvent, BookingStatus
from bookings.rollup_models import (
    HOURS,
    FiguresDay,
    FiguresDecision,
    FiguresDirty,
    FiguresHours,
    FiguresUnitDay,
)
from bookings.usage_models import UsageSession
from resources.models import Resource

PG_TYPES = {"int": "bigint", "date": "date", "instant": "timestamptz"}


def json_rows(columns: list[tuple[str, str]]) -> str:
    """``… AS j`` with the named columns (types: int, date, instant) of the JSON array of
    objects passed as the statement's parameter at this place."""
    if connection.vendor == "postgresql":
        typed = ", ".join(f'"{name}" {PG_TYPES[kind]}' for name, kind in columns)
        return f"jsonb_to_recordset(%s::jsonb) AS j({typed})"
    picked = ", ".join(f"json_extract(value, '$.{name}') AS \"{name}\"" for name, _ in columns)
    return f"(SELECT {picked} FROM json_each(%s)) AS j"  # noqa: S608 - column names only


def json_value(value):
    """A value as the JSON rows carry it: instants as the backend stores them."""
    if hasattr(value, "tzinfo"):
        adapted = connection.ops.adapt_datetimefield_value(value)
        return adapted if isinstance(adapted, str) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def mark_sql(when: str = "true") -> str:
    """The markers' upsert (one JSON parameter); ``when``: an SQL condition, for use as a
    common table expression of a bigger statement (bookings.services._insert_if_free)."""
    table = FiguresDirty._meta.db_table
    source = json_rows(
        [("resource_id", "int"), ("date", "date"), ("s", "instant"), ("e", "instant")]
    )
    # Sorted rows (the caller sorts): two writers lock shared markers in the same order.
    return f"""
        INSERT INTO {table} (resource_id, "date", starts_at, ends_at, version)
        SELECT j.resource_id, j."date", j.s, j.e, 1 FROM {source} WHERE {when}
        ON CONFLICT (resource_id, "date") DO UPDATE SET version = {table}.version + 1
    """  # noqa: S608 - model metadata only; every value is a parameter


def delete_days_sql(model) -> str:
    source = json_rows([("resource_id", "int"), ("date", "date")])
    return f"""
        DELETE FROM {model._meta.db_table}
         WHERE (resource_id, "date") IN (SELECT j.resource_id, j."date" FROM {source})
    """  # noqa: S608 - model metadata only; every value is a parameter


def markers_delete_sql(key: tuple[str, ...]) -> str:
    """Deletes the markers the refresher counted: those whose ``key`` columns match (the
    resource, the date and the version it read; see rollup.MARKER_KEY)."""
    source = json_rows([("resource_id", "int"), ("date", "date"), ("version", "int")])
    columns = ", ".join(f'"{c}"' for c in key)
    picked = ", ".join(f'j."{c}"' for c in key)
    return f"""
        DELETE FROM {FiguresDirty._meta.db_table}
         WHERE ({columns}) IN (SELECT {picked} FROM {source})
    """  # noqa: S608 - model metadata only; every value is a parameter


DAY_COLUMNS = [
    "resource_id",
    "date",
    "booked",
    "used",
    "effective",
    "external",
    "no_shows",
    "late_cancellations",
]
HOUR_COLUMNS = [f"{kind}_h{h:02d}" for kind in ("booked", "used") for h in HOURS]
DECISION_COLUMNS = ["resource_id", "date", "waited"]

UNIT_DAY_COLUMNS = [
    "resource_id",
    "date",
    "unit_id",
    "booked",
    "effective",
    "sessions",
    "settled",
    "no_shows",
]


def insert_sql(model, columns: list[str]) -> str:
    typed = [(c, "date" if c == "date" else "int") for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    picked = ", ".join(f'j."{c}"' for c in columns)
    return f"""
        INSERT INTO {model._meta.db_table} ({names}) SELECT {picked} FROM {json_rows(typed)}
    """  # noqa: S608 - model metadata only; every value is a parameter


# --- The refresher's reads -----------------------------------------------------------------


def raw_rows_sql() -> dict[str, str]:
    """The raw rows of the marked days (one JSON parameter: resource_id, date, s, e), each
    row once per marked day it touches, led by the day (resource, date, s, e):

    - bookings: unit, status, cancelled_late, start, end;
    - stopped sessions: the owning unit, the user's unit, flagged, started_at, stopped_at;
    - decisions taken on the day: at, the booking's created_at.

    Driven by the markers (a nested loop per day): on PostgreSQL the bookings that hold
    their slot are found by the exclusion constraint's GiST index (``&&``), the others by
    their start (only their start day counts them); sessions by (resource, stopped_at)."""
    markers = json_rows(
        [("resource_id", "int"), ("date", "date"), ("s", "instant"), ("e", "instant")]
    )
    booking, session = Booking._meta.db_table, UsageSession._meta.db_table
    event = BookingEvent._meta.db_table
    blocking = ", ".join(f"'{s}'" for s in BOOKED_STATUSES)
    columns = 'b.unit_id, b.status, b.cancelled_late, b.start, b."end"'
    if connection.vendor == "postgresql":
        bookings = f"""
            SELECT j.resource_id, j."date", j.s, j.e, {columns} FROM {markers}
            CROSS JOIN LATERAL (
                SELECT {columns} FROM {booking} b
                 WHERE b.resource_id = j.resource_id AND b.status IN ({blocking})
                   AND tstzrange(b.start, b.blocked_until) && tstzrange(j.s, j.e)
                UNION ALL
                SELECT {columns} FROM {booking} b
                 WHERE b.resource_id = j.resource_id AND b.status NOT IN ({blocking})
                   AND b.start >= j.s AND b.start < j.e
            ) AS b
        """  # noqa: S608 - model metadata and constants only
    else:
        bookings = f"""
            SELECT j.resource_id, j."date", j.s, j.e, {columns} FROM {markers}
              JOIN {booking} b ON b.resource_id = j.resource_id
               AND b.blocked_until > j.s AND b.start < j.e
        """  # noqa: S608 - model metadata and constants only
    decisions = ", ".join(
        f"'{a}'" for a in (BookingEvent.Action.APPROVED, BookingEvent.Action.REJECTED)
    )
    member, resource = Member._meta.db_table, Resource._meta.db_table
    if connection.vendor == "postgresql":
        # LATERAL … OFFSET 0: a subquery the planner may not flatten, so that it runs once
        # per marked day through the indexes whatever the (unknown) number of markers.
        sessions = f"""
            SELECT j.resource_id, j."date", j.s, j.e, r.unit_id, x.user_unit, x.flagged,
                   x.started_at, x.stopped_at
              FROM {markers}
              JOIN {resource} r ON r.id = j.resource_id
             CROSS JOIN LATERAL (
                SELECT COALESCE(bk.unit_id, m.unit_id) AS user_unit, x.flagged, x.started_at,
                       x.stopped_at
                  FROM {session} x
                  JOIN {member} m ON m.id = x.member_id
                  LEFT JOIN {booking} bk ON bk.id = x.booking_id
                 WHERE x.resource_id = j.resource_id AND x.stopped_at > j.s
                   AND x.started_at < j.e
                OFFSET 0
            ) AS x
        """  # noqa: S608 - model metadata only
        decided = f"""
            SELECT j.resource_id, j."date", j.s, j.e, v.at, v.created_at FROM {markers}
             CROSS JOIN LATERAL (
                SELECT v.at, b.created_at FROM {event} v
                  JOIN {booking} b ON b.id = v.booking_id
                 WHERE v.action IN ({decisions}) AND v.at >= j.s AND v.at < j.e
                   AND b.resource_id = j.resource_id
                OFFSET 0
            ) AS v
        """  # noqa: S608 - model metadata and constants only
        return {"bookings": bookings, "sessions": sessions, "decisions": decided}
    sessions = f"""
        SELECT j.resource_id, j."date", j.s, j.e, r.unit_id, COALESCE(bk.unit_id, m.unit_id),
               x.flagged, x.started_at, x.stopped_at
          FROM {markers}
          JOIN {resource} r ON r.id = j.resource_id
          JOIN {session} x ON x.resource_id = j.resource_id
           AND x.stopped_at > j.s AND x.started_at < j.e
          JOIN {member} m ON m.id = x.member_id
          LEFT JOIN {booking} bk ON bk.id = x.booking_id
    """  # noqa: S608 - model metadata only
    decided = f"""
        SELECT j.resource_id, j."date", j.s, j.e, v.at, b.created_at
          FROM {markers}
          JOIN {event} v ON v.action IN ({decisions}) AND v.at >= j.s AND v.at < j.e
          JOIN {booking} b ON b.id = v.booking_id AND b.resource_id = j.resource_id
    """  # noqa: S608 - model metadata and constants only
    return {"bookings": bookings, "sessions": sessions, "decisions": decided}


# --- The set-based rebuild (PostgreSQL) -----------------------------------------------------

PIECES = """
WITH b AS (
    SELECT b.resource_id, b.unit_id, b.status, b.cancelled_late,
           b.start AT TIME ZONE %(zone)s AS s, b."end" AT TIME ZONE %(zone)s AS e
      FROM {booking} b
), u AS (
    SELECT x.resource_id, COALESCE(bk.unit_id, m.unit_id) AS unit_id, x.flagged,
           r.unit_id AS owner_id,
           x.started_at AT TIME ZONE %(zone)s AS s, x.stopped_at AT TIME ZONE %(zone)s AS e
      FROM {session} x
      JOIN {resource} r ON r.id = x.resource_id
      JOIN {member} m ON m.id = x.member_id
      LEFT JOIN {booking} bk ON bk.id = x.booking_id
     WHERE x.stopped_at IS NOT NULL
), pieces AS (
    SELECT b.resource_id, b.unit_id, h,
           (EXTRACT(EPOCH FROM LEAST(b.e, h + interval '1 hour') - GREATEST(b.s, h))
            * 1000000)::bigint AS us,
           0::bigint AS used, 0::bigint AS eff, 0::bigint AS ext, 0 AS sessions
      FROM b CROSS JOIN LATERAL generate_series(
          date_trunc('hour', b.s), b.e - interval '1 microsecond', interval '1 hour') AS h
     WHERE b.status = ANY(%(blocking)s)
    UNION ALL
    SELECT u.resource_id, u.unit_id, h, 0::bigint,
           p.us, CASE WHEN NOT u.flagged THEN p.us ELSE 0 END,
           CASE WHEN NOT u.flagged AND u.unit_id <> u.owner_id THEN p.us ELSE 0 END,
           CASE WHEN NOT u.flagged AND h = GREATEST(date_trunc('hour', u.s), date_trunc('day', h))
                THEN 1 ELSE 0 END
      FROM u CROSS JOIN LATERAL generate_series(
          date_trunc('hour', u.s), u.e - interval '1 microsecond', interval '1 hour') AS h
      CROSS JOIN LATERAL (
          SELECT (EXTRACT(EPOCH FROM LEAST(u.e, h + interval '1 hour') - GREATEST(u.s, h))
                  * 1000000)::bigint AS us) p
), counts AS (
    SELECT resource_id, unit_id, (s)::date AS d,
           (status = %(completed)s OR status = %(no_show)s)::int AS settled,
           (status = %(no_show)s)::int AS no_show,
           (status = %(cancelled)s AND cancelled_late)::int AS late
      FROM b
     WHERE status IN (%(completed)s, %(no_show)s, %(cancelled)s)
)
"""


def rebuild_statements() -> list[tuple[str, dict]]:
    """INSERT … SELECT of the rollup's tables from the raw rows (they must be empty): the
    intervals cut into local hours once, into a temporary table, then summed per table."""
    from django.conf import settings

    names = {
        "booking": Booking._meta.db_table,
        "session": UsageSession._meta.db_table,
        "resource": Resource._meta.db_table,
        "member": Member._meta.db_table,
    }
    params = {
        "zone": settings.TIME_ZONE,
        "blocking": [str(s) for s in BOOKED_STATUSES],
        "completed": str(BookingStatus.COMPLETED),
        "no_show": str(BookingStatus.NO_SHOW),
        "cancelled": str(BookingStatus.CANCELLED),
    }
    pieces = PIECES.format(**names)
    hour_sums = ", ".join(
        f"COALESCE(SUM({col}) FILTER (WHERE EXTRACT(HOUR FROM h) = {h}), 0)"
        for col in ("us", "used")
        for h in HOURS
    )
    quoted = {
        model: ", ".join(f'"{c}"' for c in columns)
        for model, columns in (
            (FiguresDay, DAY_COLUMNS),
            (FiguresHours, ["resource_id", "date", *HOUR_COLUMNS]),
            (FiguresUnitDay, UNIT_DAY_COLUMNS),
            (FiguresDecision, DECISION_COLUMNS),
        )
    }
    decisions = ", ".join(
        f"'{a}'" for a in (BookingEvent.Action.APPROVED, BookingEvent.Action.REJECTED)
    )
    statements = [
        "DROP TABLE IF EXISTS figures_pieces, figures_counts",
        f"""CREATE TEMPORARY TABLE figures_pieces ON COMMIT DROP AS {pieces}
            SELECT resource_id, unit_id, h, us, used, eff, ext, sessions FROM pieces""",  # noqa: S608 - model metadata and constants only
        f"""CREATE TEMPORARY TABLE figures_counts ON COMMIT DROP AS {pieces}
            SELECT * FROM counts""",  # noqa: S608 - model metadata and constants only
        f"""INSERT INTO {FiguresDay._meta.db_table} ({quoted[FiguresDay]})
            SELECT resource_id, d, SUM(booked), SUM(used), SUM(eff), SUM(ext), SUM(no_show),
                   SUM(late)
              FROM (SELECT resource_id, h::date AS d, us AS booked, used, eff, ext,
                           0 AS no_show, 0 AS late FROM figures_pieces
                    UNION ALL
                    SELECT resource_id, d, 0, 0, 0, 0, no_show, late FROM figures_counts
                     WHERE no_show = 1 OR late = 1) AS x
             GROUP BY resource_id, d""",  # noqa: S608 - model metadata and constants only
        f"""INSERT INTO {FiguresHours._meta.db_table} ({quoted[FiguresHours]})
            SELECT resource_id, h::date, {hour_sums} FROM figures_pieces
             GROUP BY resource_id, h::date""",  # noqa: S608 - model metadata and constants only
        f"""INSERT INTO {FiguresUnitDay._meta.db_table} ({quoted[FiguresUnitDay]})
            SELECT resource_id, d, unit_id, SUM(booked), SUM(eff), SUM(sessions), SUM(settled),
                   SUM(no_show)
              FROM (SELECT resource_id, h::date AS d, unit_id, us AS booked, eff, sessions,
                           0 AS settled, 0 AS no_show FROM figures_pieces
                    UNION ALL
                    SELECT resource_id, d, unit_id, 0, 0, 0, settled, no_show
                      FROM figures_counts WHERE settled = 1) AS x
             GROUP BY resource_id, d, unit_id
            HAVING SUM(booked) <> 0 OR SUM(eff) <> 0 OR SUM(sessions) <> 0
                OR SUM(settled) <> 0""",  # noqa: S608 - model metadata and constants only
        f"""INSERT INTO {FiguresDecision._meta.db_table} ({quoted[FiguresDecision]})
            SELECT b.resource_id, (v.at AT TIME ZONE %(zone)s)::date,
                   (EXTRACT(EPOCH FROM v.at - b.created_at) * 1000000)::bigint
              FROM {BookingEvent._meta.db_table} v
              JOIN {names["booking"]} b ON b.id = v.booking_id
             WHERE v.action IN ({decisions})""",  # noqa: S608 - model metadata and constants only
    ]
    return [(sql, params) for sql in statements]  # model metadata and constants only
