"""The morning rush, against gunicorn and PostgreSQL on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench-rush
    DATABASE_URL=… .venv/bin/python bench/rush.py [--seconds 10] [--history 10000,100000,1000000]

DATABASE_URL names the PostgreSQL server (any database on it): the script creates its own
throw-away database there, runs gunicorn on it (``-k gthread -w 4 --threads 4``, for 2
cores) and drops it at the end. The load generator is this process: asyncio clients with
keep-alive connections, one bearer token per member, tokens issued through the services
before the run. Steps:

1. the floor: 64 clients on ``GET /api/v1/me/`` for ``--seconds``;
2. the rush: 64 clients booking four popular resources at once for ``--seconds``; the
   clients of one resource walk the same slots in order, so all but the first to reach a
   slot lose; then one SQL query checks that no two blocking bookings of a resource overlap;
3. a create and a refused create sent one at a time (p50), against the floor's p50;
4. one resource's week of availability and the resource list, at each ``--history`` size of
   past bookings, loaded in bulk with ``INSERT … SELECT generate_series``.

It prints each target with PASS/FAIL, writes bench/results/rush.json and rush.md, and exits
1 on a correctness failure (a double booking, a 5xx). Extra settings for the server go in
SERVER_ENV or ``--server-env NAME=VALUE`` (e.g. to lift a per-member booking rate limit).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from rush_load import (
    CLIENTS,
    POPULAR,
    floor,
    one_at_a_time,
    reads,
    rush,
)
from rush_world import double_bookings, explain_week, explain_window, history_load, world_build

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
#: The server's environment on top of DATABASE_URL; add settings here (or --server-env).
SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "ERROR",
    "DB_CONN_MAX_AGE": "600",
    # Plain HTTP on loopback: no TLS proxy in front of gunicorn here.
    "SECURE_SSL_REDIRECT": "false",
    # The per-member booking ceiling stays on, as in production: its counter is part of
    # what an attempt costs, and the rush's members stay below it (rush_load.TOKENS_PER_CLIENT).
}


# --- Setting up the world -------------------------------------------------------------------


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- The run ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(
    database_url: str, port: int, extra_env: dict[str, str], log: object
) -> subprocess.Popen:
    """gunicorn on loopback; its output (one warning line per 409, today) goes to ``log``."""
    env = {
        **os.environ,
        **SERVER_ENV,
        **extra_env,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            "4",
            "--threads",
            "4",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def verdicts(result: dict) -> list[tuple[str, bool, bool, str]]:
    """(target, passed, is_correctness, measured)."""
    floor_, rush_, seq = result["floor"], result["rush"], result["one_at_a_time"]
    out = [
        (
            "rush attempts/s >= half the floor's req/s",
            rush_["attempts_per_second"] >= floor_["per_second"] / 2,
            False,
            f"{rush_['attempts_per_second']} vs {floor_['per_second']} / 2",
        ),
        (
            "rush p95 < 250 ms",
            rush_["p95_ms"] < 250,
            False,
            f"{rush_['p95_ms']} ms; {little_law(floor_['per_second'])}",
        ),
        (
            "zero double bookings",
            result["double_bookings"] == 0,
            True,
            str(result["double_bookings"]),
        ),
        (
            "zero 5xx",
            floor_["5xx"] + rush_["5xx"] + seq["5xx"] + sum(h["5xx"] for h in result["history"])
            == 0,
            True,
            str(
                floor_["5xx"] + rush_["5xx"] + seq["5xx"] + sum(h["5xx"] for h in result["history"])
            ),
        ),
        (
            "the rush answered by the scheduler: 201 or 409 only (no rate limit, no 503)",
            set(rush_["status"]) <= {"201", "409"},
            True,
            str(rush_["status"]),
        ),
        (
            "one at a time: 200 for me, 201 for each create, 409 for each refusal",
            seq["as_meant"],
            True,
            str(seq["status"]),
        ),
        (
            "create < 3x the floor's p50, both one at a time",
            seq["create_p50_ms"] < 3 * seq["me_p50_ms"],
            False,
            f"{seq['create_p50_ms']} vs 3 x {seq['me_p50_ms']} ms",
        ),
        (
            "refused create < 3x the floor's p50, both one at a time",
            seq["refused_p50_ms"] < 3 * seq["me_p50_ms"],
            False,
            f"{seq['refused_p50_ms']} vs 3 x {seq['me_p50_ms']} ms",
        ),
    ]
    history = result["history"]
    if len(history) >= 2:
        small, large = history[0], history[-1]
        out.append(
            (
                f"week availability at {large['bookings']:,} within 1.5x its time at "
                f"{small['bookings']:,}",
                large["week_availability_p50_ms"] <= 1.5 * small["week_availability_p50_ms"],
                False,
                f"{large['week_availability_p50_ms']} vs 1.5 x "
                f"{small['week_availability_p50_ms']} ms",
            )
        )
    return out


def little_law(floor_per_second: float) -> str:
    """Why the p95 target is out of reach with closed-loop clients: each of CLIENTS sends
    its next request when the last is answered, so the mean latency is CLIENTS over the
    throughput (Little's law), whatever the server does."""
    at_floor = 1000 * CLIENTS / floor_per_second
    return (
        f"with {CLIENTS} closed-loop clients the mean wait is {CLIENTS} / throughput (Little's "
        f"law): {at_floor:.0f} ms even at the floor's {floor_per_second} req/s; a p95 under "
        f"250 ms needs over {CLIENTS / 0.25:.0f} attempts/s"
    )


def markdown(result: dict, checks: list[tuple[str, bool, bool, str]]) -> str:
    f, r, s = result["floor"], result["rush"], result["one_at_a_time"]
    lines = [
        f"# Rush benchmark, {result['when']}",
        "",
        f"{result['machine']}; gunicorn {result['gunicorn']}; {CLIENTS} clients; "
        f"{result['seconds']} s per load step. Rerun: `make bench-rush` (README, Benchmarks)"
        + (
            "; `--classified`: the instruments share a class, so a refusal also offers "
            "similar resources."
            if result.get("classified")
            else "; the instruments have no class, so a refusal offers no similar resources."
        ),
        "",
        "| step | req/s | p50 ms | p95 ms | p99 ms | answers | 5xx |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
        f"| floor: GET /api/v1/me/ | {f['per_second']} | {f['p50_ms']} | {f['p95_ms']} | "
        f"{f['p99_ms']} | {f['status']} | {f['5xx']} |",
        f"| rush: POST /api/v1/bookings/ | {r['attempts_per_second']} | {r['p50_ms']} | "
        f"{r['p95_ms']} | {r['p99_ms']} | {r['status']} | {r['5xx']} |",
        "",
        f"One at a time: GET /api/v1/me/ p50 {s['me_p50_ms']} ms, "
        f"create p50 {s['create_p50_ms']} ms, refused create p50 "
        f"{s['refused_p50_ms']} ms. Double bookings after the rush: {result['double_bookings']}.",
        "",
        "| past bookings | load s | week availability p50 ms | resource list p50 ms |",
        "| ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {h['bookings']:,} | {h['load_seconds']} | {h['week_availability_p50_ms']} | "
        f"{h['resource_list_p50_ms']} |"
        for h in result["history"]
    ]
    lines += ["", "| target | result | measured |", "| --- | --- | --- |"]
    lines += [f"| {name} | {'PASS' if ok else 'FAIL'} | {got} |" for name, ok, _, got in checks]
    return "\n".join(lines) + "\n"


def main() -> int:
    # Production settings (DEBUG off) need a key; this process and its manage.py commands
    # only load data (the server gets its own key, SERVER_ENV).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--history", default="10000,100000,1000000")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--classified",
        action="store_true",
        help="instruments of one class: refusals also offer similar resources "
        "(results in rush-classified.*)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL=postgres://… (the server to run on) is required")
    sizes = [int(n) for n in args.history.split(",") if n]
    extra_env = dict(item.split("=", 1) for item in args.server_env)

    import psycopg

    parts = urlsplit(url)
    database = f"bench_rush_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    bench_url = urlunsplit(parts._replace(path=f"/{database}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    server = None
    try:
        for command in ("migrate", "createcachetable"):
            subprocess.run(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", command, "-v", "0"],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": bench_url},
                check=True,
            )
        django_setup(bench_url)
        from zoneinfo import ZoneInfo

        from django.conf import settings
        from django.db import connection

        zone = ZoneInfo(settings.TIME_ZONE)
        today = dt.datetime.now(zone).date()
        tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        world = world_build(classified=args.classified)
        connection.close()
        port = free_port()
        # Open for gunicorn's lifetime, closed with the process.
        log = tempfile.NamedTemporaryFile("w", prefix="bench-rush-", delete=False)  # noqa: SIM115
        server = server_start(bench_url, port, extra_env, log)
        print(f"gunicorn on 127.0.0.1:{port}, log: {log.name}", flush=True)
        import gunicorn

        server_version = connection.cursor().connection.info.server_version
        result: dict = {
            "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, PostgreSQL {server_version}",
            "gunicorn": f"{gunicorn.__version__} -k gthread -w 4 --threads 4",
            "seconds": args.seconds,
            "classified": args.classified,
            "clients": CLIENTS,
        }
        connection.close()
        asyncio.run(floor(port, world["tokens"], 1))  # warm-up: workers, connections
        print(f"floor: {CLIENTS} clients on GET /api/v1/me/ for {args.seconds} s …", flush=True)
        result["floor"] = asyncio.run(floor(port, world["tokens"], args.seconds))
        print(json.dumps(result["floor"]), flush=True)
        print(f"rush: {CLIENTS} clients on {POPULAR} resources for {args.seconds} s …", flush=True)
        result["rush"] = asyncio.run(rush(port, world, tomorrow, args.seconds))
        print(json.dumps(result["rush"]), flush=True)
        result["double_bookings"] = double_bookings()
        print(f"double bookings: {result['double_bookings']}", flush=True)
        result["one_at_a_time"] = asyncio.run(one_at_a_time(port, world, tomorrow))
        print(json.dumps(result["one_at_a_time"]), flush=True)
        result["history"] = []
        loaded = 0
        for size in sizes:
            seconds = history_load(world, size, loaded)
            loaded = size
            step = {"bookings": size, "load_seconds": round(seconds, 1)}
            step.update(asyncio.run(reads(port, world, tomorrow.date())))
            result["history"].append(step)
            print(json.dumps(step), flush=True)
        if sizes:
            result["week_plan"] = explain_week(
                world["popular"][0], tomorrow, tomorrow + dt.timedelta(days=7)
            )
            result["window_plan"] = explain_window(
                world["popular"][0], world["member_id"], tomorrow + dt.timedelta(days=2)
            )
        result["double_bookings"] = max(result["double_bookings"], double_bookings())
        checks = verdicts(result)
        result["targets"] = [
            {"target": name, "pass": ok, "measured": got} for name, ok, _, got in checks
        ]
        print()
        for name, ok, _, got in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {got}")
        if not args.no_write:
            RESULTS.mkdir(exist_ok=True)
            name = "rush-classified" if args.classified else "rush"
            (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
            (RESULTS / f"{name}.md").write_text(markdown(result, checks))
            print(f"\nwritten: {RESULTS / name}.json, .md")
        return 1 if any(not ok for _, ok, correctness, _ in checks if correctness) else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
