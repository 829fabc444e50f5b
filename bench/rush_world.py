"""The rush benchmark's world in its throw-away database (bench/rush.py runs them after
Django is set up on it): the members, tokens and resources, the past bookings loaded in
bulk, the check that no two blocking bookings overlap, and the plans of the reads that
must not grow with the history."""

from __future__ import annotations

import datetime as dt
import time

from rush_load import CLIENTS, POPULAR, SEQUENTIAL, TOKENS_PER_CLIENT

OTHER_RESOURCES = 16


def world_build(*, classified: bool = False) -> dict:
    """Units, 64 × TOKENS_PER_CLIENT researchers with tokens, four popular resources open
    around the clock and some others for the list. Through the services where they exist.

    ``classified``: every instrument carries the same class of the national classification
    (as real ones do), so each refused attempt also looks for free slots on the others
    (bookings.similar); without it an instrument has no similar ones."""
    from django.contrib.auth.models import User

    from alliance.models import Member, SignInChannel, Unit
    from alliance.tokens import api_token_issue
    from resources.models import OpeningHours, Resource

    units = [Unit.objects.create(name=f"基准单位{n}", kind="lab") for n in range(8)]
    tokens = []
    # The rush's members, then members of their own for the one-at-a-time step, so that the
    # per-member booking ceiling the rush may have reached does not answer that step.
    for n in range(CLIENTS * TOKENS_PER_CLIENT + 2 * SEQUENTIAL):
        user = User.objects.create(username=f"rush{n}")
        member = Member.objects.create(user=user, unit=units[n % len(units)], name=f"研究员{n}")
        tokens.append(api_token_issue(member=member, channel=SignInChannel.WECHAT)[1])
    resources = []
    for n in range(POPULAR + OTHER_RESOURCES + 1):
        resource = Resource.objects.create(
            unit=units[n % len(units)],
            kind="equipment",
            name=f"热门仪器{n}" if n < POPULAR else f"仪器{n}",
            requires_approval=False,
            max_days_ahead=90,
            buffer_minutes=0,
            max_duration_minutes=240,
            min_notice_minutes=0,
            slot_minutes=30,
            min_duration_minutes=30,
            classification_code=f"0101{n:02d}" if classified else "",
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, weekday=d, start_time=dt.time(0), end_time=dt.time(0))
            for d in range(7)
        )
        resources.append(resource.pk)
    return {
        "tokens": tokens[: CLIENTS * TOKENS_PER_CLIENT],
        "quiet_tokens": tokens[CLIENTS * TOKENS_PER_CLIENT :],
        "popular": resources[:POPULAR],
        "quiet": resources[-1],
        "all": resources,
        "member_id": Member.objects.order_by("pk").values_list("pk", flat=True).first(),
        "unit_id": units[0].pk,
    }


def double_bookings() -> int:
    """Pairs of blocking bookings of one resource that overlap (the scheduler's statuses,
    holds included)."""
    from django.db import connection

    from bookings.models import BLOCKING_STATUSES

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
              ON a.resource_id = b.resource_id AND a.id < b.id
             AND tstzrange(a.start, a.blocked_until) && tstzrange(b.start, b.blocked_until)
             WHERE a.status = ANY(%s) AND b.status = ANY(%s)
            """,
            [list(BLOCKING_STATUSES), list(BLOCKING_STATUSES)],
        )
        return cursor.fetchone()[0]


def history_load(world: dict, upto: int, already: int) -> float:
    """Add past bookings ``already``..``upto`` in one INSERT … SELECT generate_series: one
    hour every three hours, going back from a week ago, spread round-robin over the
    resources, never overlapping. Returns seconds taken."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO bookings_booking (resource_id, member_id, unit_id, start, "end",
                blocked_until, purpose, attendees, status, cancelled_late, mode, created_at,
                updated_at)
            SELECT (%(resources)s::bigint[])[1 + n %% %(count)s], %(member)s, %(unit)s,
                   t, t + interval '1 hour', t + interval '1 hour', '历史', 1, 'completed',
                   false, 'self_use', t, t
              FROM generate_series(%(first)s, %(last)s) AS n,
                   LATERAL (SELECT now() - interval '7 days'
                                   - (n / %(count)s + 1) * interval '3 hours' AS t) AS s
            """,
            {
                "resources": world["all"],
                "count": len(world["all"]),
                "member": world["member_id"],
                "unit": world["unit_id"],
                "first": already,
                "last": upto - 1,
            },
        )
        cursor.execute("ANALYZE bookings_booking")
    return time.perf_counter() - started


def explain_week(resource_id: int, start: dt.datetime, end: dt.datetime) -> str:
    """The plan of availability's booking read: the SQL blocking_spans_between sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.selectors import (
        blocking_spans_between,
    )

    with CaptureQueriesContext(connection) as captured:
        blocking_spans_between(
            resource_id=resource_id, start=start, end=end, buffer=dt.timedelta(0)
        )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {captured.captured_queries[-1]['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_window(resource_id: int, member_id: int, start: dt.datetime) -> str:
    """The plan of the scheduler's window read at this history (the second of the two
    statements bookings.window_reads sends as one): the booking branch should be an index
    scan of the exclusion constraint's GiST index on both columns, whatever the history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alliance.models import Member
    from bookings.selectors import booking_window_get

    member = Member.objects.get(pk=member_id)
    with CaptureQueriesContext(connection) as captured:
        booking_window_get(
            resource_id=resource_id,
            member=member,
            start=start,
            end=start + dt.timedelta(hours=1),
            now=start - dt.timedelta(hours=1),
        )
    window = captured.captured_queries[-1]["sql"].split(";\n", 1)[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {window}")
        return "\n".join(row[0] for row in cursor.fetchall())
