"""Benchmark: availability and booking on a busy resource, on whichever database
DATABASE_URL names (SQLite by default).

    python bench/availability.py            # or: make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/availability.py

It creates a throw-away test database (test_… on PostgreSQL, in memory on SQLite), fills one
resource with 10 bookings a day for a year, then measures:
  - resource_availability_get for 1, 7 and 62 days: queries and median wall time;
  - booking_create accepted, and refused with a conflict (alternatives searched).
The target is a query count that does not grow with the span or the number of bookings;
it exits non-zero if it does. Times are for information (2-core machine, see the README).
"""

import datetime as dt
import os
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

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOKINGS_PER_DAY = 10
DAYS = 365
REPEATS = 15


def build():
    from django.contrib.auth.models import User

    from alliance.models import Member, Unit
    from bookings.models import Booking
    from resources.models import Closure, OpeningHours, Resource

    unit = Unit.objects.create(name="深圳湾实验室", kind="lab")
    user = User.objects.create(username="bench")
    member = Member.objects.create(user=user, unit=unit, name="测试员")
    resource = Resource.objects.create(
        unit=unit,
        kind="equipment",
        name="冷冻电镜",
        requires_approval=False,
        max_days_ahead=400,
        buffer_minutes=15,
        max_duration_minutes=600,
        min_notice_minutes=0,
        slot_minutes=15,
        min_duration_minutes=15,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(resource=resource, weekday=d, start_time=dt.time(0), end_time=dt.time(0))
        for d in range(7)
    )
    first = dt.datetime(2026, 11, 24, tzinfo=SHANGHAI)
    rows = []
    for day in range(DAYS):
        for n in range(BOOKINGS_PER_DAY):
            start = first + dt.timedelta(days=day, hours=2 * n)
            end = start + dt.timedelta(hours=1)
            rows.append(
                Booking(
                    resource=resource,
                    member=member,
                    unit=unit,
                    start=start,
                    end=end,
                    blocked_until=end + dt.timedelta(minutes=15),
                    purpose="基准",
                    status="approved",
                )
            )
        if day % 7 == 0:
            Closure.objects.create(
                resource=resource,
                start=first + dt.timedelta(days=day, hours=21),
                end=first + dt.timedelta(days=day, hours=23),
                reason="维护",
            )
    Booking.objects.bulk_create(rows, batch_size=2000)
    return resource, member, first


def measure(label, fn):
    times, queries = [], set()
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        queries.add(len(ctx.captured_queries))
    print(
        f"| {label:<46} | {'/'.join(map(str, sorted(queries))):>7} | "
        f"{statistics.median(times) * 1000:9.2f} | {max(times) * 1000:8.2f} |"
    )
    return queries


def main():
    from alliance.errors import Conflict
    from bookings.selectors import (
        resource_availability_get,
    )
    from bookings.services import booking_cancel, booking_create
    from resources.models import Resource

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        resource, member, first = build()
        now = first - dt.timedelta(days=1)
        print(f"database: {connection.vendor}; {DAYS * BOOKINGS_PER_DAY} bookings on one resource")
        print("| operation                                      | queries | median ms |   max ms |")
        print("| ---------------------------------------------- | ------- | --------- | -------- |")
        counts = {}
        for days in (1, 7, 62):

            def availability(days=days):
                fresh = Resource.objects.get(pk=resource.pk)
                resource_availability_get(
                    resource=fresh,
                    date_from=first.date(),
                    date_to=first.date() + dt.timedelta(days=days - 1),
                    now=now,
                )

            counts[days] = measure(f"availability, {days} day(s) (+1 resource query)", availability)

        slot = iter(range(10_000))

        def book_and_cancel():
            n = next(slot)
            start = first + dt.timedelta(days=n % DAYS, hours=2 * (n % 10) + 1, minutes=15)
            booking = booking_create(
                member=member,
                resource_id=resource.pk,
                start=start,
                end=start + dt.timedelta(minutes=30),
                purpose="基准",
                now=now,
            )
            booking_cancel(actor=member, booking_id=booking.pk, now=now)

        measure("booking_create + booking_cancel (accepted)", book_and_cancel)

        def refused():
            try:
                booking_create(
                    member=member,
                    resource_id=resource.pk,
                    start=first + dt.timedelta(days=3),
                    end=first + dt.timedelta(days=3, hours=1),
                    purpose="基准",
                    now=now,
                )
            except Conflict:
                return
            raise AssertionError("expected a conflict")

        measure("booking_create refused (conflict+alternatives)", refused)
        bounded = counts[1] == counts[7] == counts[62]
        print(f"\nquery count independent of the span: {'yes' if bounded else 'NO'}")
        return 0 if bounded else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
