"""What the ORM cannot say: cutting intervals into local clock hours, per vendor (the heat
map's running sessions, and the raw definition the tests check the rollup against), and
nearest-rank percentiles in one statement on PostgreSQL.

:func:`hours_by_weekday_hour` takes a queryset of rows (``s``, ``e``): aware instants,
already clipped to the period, and returns {(weekday, hour): hours} in the alliance's zone.

- PostgreSQL: ``generate_series`` over the local hours each interval touches
  (``AT TIME ZONE`` the alliance's zone, so right for any zone).
- SQLite (development and tests): a recursive CTE over local wall-clock strings, shifted by
  the zone's offset at the period's start. Asia/Shanghai keeps one offset all year (no
  daylight saving since 1991), so this is exact there; a zone with daylight saving would
  need the PostgreSQL path.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from bookings.figures.period import Period
from resources.selectors import alliance_zone

POSTGRES = """
WITH spans AS ({inner}),
local_spans AS (
    SELECT s AT TIME ZONE %s AS s, e AT TIME ZONE %s AS e FROM spans WHERE e > s
)
SELECT EXTRACT(ISODOW FROM h)::int - 1 AS weekday,
       EXTRACT(HOUR FROM h)::int AS hour,
       SUM(EXTRACT(EPOCH FROM LEAST(e, h + interval '1 hour') - GREATEST(s, h))) / 3600.0
FROM local_spans
CROSS JOIN LATERAL generate_series(
    date_trunc('hour', s), e - interval '1 microsecond', interval '1 hour'
) AS h
GROUP BY 1, 2
"""

SQLITE = """
WITH RECURSIVE spans AS ({inner}),
local_spans(s, e) AS (
    SELECT strftime('%%Y-%%m-%%d %%H:%%M:%%f', s, %s), strftime('%%Y-%%m-%%d %%H:%%M:%%f', e, %s)
    FROM spans WHERE e > s
),
pieces(s, e, h) AS (
    SELECT s, e, strftime('%%Y-%%m-%%d %%H:00:00.000', s) FROM local_spans
    UNION ALL
    SELECT s, e, strftime('%%Y-%%m-%%d %%H:%%M:%%f', h, '+1 hour') FROM pieces
    WHERE strftime('%%Y-%%m-%%d %%H:%%M:%%f', h, '+1 hour') < e
)
SELECT (CAST(strftime('%%w', h) AS INTEGER) + 6) %% 7 AS weekday,
       CAST(strftime('%%H', h) AS INTEGER) AS hour,
       SUM((julianday(MIN(e, strftime('%%Y-%%m-%%d %%H:%%M:%%f', h, '+1 hour')))
            - julianday(MAX(s, h))) * 24.0)
FROM pieces
GROUP BY 1, 2
"""


def hours_by_weekday_hour(spans: QuerySet, *, period: Period) -> dict[tuple[int, int], float]:
    inner, params = spans.query.sql_with_params()
    if connection.vendor == "postgresql":
        zone = str(alliance_zone())
        sql, params = POSTGRES.format(inner=inner), (*params, zone, zone)
    else:
        offset = period.start.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        shift = f"{minutes:+d} minutes"
        sql, params = SQLITE.format(inner=inner), (*params, shift, shift)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(int(day), int(hour)): float(h or 0) for day, hour, h in cursor.fetchall()}


PERCENTILES = """
SELECT COUNT(*), {picks} FROM ({inner}) AS d
"""


def nearest_rank_percentiles(rows: QuerySet, *, column: str, fractions: tuple[float, ...]) -> tuple:
    """PostgreSQL: (count, value at each fraction) of ``column`` by the nearest-rank method,
    in one statement: ``percentile_disc(p)`` is the first value (in order) whose position
    is at least p × n, the smallest value with at least p of the values at or below it."""
    inner, params = rows.query.sql_with_params()
    picks = ", ".join(
        f"percentile_disc({float(p)}) WITHIN GROUP (ORDER BY d.{column})" for p in fractions
    )
    with connection.cursor() as cursor:
        cursor.execute(PERCENTILES.format(picks=picks, inner=inner), params)
        return cursor.fetchone()
