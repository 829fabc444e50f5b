"""The quota race on PostgreSQL (issue 12): bookings that each fit a quota alone but not
together, on two DIFFERENT resources of one kind (so the resource lock does not order them),
never both succeed. The control switches the quota lock off and shows the race is real.
See docs/bookings-concurrency.md, "Quotas"."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connections

from alliance.errors import Conflict, Unavailable, ValidationFailed
from bookings import quotas
from bookings.models import Booking, Quota
from bookings.services import booking_create
from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
NOW = local(2026, 11, 23, 7)


def race(attempts):
    """Run booking_create for each (member, resource) at once; return outcomes."""
    barrier = threading.Barrier(len(attempts), timeout=30)
    outcomes: list = [None] * len(attempts)

    def attempt(i):
        member, resource, start = attempts[i]
        try:
            barrier.wait()
            booking_create(
                member=member,
                resource_id=resource.pk,
                start=start,
                end=start + dt.timedelta(hours=1),
                purpose="并发配额",
                now=NOW,
            )
            outcomes[i] = "won"
        except (Conflict, Unavailable, ValidationFailed) as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.fixture
def kind_with_quota():
    resources = [ResourceFactory(kind=ResourceKind.EQUIPMENT) for _ in range(THREADS)]
    Quota.objects.create(
        kind=ResourceKind.EQUIPMENT, scope="member", measure="bookings", period="day", limit=1
    )
    return resources


def test_one_member_on_many_resources_of_a_kind_gets_one_booking(kind_with_quota):
    member = MemberFactory()
    start = local(2026, 11, 24, 9)
    outcomes = race([(member, resource, start) for resource in kind_with_quota])
    assert Counter(outcomes) == {"won": 1, "quota_exceeded": THREADS - 1}, outcomes
    assert Booking.objects.filter(member=member).count() == 1


def test_one_unit_on_many_resources_of_a_kind_keeps_its_hours(kind_with_quota):
    Quota.objects.all().delete()
    Quota.objects.create(
        kind=ResourceKind.EQUIPMENT, scope="unit", measure="hours", period="week", limit=3
    )
    first = MemberFactory()
    members = [first] + [MemberFactory(unit=first.unit) for _ in range(THREADS - 1)]
    start = local(2026, 11, 24, 9)
    outcomes = race(list(zip(members, kind_with_quota, [start] * THREADS, strict=True)))
    assert Counter(outcomes) == {"won": 3, "quota_exceeded": THREADS - 3}, outcomes
    assert Booking.objects.filter(unit=first.unit).count() == 3


def test_control_without_the_quota_lock_the_quota_is_exceeded(kind_with_quota, monkeypatch):
    """The control: with the unit/member lock switched off, and every thread made to count
    before any inserts, every thread passes the quota and books."""
    line_up = threading.Barrier(THREADS, timeout=30)
    real_use = quotas.quota_use

    def count_then_wait(*args, **kwargs):
        use = real_use(*args, **kwargs)
        line_up.wait()
        return use

    monkeypatch.setattr(quotas, "_quota_locks", lambda **kwargs: None)
    monkeypatch.setattr(quotas, "quota_use", count_then_wait)
    member = MemberFactory()
    start = local(2026, 11, 24, 9)
    outcomes = race([(member, resource, start) for resource in kind_with_quota])
    assert outcomes.count("won") == THREADS, outcomes
    assert Booking.objects.filter(member=member).count() == THREADS
