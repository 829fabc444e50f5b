"""A real race on a file-backed SQLite database, as the embedded default runs it.

Run as ``python -m tests.bookings.sqlite_race DB_PATH THREADS ROUNDS`` with
DATABASE_URL=sqlite:///DB_PATH: migrates, then each round lets THREADS threads (each with
its own connection) book the same slot at once, and prints the outcomes as JSON.
"""

import datetime as dt
import json
import os
import sys
import threading
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from alliance.errors import Conflict  # noqa: E402
from alliance.models import Member, Unit  # noqa: E402
from bookings.services import booking_create  # noqa: E402
from resources.models import OpeningHours, Resource  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 8, tzinfo=SHANGHAI)


def main(threads: int, rounds: int) -> dict:
    call_command("migrate", verbosity=0)
    unit = Unit.objects.create(name="中国科学院深圳理工大学", kind="university")
    resource = Resource.objects.create(
        unit=unit, kind="lab", name="高端共享实验室", requires_approval=False
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(resource=resource, weekday=d, start_time=dt.time(8), end_time=dt.time(20))
        for d in range(7)
    )
    members = [
        Member.objects.create(user=User.objects.create(username=f"r{i}"), unit=unit, name=f"r{i}")
        for i in range(threads)
    ]
    connections.close_all()
    results = []
    for round_ in range(rounds):
        start = dt.datetime(2026, 11, 24, 8, tzinfo=SHANGHAI) + dt.timedelta(hours=round_)
        barrier = threading.Barrier(threads, timeout=30)
        outcomes = [None] * threads

        def attempt(i, start=start, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                booking_create(
                    member=members[i],
                    resource_id=resource.pk,
                    start=start,
                    end=start + dt.timedelta(hours=1),
                    purpose="并发",
                    now=NOW,
                )
                outcomes[i] = "won"
            except Conflict as exc:
                outcomes[i] = exc.code
            except Exception as exc:  # noqa: BLE001 - reported to the test
                outcomes[i] = repr(exc)
            finally:
                connections.close_all()

        pool = [threading.Thread(target=attempt, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(60)
        results.append(outcomes)
    return {"rounds": results}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[2]), int(sys.argv[3]))))
