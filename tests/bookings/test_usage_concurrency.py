"""Real races on PostgreSQL: many members scan the same free instrument at the same moment;
exactly one session starts. The controls switch off the resource lock (the partial unique
index alone keeps one running session), then the index too (every thread starts one: the
race is real). See docs/bookings-concurrency.md and docs/interlock.md."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from alliance.errors import Conflict, Unavailable
from bookings import usage, usage_records
from bookings.models import UsageSession
from resources.models import Resource
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12
ROUNDS = 5
NOW = local(2026, 11, 24, 9)


def race(resource, members):
    barrier = threading.Barrier(len(members), timeout=30)
    outcomes: list = [None] * len(members)

    def attempt(i):
        try:
            barrier.wait()
            usage.usage_start(
                actor=members[i], resource_id=resource.pk, code=resource.checkin_code, now=NOW
            )
            outcomes[i] = "won"
        except (Conflict, Unavailable) as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.fixture
def contenders():
    resource = ResourceFactory(allows_walk_up=True)
    return resource, [MemberFactory() for _ in range(THREADS)]


def running(resource):
    return UsageSession.objects.filter(resource=resource, stopped_at__isnull=True).count()


def test_twelve_scans_of_a_free_instrument_start_exactly_one_session(contenders):
    resource, members = contenders
    for _round in range(ROUNDS):
        outcomes = race(resource, members)
        assert Counter(outcomes) == {"won": 1, "instrument_in_use": THREADS - 1}, outcomes
        assert running(resource) == 1
        UsageSession.objects.filter(resource=resource).delete()


def _without_lock(resource_id):
    return Resource.objects.get(pk=resource_id)


def check_then_wait_once():
    """The running-session check, then a wait until every thread has checked."""
    line_up = threading.Barrier(THREADS, timeout=30)
    real = usage_records.session_running_get
    state = threading.local()

    def check_then_wait(**kwargs):
        found = real(**kwargs)
        calls = getattr(state, "calls", 0)
        state.calls = calls + 1
        if calls == 0:  # session_open's check (usage_start's own is switched off)
            line_up.wait()
        return found

    return check_then_wait


def test_control_without_the_lock_the_index_alone_keeps_one_session(contenders, monkeypatch):
    resource, members = contenders
    checker = check_then_wait_once()
    monkeypatch.setattr(usage, "_resource_lock", _without_lock)
    monkeypatch.setattr(usage, "session_running_get", lambda **kw: None)
    monkeypatch.setattr(usage_records, "session_running_get", checker)
    outcomes = race(resource, members)
    assert Counter(outcomes) == {"won": 1, "instrument_in_use": THREADS - 1}, outcomes
    assert running(resource) == 1


def test_control_without_lock_and_index_the_race_starts_many_sessions(contenders, monkeypatch):
    resource, members = contenders
    index = next(
        c
        for c in UsageSession._meta.constraints
        if c.name == "usage_one_running_session_per_resource"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(UsageSession, index)
    try:
        checker = check_then_wait_once()
        monkeypatch.setattr(usage, "_resource_lock", _without_lock)
        monkeypatch.setattr(usage, "session_running_get", lambda **kw: None)
        monkeypatch.setattr(usage_records, "session_running_get", checker)
        outcomes = race(resource, members)
        assert outcomes.count("won") == THREADS, outcomes
        assert running(resource) == THREADS
    finally:
        UsageSession.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(UsageSession, index)
