"""Benchmark: the figures dashboard over a year of 1 million bookings, on PostgreSQL.

    DATABASE_URL=postgres://… python bench/figures.py     # or: make bench-figures

It creates a throw-away test database (TEST_DATABASE_NAME, default test_<name>), makes 20
units of 5 members and 200 resources (weekdays 08:00–20:00, a few holidays and make-up
days), then loads in bulk with ``INSERT … SELECT generate_series`` (minutes, not hours;
the bookings' exclusion constraint is dropped first: the rows never overlap by construction
and no figures query uses its index):

- 1,000,000 bookings over the last 365 days, 5,000 per resource, never overlapping: 85 %
  completed, 5 % approved, 5 % no-shows, 5 % cancelled (half of them late);
- a recorded session for every completed booking (1 in 50 flagged as left running), and a
  walk-up session after 1 in 10 of them;
- an approval decision (BookingEvent) for 1 in 10 bookings.

The rows are loaded without the services, so nothing marks the figures' rollup: it is then
built set-based (``figures_rollup_rebuild``, timed), as after any bulk load. A refresh of one
marked day (what follows a booking or session write) is timed too.

``--keep-db --load-only`` loads and keeps the database; ``--reuse-db`` times a kept one
(migrated to the current code first), so that a code change need not reload.

Then it times each selector the staff dashboard calls (bookings.figures: resource_figures,
unit_balance, alliance_overview, utilisation_heatmap) for the secretariat over the whole
year, and for one unit's manager, plus public_summary; ``--repeats`` runs each (median and
max). The whole dashboard is the sum of the four. Results: bench/results/figures.{json,md};
exit status 1 when the secretariat's whole dashboard takes 1 second or more (issue 11).
"""

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_MS = 1000.0
UNITS, MEMBERS_PER_UNIT, RESOURCES_PER_UNIT = 20, 5, 10

BOOKINGS_SQL = """
INSERT INTO bookings_booking (resource_id, member_id, unit_id, start, "end", blocked_until,
    purpose, attendees, status, cancelled_late, created_at, updated_at, mode)
SELECT res[1 + g.i %% cardinality(res)], mem[1 + (g.i * 7) %% cardinality(mem)],
       mu[1 + (g.i * 7) %% cardinality(mem)],
       s.start, s.start + s.len, s.start + s.len, 'bench', 1,
       CASE WHEN g.i %% 20 = 0 THEN 'no_show' WHEN g.i %% 20 = 1 THEN 'cancelled'
            WHEN g.i %% 20 = 2 THEN 'approved' ELSE 'completed' END,
       g.i %% 40 = 1, s.start - interval '2 days', s.start - interval '2 days', 'self_use'
FROM generate_series(0, %(n)s - 1) AS g(i)
CROSS JOIN LATERAL (SELECT %(res)s::int[] AS res, %(mem)s::int[] AS mem, %(mu)s::int[] AS mu) a
CROSS JOIN LATERAL (
    SELECT %(first)s::timestamptz + (g.i / cardinality(a.res)) * interval '105 minutes' AS start,
           (30 + (g.i %% 4) * 20) * interval '1 minute' AS len
) s
"""

SESSIONS_SQL = """
INSERT INTO bookings_usagesession (resource_id, member_id, operator_id, booking_id, started_at,
    stopped_at, source, manual_reason, notes, flagged, flag_reason, correction_reason, power,
    created_at)
SELECT resource_id, member_id, CASE WHEN id %% 5 = 0 THEN member_id END, id,
       start + interval '3 minutes', "end" + CASE WHEN id %% 50 = 0 THEN interval '12 minutes'
       ELSE interval '-2 minutes' END, 'check_in', '', '', id %% 50 = 0,
       CASE WHEN id %% 50 = 0 THEN 'left_running' ELSE '' END, '', 'none', start
FROM bookings_booking WHERE status = 'completed'
"""

WALK_UP_SQL = """
INSERT INTO bookings_usagesession (resource_id, member_id, booking_id, started_at, stopped_at,
    source, manual_reason, notes, flagged, flag_reason, correction_reason, power, created_at)
SELECT resource_id, member_id, NULL, "end" + interval '15 minutes', "end" + interval '25 minutes',
       'qr_scan', '', '', false, '', '', 'none', "end"
FROM bookings_booking WHERE status = 'completed' AND id %% 10 = 3
"""

EVENTS_SQL = """
INSERT INTO bookings_bookingevent (booking_id, action, from_status, to_status, reason, at)
SELECT id, 'bookings.booking.approved', 'pending', 'approved', '',
       created_at + (id %% 97) * interval '17 minutes'
FROM bookings_booking WHERE id %% 10 = 0
"""


def load(n: int, first: dt.datetime) -> dict:
    from alliance.models import MemberRole
    from bookings.models import BOOKING_NO_OVERLAP
    from resources.models import Closure, MakeUpWorkingDay
    from tests.factories import MemberFactory, ResourceFactory, UnitFactory

    started = time.perf_counter()
    units = [UnitFactory(name=f"成员单位{u:02d}") for u in range(UNITS)]
    members, member_units, resources = [], [], []
    for unit in units:
        for k in range(MEMBERS_PER_UNIT):
            role = MemberRole.UNIT_MANAGER if k == 0 else MemberRole.RESEARCHER
            member = MemberFactory(unit=unit, role=role)
            members.append(member.pk)
            member_units.append(unit.pk)
        resources.extend(ResourceFactory(unit=unit).pk for _ in range(RESOURCES_PER_UNIT))
    secretariat = MemberFactory(unit=units[0], role=MemberRole.SECRETARIAT)
    zone = first.tzinfo
    for offset in (0, 60, 120, 180, 240, 300):
        day = first.date() + dt.timedelta(days=offset)
        Closure.objects.create(
            start=dt.datetime.combine(day, dt.time(0), tzinfo=zone),
            end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
            reason="节假日",
        )
        saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
        MakeUpWorkingDay.objects.get_or_create(date=saturday)
    params = {"n": n, "res": resources, "mem": members, "mu": member_units, "first": first}
    timings = {}
    with connection.cursor() as cursor:
        # The rows never overlap by construction; checking a million of them against the
        # exclusion constraint's GiST index would take most of the load, and no figures
        # query uses that index (they filter on the start and end columns).
        cursor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT {BOOKING_NO_OVERLAP}")
        for name, sql in (
            ("bookings", BOOKINGS_SQL),
            ("sessions", SESSIONS_SQL),
            ("walk_up_sessions", WALK_UP_SQL),
            ("events", EVENTS_SQL),
        ):
            t = time.perf_counter()
            cursor.execute(sql, params if name == "bookings" else [])
            timings[name] = {"rows": cursor.rowcount, "seconds": round(time.perf_counter() - t, 1)}
        cursor.execute("ANALYZE")
    timings["total_seconds"] = round(time.perf_counter() - started, 1)
    return {"timings": timings, "secretariat": secretariat.pk}


def _exclusion_constraint_restore() -> None:
    """The load drops the bookings' exclusion constraint; production has it, and the figures'
    refresher reads the bookings of a day through its GiST index: put it back."""
    from bookings.models import BOOKING_NO_OVERLAP, Booking

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [BOOKING_NO_OVERLAP])
        if cursor.fetchone():
            return
    (constraint,) = [c for c in Booking._meta.constraints if c.name == BOOKING_NO_OVERLAP]
    with connection.schema_editor() as editor:
        editor.add_constraint(Booking, constraint)


def measure(fn, repeats: int) -> dict:
    fn()  # warm: plans, caches
    times, queries = [], set()
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        queries.add(len(ctx.captured_queries))
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": sorted(queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the loaded database for --reuse-db"
    )
    parser.add_argument("--load-only", action="store_true", help="with --keep-db: stop there")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="time a database loaded by an earlier --keep-db run (migrated to this code)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/figures.py needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2

    from alliance.models import Member, MemberRole
    from bookings import figures
    from resources.selectors import alliance_zone

    setup_test_environment()
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.reuse_db, serialize=False
    )
    kept = RESULTS / ".figures-load.json"
    try:
        zone = alliance_zone()
        if args.reuse_db:
            loaded = json.loads(kept.read_text())
            first_day = dt.date.fromisoformat(loaded["first_day"])
        else:
            today = dt.datetime.now(zone).date()
            first_day = today - dt.timedelta(days=365)
            first = dt.datetime.combine(first_day, dt.time(0), tzinfo=zone)
            loaded = load(args.bookings, first)
            loaded["first_day"] = str(first_day)
            if args.keep_db:
                kept.write_text(json.dumps(loaded))
                if args.load_only:
                    return 0
        today = first_day + dt.timedelta(days=365)
        period = figures.Period(first_day, today - dt.timedelta(days=1))
        secretariat = Member.objects.select_related("unit").get(pk=loaded["secretariat"])
        manager = (
            Member.objects.select_related("unit")
            .filter(role=MemberRole.UNIT_MANAGER)
            .order_by("pk")
            .first()
        )
        from bookings.figures.rollup import (
            figures_days_mark,
            figures_rollup_rebuild,
            figures_rollup_refresh,
        )
        from bookings.models import Booking

        _exclusion_constraint_restore()
        load_before = os.getloadavg()
        t = time.perf_counter()
        rollup_days = figures_rollup_rebuild()
        rollup = {"days": rollup_days, "rebuild_seconds": round(time.perf_counter() - t, 1)}
        marked = Booking.objects.filter(start__gte=period.start).order_by("start").first()

        def one_day_refresh():
            figures_days_mark(spans=[(marked.resource_id, marked.start, marked.end)])
            figures_rollup_refresh()

        results = {"writers": {"mark + refresh one day": measure(one_day_refresh, args.repeats)}}
        for who, actor in (("secretariat", secretariat), ("manager", manager)):
            dashboard = {
                "resource_figures": lambda a=actor: figures.resource_figures(
                    actor=a, period=period
                ),
                "unit_balance": lambda a=actor: figures.unit_balance(actor=a, period=period),
                "alliance_overview": lambda a=actor: figures.alliance_overview(
                    actor=a, period=period
                ),
                "utilisation_heatmap": lambda a=actor: figures.utilisation_heatmap(
                    actor=a, period=period
                ),
            }
            rows = {name: measure(fn, args.repeats) for name, fn in dashboard.items()}
            rows["whole dashboard"] = measure(
                lambda d=dashboard: [fn() for fn in d.values()], args.repeats
            )
            results[who] = rows
        results["public"] = {"public_summary": measure(figures.public_summary, args.repeats)}
        load_after = os.getloadavg()
    finally:
        if not (args.keep_db or args.reuse_db):
            connection.creation.destroy_test_db(old_name, verbosity=0)

    whole = results["secretariat"]["whole dashboard"]["median_ms"]
    report = {
        "bookings": args.bookings,
        "period": [str(period.first), str(period.last)],
        "load": loaded["timings"],
        "rollup": rollup,
        "load_average": {"before": load_before, "after": load_after},
        "results": results,
        "target_ms": TARGET_MS,
        "passed": whole < TARGET_MS,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "postgres": connection.pg_version if hasattr(connection, "pg_version") else None,
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "figures.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    loaded_text = ", ".join(
        f"{name} {row['rows']:,} rows in {row['seconds']} s"
        for name, row in loaded["timings"].items()
        if isinstance(row, dict)
    )
    lines = [
        "# Figures dashboard benchmark (bench/figures.py)",
        "",
        f"{args.bookings:,} bookings over {report['period'][0]} – {report['period'][1]} on "
        f"PostgreSQL, {os.cpu_count()} CPUs; loaded in {loaded['timings']['total_seconds']} s "
        f"({loaded_text}).",
        "",
        *(
            ["Timed on a database loaded by an earlier run (--keep-db), migrated to this code."]
            if args.reuse_db
            else []
        ),
        f"Rollup rebuilt set-based in {rollup['rebuild_seconds']} s ({rollup['days']:,} "
        "resource-days). Load average (1, 5, 15 min) on the shared machine: "
        f"{', '.join(f'{x:.1f}' for x in load_before)} before the timings, "
        f"{', '.join(f'{x:.1f}' for x in load_after)} after.",
        "",
        "| who | selector | median ms | max ms | queries |",
        "|---|---|---:|---:|---|",
    ]
    for who, rows in results.items():
        for name, row in rows.items():
            lines.append(
                f"| {who} | {name} | {row['median_ms']} | {row['max_ms']} | "
                f"{', '.join(map(str, row['queries']))} |"
            )
    lines += [
        "",
        f"Target: the secretariat's whole dashboard under {TARGET_MS:.0f} ms: "
        f"{'met' if report['passed'] else 'NOT met'} ({whole} ms).",
        "",
    ]
    (RESULTS / "figures.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
