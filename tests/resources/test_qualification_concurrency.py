"""Qualifications under concurrent writers, on PostgreSQL with real connections: at most one
open qualification per member and resource, and one decision per request. A control shows
that the harness does catch duplicates where no constraint guards the rows."""

import threading

import pytest
from django.db import connection

from alliance.errors import Conflict
from alliance.models import MemberRole
from bookings.qualifications import (
    qualification_grant,
    qualification_refuse,
    qualification_request,
)
from resources.models import Qualification, QualificationEvent, QualificationStatus
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 6


def run_workers(count, work):
    """Run ``work(index)`` in ``count`` threads started together; return each result or the
    DomainError it raised."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Conflict as refusal:
            results[index] = refusal
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def krios():
    return ResourceFactory(requires_qualification=True)


def test_concurrent_requests_open_one_qualification(krios):
    member = MemberFactory()

    results = run_workers(
        WORKERS, lambda _i: qualification_request(member=member, resource_id=krios.pk)
    )

    created = [r for r in results if isinstance(r, Qualification)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1
    assert {r.code for r in refused} == {"qualification_exists"}
    assert len(refused) == WORKERS - 1
    assert Qualification.objects.count() == 1
    assert QualificationEvent.objects.count() == 1


def test_control_check_then_insert_alone_lets_duplicates_through(krios):
    """The same check-then-insert on rows no constraint guards (closed ones): the threads
    all pass the check before any inserts, so the harness does produce duplicates."""
    member = MemberFactory()
    barrier = threading.Barrier(WORKERS)

    def insert(_index):
        found = Qualification.objects.filter(
            member=member, resource=krios, status=QualificationStatus.REFUSED
        ).exists()
        barrier.wait(timeout=10)
        if not found:
            Qualification.objects.create(
                member=member, resource=krios, status=QualificationStatus.REFUSED
            )

    run_workers(WORKERS, insert)

    assert Qualification.objects.count() == WORKERS


def test_a_grant_and_a_refusal_at_once_decide_once(krios):
    manager = MemberFactory(unit=krios.unit, role=MemberRole.UNIT_MANAGER)
    secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
    qualification = qualification_request(member=MemberFactory(), resource_id=krios.pk)

    def decide(index):
        if index % 2:
            return qualification_grant(actor=manager, qualification_id=qualification.pk)
        return qualification_refuse(
            actor=secretariat, qualification_id=qualification.pk, reason="名额已满"
        )

    results = run_workers(WORKERS, decide)

    decided = [r for r in results if isinstance(r, Qualification)]
    assert len(decided) == 1
    assert all(r.code == "qualification_state" for r in results if isinstance(r, Conflict))
    qualification.refresh_from_db()
    assert qualification.status == decided[0].status
    assert qualification.events.count() == 2  # requested, then one decision
