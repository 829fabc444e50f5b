"""Keeping the figures' rollup (bookings.rollup_models) equal to the raw rows.

docs/figures.md "The rollup" and docs/decisions/0016-figures-rollup.md say why it works:

1. **Mark.** Whatever writes a booking or a session upserts a marker (resource, local day)
   for every day the row touched, before and after the change, in the same transaction
   (:func:`figures_days_mark`); the upsert raises the marker's ``version``. Model saves and
   deletes mark through signals (:func:`connect`); the two writers that bypass
   ``Model.save`` (booking creation's one-statement insert on PostgreSQL and a series'
   bulk insert) call it themselves.
2. **Refresh.** :func:`figures_rollup_refresh` reads the markers, recounts those days from
   the raw rows, replaces their rollup rows, and deletes each marker only if its version is
   still the one it read: a change committed meanwhile has raised it, so its marker stays
   and the next refresh counts it. Refreshers take turns (an advisory lock on PostgreSQL;
   SQLite has one writer anyway). Every figures selector refreshes first; so does the
   jobs loop.
3. **Rebuild.** :func:`figures_rollup_rebuild` recounts everything: set-based on PostgreSQL,
   by marking every day on other databases.

A fixed number of queries per refresh whatever the number of days (the rows travel as one
JSON parameter).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_init, post_save

from bookings.figures import rollup_sql
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
from resources.selectors import alliance_zone, local_midnight

#: The columns a counted marker must still match to be deleted. The version is what keeps a
#: change committed during a refresh (tests/bookings/test_figures_rollup_concurrency.py
#: shows that matching on the day alone loses it).
MARKER_KEY = ("resource_id", "date", "version")
#: An arbitrary constant: the advisory lock refreshers take turns with (PostgreSQL).
REFRESH_LOCK = 7_411_016
MICROSECOND = dt.timedelta(microseconds=1)
ROLLUP_MODELS = (FiguresDay, FiguresHours, FiguresUnitDay, FiguresDecision)
HOUR = dt.timedelta(hours=1)
SETTLED = (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
DECISIONS = (BookingEvent.Action.APPROVED, BookingEvent.Action.REJECTED)


def _us(span: dt.timedelta) -> int:
    return span // MICROSECOND


def local_days(start: dt.datetime, end: dt.datetime | None) -> list[dt.date]:
    """The local days [start, end) touches (a running session: the day it started)."""
    zone = alliance_zone()
    first = start.astimezone(zone).date()
    last = first if end is None or end <= start else (end - MICROSECOND).astimezone(zone).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


# --- 1. Mark --------------------------------------------------------------------------------


def marks_json(spans: Iterable[tuple[int, dt.datetime, dt.datetime | None]]) -> str | None:
    """The markers of every local day each (resource id, start, end) touches, sorted (two
    writers lock shared markers in the same order), as rollup_sql.mark_sql's parameter."""
    keys = sorted({(r, day) for r, start, end in spans for day in local_days(start, end)})
    if not keys:
        return None
    return json.dumps(
        [
            {
                "resource_id": r,
                "date": day.isoformat(),
                "s": rollup_sql.json_value(local_midnight(day)),
                "e": rollup_sql.json_value(local_midnight(day + dt.timedelta(days=1))),
            }
            for r, day in keys
        ]
    )


def figures_days_mark(*, spans: Iterable[tuple[int, dt.datetime, dt.datetime | None]]) -> None:
    """Marks every local day each (resource id, start, end) touches: one statement. Call it
    in the transaction that changes what the figures count."""
    rows = marks_json(spans)
    if rows is not None:
        with connection.cursor() as cursor:
            cursor.execute(rollup_sql.mark_sql(), [rows])


BOOKING_COUNTED = {"resource", "resource_id", "unit", "unit_id", "start", "end", "status"}
BOOKING_COUNTED |= {"cancelled_late"}
SESSION_COUNTED = {"resource", "resource_id", "member", "member_id", "booking", "booking_id"}
SESSION_COUNTED |= {"started_at", "stopped_at", "flagged"}


def _booking_span(b: Booking) -> tuple:
    return (b.resource_id, b.start, b.end)


def _session_span(s: UsageSession) -> tuple:
    return (s.resource_id, s.started_at, s.stopped_at)


SPANS = {Booking: (_booking_span, BOOKING_COUNTED), UsageSession: (_session_span, SESSION_COUNTED)}


def _remember(sender, instance, **kwargs) -> None:
    """post_init: the span a loaded row counted on, so that a move marks its old days."""
    span_of, _ = SPANS[sender]
    instance._figures_span = span_of(instance) if instance.pk else None


def _saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs) -> None:
    span_of, counted = SPANS[sender]
    if update_fields is not None and not counted & set(update_fields):
        return
    spans = [span_of(instance)]
    before = getattr(instance, "_figures_span", None)
    if before and before != spans[0]:
        spans.append(before)
    figures_days_mark(spans=[s for s in spans if s[0] is not None and s[1] is not None])
    instance._figures_span = spans[0]


def _deleted(sender, instance, **kwargs) -> None:
    span_of, _ = SPANS[sender]
    figures_days_mark(spans=[span_of(instance)])


def _decided(sender, instance, **kwargs) -> None:
    """post_save/post_delete of a history entry: a decision counts on the day it was taken
    (approval turnaround)."""
    if instance.action not in DECISIONS:
        return
    if BookingEvent.booking.is_cached(instance):  # event_record hands the booking over
        resource_ids = [instance.booking.resource_id]
    else:
        resource_ids = Booking.objects.filter(pk=instance.booking_id).values_list(
            "resource_id", flat=True
        )
    figures_days_mark(spans=[(rid, instance.at, None) for rid in resource_ids])


def _member_moved(sender, instance, **kwargs) -> None:
    """A member's walk-up sessions count for the member's unit: a move recounts them."""
    before = getattr(instance, "_figures_unit", None)
    if instance.pk and before is not None and before != instance.unit_id:
        sessions = UsageSession.objects.filter(member_id=instance.pk, booking__isnull=True)
        figures_days_mark(spans=sessions.values_list("resource_id", "started_at", "stopped_at"))
    instance._figures_unit = instance.unit_id


def _resource_moved(sender, instance, **kwargs) -> None:
    """External hours compare with the owning unit: a new owner recounts the resource."""
    before = getattr(instance, "_figures_unit", None)
    if instance.pk and before is not None and before != instance.unit_id:
        sessions = UsageSession.objects.filter(resource_id=instance.pk)
        figures_days_mark(spans=sessions.values_list("resource_id", "started_at", "stopped_at"))
    instance._figures_unit = instance.unit_id


def _remember_unit(sender, instance, **kwargs) -> None:
    instance._figures_unit = instance.unit_id if instance.pk else None


def connect() -> None:
    """Called by the bookings app when it is ready."""
    from alliance.models import Member
    from resources.models import Resource

    for model in (Booking, UsageSession):
        post_init.connect(_remember, sender=model, dispatch_uid=f"figures_init_{model.__name__}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"figures_save_{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"figures_del_{model.__name__}")
    post_save.connect(_decided, sender=BookingEvent, dispatch_uid="figures_decided")
    post_delete.connect(_decided, sender=BookingEvent, dispatch_uid="figures_undecided")
    for model, moved in ((Member, _member_moved), (Resource, _resource_moved)):
        post_init.connect(_remember_unit, sender=model, dispatch_uid=f"figures_unit_{model}")
        post_save.connect(moved, sender=model, dispatch_uid=f"figures_moved_{model}")


# --- 2. Refresh -----------------------------------------------------------------------------


class _Day:
    __slots__ = ("values", "hours", "units", "waits")

    def __init__(self) -> None:
        self.values: dict[str, int] = defaultdict(int)
        self.hours: dict[str, int] = defaultdict(int)
        self.units: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.waits: list[int] = []


def _cut_into_hours(day: _Day, kind: str, start, end, lower) -> None:
    """Adds [start, end) (within the day that begins at ``lower``) to its local hours."""
    for hour in HOURS:
        cell_start = lower + hour * HOUR
        piece = min(end, cell_start + HOUR) - max(start, cell_start)
        if piece > dt.timedelta(0):
            day.hours[f"{kind}_h{hour:02d}"] += _us(piece)


def rows_compute(raw: dict[str, list[tuple]], keys: set) -> dict:
    """The rollup of the marked days ``keys`` from their raw rows (_raw_rows):
    {(resource, day): _Day}."""
    days: dict[tuple, _Day] = {key: _Day() for key in keys}
    for resource_id, date, lower, upper, unit_id, status, late, start, end in raw["bookings"]:
        day = days.get((resource_id, date))
        if day is None:
            continue
        if status in BOOKED_STATUSES and end > lower and start < upper:
            s, e = max(start, lower), min(end, upper)
            day.values["booked"] += _us(e - s)
            day.units[unit_id]["booked"] += _us(e - s)
            _cut_into_hours(day, "booked", s, e, lower)
        if lower <= start < upper:
            if status in SETTLED:
                day.units[unit_id]["settled"] += 1
            if status == BookingStatus.NO_SHOW:
                day.values["no_shows"] += 1
                day.units[unit_id]["no_shows"] += 1
            if status == BookingStatus.CANCELLED and late:
                day.values["late_cancellations"] += 1
    for resource_id, date, lower, upper, owner_id, unit_id, flagged, start, stop in raw["sessions"]:
        day = days.get((resource_id, date))
        if day is None:
            continue
        s, e = max(start, lower), min(stop, upper)
        day.values["used"] += _us(e - s)
        _cut_into_hours(day, "used", s, e, lower)
        if not flagged:
            day.values["effective"] += _us(e - s)
            day.units[unit_id]["effective"] += _us(e - s)
            day.units[unit_id]["sessions"] += 1
            if unit_id != owner_id:
                day.values["external"] += _us(e - s)
    for resource_id, date, at, created_at in raw["decisions"]:
        if (resource_id, date) in days:
            days[resource_id, date].waits.append(_us(at - created_at))
    return days


def _instant(value) -> dt.datetime:
    """An instant as the cursor returns it (SQLite: UTC text as Django stores it)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _raw_rows(markers: list[tuple]) -> dict[str, list[tuple]]:
    """The raw rows of the marked days: each booking and stopped session that overlaps a
    marked day and each decision taken on it, once per such day, with the day's bounds
    (three queries, driven by the markers: rollup_sql.raw_*_sql)."""
    rows = marks_json(
        [(r, local_midnight(d), local_midnight(d + dt.timedelta(days=1))) for r, d, _v in markers]
    )
    raw: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for name, sql in rollup_sql.raw_rows_sql().items():
            cursor.execute(sql, [rows or "[]"])
            raw[name] = [
                (r, _date(d), _instant(lower), _instant(upper), *rest)
                for r, d, lower, upper, *rest in cursor.fetchall()
            ]
    raw["bookings"] = [(*row[:7], _instant(row[7]), _instant(row[8])) for row in raw["bookings"]]
    raw["sessions"] = [
        (*row[:6], bool(row[6]), _instant(row[7]), _instant(row[8])) for row in raw["sessions"]
    ]
    raw["decisions"] = [
        (r, d, _instant(at), _instant(created)) for r, d, _l, _u, at, created in raw["decisions"]
    ]
    return raw


def _write(days: dict, markers: list[tuple]) -> None:
    keys = [{"resource_id": r, "date": d.isoformat()} for r, d in days]
    day_rows, hour_rows, unit_rows, decision_rows = [], [], [], []
    for (resource_id, date), day in days.items():
        base = {"resource_id": resource_id, "date": date.isoformat()}
        if any(day.values.values()):
            day_rows.append({c: day.values.get(c, 0) for c in rollup_sql.DAY_COLUMNS[2:]} | base)
        if any(day.hours.values()):
            hour_rows.append({c: day.hours.get(c, 0) for c in rollup_sql.HOUR_COLUMNS} | base)
        for unit_id, values in day.units.items():
            if any(values.get(c) for c in ("booked", "effective", "sessions", "settled")):
                columns = rollup_sql.UNIT_DAY_COLUMNS[3:]
                unit_rows.append(
                    {c: values.get(c, 0) for c in columns} | base | {"unit_id": unit_id}
                )
        decision_rows.extend(base | {"waited": waited} for waited in day.waits)
    counted = [{"resource_id": r, "date": d.isoformat(), "version": v} for r, d, v in markers]
    with connection.cursor() as cursor:
        for model, columns, rows in (
            (FiguresDay, rollup_sql.DAY_COLUMNS, day_rows),
            (FiguresHours, ["resource_id", "date", *rollup_sql.HOUR_COLUMNS], hour_rows),
            (FiguresUnitDay, rollup_sql.UNIT_DAY_COLUMNS, unit_rows),
            (FiguresDecision, rollup_sql.DECISION_COLUMNS, decision_rows),
        ):
            cursor.execute(rollup_sql.delete_days_sql(model), [json.dumps(keys)])
            cursor.execute(rollup_sql.insert_sql(model, columns), [json.dumps(rows)])
        cursor.execute(rollup_sql.markers_delete_sql(MARKER_KEY), [json.dumps(counted)])


def _take_turns() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            # The reads touch a few rows per marked day, but the planner cannot know how
            # many days the JSON holds: its estimate would set off JIT compilation, which
            # costs hundreds of milliseconds for microseconds of work.
            cursor.execute("SET LOCAL jit = off")


def figures_rollup_refresh() -> int:
    """Recounts every marked day; returns how many. One query when nothing is marked."""
    if not FiguresDirty.objects.exists():
        return 0
    with transaction.atomic():
        _take_turns()
        markers = list(FiguresDirty.objects.values_list("resource_id", "date", "version"))
        keys = {(r, d) for r, d, _ in markers}
        days = rows_compute(_raw_rows(markers), keys)
        _write(days, markers)
    return len(markers)


# --- 3. Rebuild -----------------------------------------------------------------------------


def figures_rollup_rebuild() -> int:
    """Recounts the whole rollup from the raw rows; returns the days it holds."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            for model in ROLLUP_MODELS:
                model.objects.all().delete()
            figures_days_mark(spans=Booking.objects.values_list("resource_id", "start", "end"))
            figures_days_mark(
                spans=UsageSession.objects.filter(stopped_at__isnull=False).values_list(
                    "resource_id", "started_at", "stopped_at"
                )
            )
            figures_days_mark(
                spans=BookingEvent.objects.filter(action__in=DECISIONS).values_list(
                    "booking__resource_id", "at", "at"
                )
            )
        figures_rollup_refresh()
        return FiguresDay.objects.count()
    with transaction.atomic():
        _take_turns()
        markers = list(FiguresDirty.objects.values_list("resource_id", "date", "version"))
        with connection.cursor() as cursor:
            # DELETE, not TRUNCATE: callable inside a transaction that wrote rows already.
            for model in ROLLUP_MODELS:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
            for sql, params in rollup_sql.rebuild_statements():
                cursor.execute(sql, params)
            counted = [
                {"resource_id": r, "date": d.isoformat(), "version": v} for r, d, v in markers
            ]
            cursor.execute(rollup_sql.markers_delete_sql(MARKER_KEY), [json.dumps(counted)])
            cursor.execute(f"ANALYZE {FiguresDay._meta.db_table}, {FiguresUnitDay._meta.db_table}")
    return FiguresDay.objects.count()
