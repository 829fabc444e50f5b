"""Where a request's time goes, in process: queries and median ms through the API test client.

    python bench/profile_api.py                 # SQLite in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/profile_api.py
    python bench/profile_api.py --profile refused [--sort tottime]   # cProfile, top 25

It creates a throw-away test database, one resource with ``--history`` past bookings, and
measures GET /api/v1/me/, a create (approved and pending), a refused create (conflict) and
one week of availability. The numbers in docs/performance.md come from this script; the
server-side view under load is bench/rush.py.
"""

import argparse
import cProfile
import datetime as dt
import logging
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production settings (DEBUG off) need a key; this process serves nothing.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # DRF's test client
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # plain HTTP in process
# One member books 40 times a minute here: keep the ceiling counted but out of reach.
os.environ.setdefault("BOOKING_CREATE_RATE_PER_MINUTE", "100000")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPEATS = 40


def build(history: int, classified: int = 0):
    from django.contrib.auth.models import User

    from alliance.models import Member, MemberRole, SignInChannel, Unit
    from alliance.tokens import api_token_issue
    from bookings.models import Booking
    from resources.models import OpeningHours, Resource

    unit = Unit.objects.create(name="深圳湾实验室", kind="lab")
    members = []
    for n in range(3):
        user = User.objects.create(username=f"bench{n}")
        role = MemberRole.UNIT_MANAGER if n == 2 else MemberRole.RESEARCHER
        members.append(Member.objects.create(user=user, unit=unit, name=f"研究员{n}", role=role))

    def instrument(name: str, code: str, **rules) -> Resource:
        return Resource.objects.create(
            unit=unit,
            kind="equipment",
            name=name,
            max_days_ahead=60,
            min_notice_minutes=0,
            slot_minutes=15,
            min_duration_minutes=15,
            classification_code=code,
            **rules,
        )

    resources = [
        instrument(
            f"冷冻电镜{int(approval)}",
            "010101" if classified else "",
            requires_approval=approval,
            buffer_minutes=15,
            max_duration_minutes=240,
        )
        for approval in (False, True)
    ]
    # ``classified``: that many more instruments of the same class, so that a refusal also
    # looks for similar ones (bookings.similar), as real instruments with a class do.
    resources += [
        instrument(f"同类仪器{n:02d}", f"0101{n:02d}", requires_approval=False)
        for n in range(classified)
    ]
    OpeningHours.objects.bulk_create(
        OpeningHours(resource=resource, weekday=d, start_time=dt.time(8), end_time=dt.time(22))
        for resource in resources
        for d in range(7)
    )
    # Past bookings: two a day going back from yesterday.
    today = dt.datetime(2026, 11, 30, tzinfo=SHANGHAI)
    rows = []
    for n in range(history):
        start = today - dt.timedelta(days=1 + n // 2, hours=-9 - 3 * (n % 2))
        rows.append(
            Booking(
                resource=resources[0],
                member=members[0],
                unit=unit,
                start=start,
                end=start + dt.timedelta(hours=1),
                blocked_until=start + dt.timedelta(hours=1, minutes=15),
                purpose="历史",
                status="completed",
            )
        )
    Booking.objects.bulk_create(rows, batch_size=5000)
    _, raw = api_token_issue(member=members[0], channel=SignInChannel.WECHAT)
    return resources, raw, today


def main() -> int:
    import time_machine
    from rest_framework.test import APIClient

    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--profile", choices=["approved", "pending", "refused", "me", "week"])
    parser.add_argument("--limit", type=int, default=25)
    parser.add_argument(
        "--classified",
        type=int,
        default=0,
        metavar="N",
        help="N more instruments of the asked one's class: refusals offer similar ones",
    )
    parser.add_argument("--sort", default="cumulative", help="pstats order, e.g. tottime")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the 409s' request log lines
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with time_machine.travel(dt.datetime(2026, 11, 30, 7, tzinfo=SHANGHAI), tick=True):
            resources, raw, today = build(args.history, args.classified)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            slot = iter(range(100_000))

            def create(resource):
                def go():
                    n = next(slot)
                    start = today + dt.timedelta(days=1 + n // 28, hours=8, minutes=30 * (n % 28))
                    body = {
                        "resource": resource.pk,
                        "start": start.isoformat(),
                        "end": (start + dt.timedelta(minutes=15)).isoformat(),
                        "purpose": "基准",
                    }
                    response = client.post("/api/v1/bookings/", body, format="json")
                    assert response.status_code == 201, response.json()

                return go

            taken = today + dt.timedelta(days=1, hours=8)

            def refused():
                body = {
                    "resource": resources[0].pk,
                    "start": taken.isoformat(),
                    "end": (taken + dt.timedelta(minutes=15)).isoformat(),
                    "purpose": "基准",
                }
                response = client.post("/api/v1/bookings/", body, format="json")
                assert response.status_code == 409, response.json()

            def me():
                assert client.get("/api/v1/me/").status_code == 200

            def week():
                url = f"/api/v1/resources/{resources[0].pk}/availability/"
                response = client.get(url, {"from": "2026-11-30", "to": "2026-12-06"})
                assert response.status_code == 200

            paths = {
                "me": me,
                "approved": create(resources[0]),
                "pending": create(resources[1]),
                "refused": refused,
                "week": week,
            }
            me()  # last_used_at written once, not measured
            paths["approved"]()  # takes the slot the refused create asks for
            if args.profile:
                fn = paths[args.profile]
                fn()
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(REPEATS):
                    fn()
                profiler.disable()
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)
                return 0
            print(f"database: {connection.vendor}; {args.history} past bookings")
            print("| request                      | queries | median ms |")
            print("| ---------------------------- | ------- | --------- |")
            for label, fn in paths.items():
                times, counts = [], set()
                fn()
                for _ in range(REPEATS):
                    with CaptureQueriesContext(connection) as ctx:
                        started = time.perf_counter()
                        fn()
                        times.append(time.perf_counter() - started)
                    counts.add(len(ctx.captured_queries))
                queries = "/".join(map(str, sorted(counts)))
                print(f"| {label:<28} | {queries:>7} | {statistics.median(times) * 1000:9.2f} |")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
