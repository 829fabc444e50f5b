"""Series under concurrency on PostgreSQL (issue 12): a series and single bookings racing for
the same slots never double-book, and a refused all-or-nothing series stores nothing. The
control shows the exclusion constraint alone keeps the last word when the re-check under
the lock is skipped (a stale preview)."""

import datetime as dt
import threading

import pytest
from django.db import connections

from alliance.errors import Conflict, Unavailable
from bookings import series as series_module
from bookings.models import BLOCKING_STATUSES, Booking, BookingSeries
from bookings.series import series_create
from bookings.series_selectors import series_preview
from bookings.services import booking_create
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 11, 23, 8)
FIRST = local(2026, 11, 24, 9)
HOUR = dt.timedelta(hours=1)


def no_overlap(resource):
    rows = list(
        Booking.objects.filter(resource=resource, status__in=BLOCKING_STATUSES).order_by("start")
    )
    return all(a.blocked_until <= b.start for a, b in zip(rows, rows[1:], strict=False))


def test_a_series_racing_single_bookings_of_its_dates_never_double_books():
    room = ResourceFactory(max_days_ahead=400)
    members = [MemberFactory() for _ in range(5)]
    barrier = threading.Barrier(5, timeout=30)
    outcomes = [None] * 5

    def attempt(i):
        try:
            barrier.wait()
            if i == 0:
                series_create(
                    member=members[0],
                    resource_id=room.pk,
                    rule="FREQ=WEEKLY;COUNT=4",
                    start=FIRST,
                    duration=HOUR,
                    purpose="组会",
                    now=NOW,
                )
            else:
                start = FIRST + dt.timedelta(weeks=i - 1)
                booking_create(
                    member=members[i],
                    resource_id=room.pk,
                    start=start,
                    end=start + HOUR,
                    purpose="单次",
                    now=NOW,
                )
            outcomes[i] = "won"
        except (Conflict, Unavailable) as exc:
            outcomes[i] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert no_overlap(room)
    if outcomes[0] == "won":  # the series first: every single booking lost
        assert outcomes[1:] == ["conflict"] * 4
        assert Booking.objects.filter(series__isnull=False).count() == 4
    else:  # some single booking first: the all-or-nothing series stored nothing
        assert outcomes[0] == "series_clash"
        assert not BookingSeries.objects.exists()
        assert "won" in outcomes[1:]


def test_control_a_stale_preview_under_the_lock_meets_the_exclusion_constraint(monkeypatch):
    room = ResourceFactory(max_days_ahead=400)
    member = MemberFactory()
    ask = {
        "member": member,
        "resource_id": room.pk,
        "rule": "FREQ=WEEKLY;COUNT=3",
        "start": FIRST,
        "duration": HOUR,
        "now": NOW,
    }
    stale = series_preview(**ask)  # all free, read before the other booking below
    BookingFactory(
        resource=room,
        start=FIRST + dt.timedelta(weeks=1),
        end=FIRST + dt.timedelta(weeks=1, hours=1),
    )
    calls = []

    def preview(**kwargs):
        calls.append(1)
        return stale if len(calls) <= 2 else series_preview(**kwargs)

    monkeypatch.setattr(series_module, "series_preview", preview)
    with pytest.raises(Conflict) as refused:
        series_create(purpose="组会", **ask)
    assert refused.value.code == "series_clash"
    assert "2026-12-01" in str(refused.value.message)
    assert not BookingSeries.objects.exists()
    assert Booking.objects.count() == 1
