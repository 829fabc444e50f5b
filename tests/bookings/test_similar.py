"""Similar resources (issue 12): a conflict also offers free slots as long on resources of
the same kind and class that the member may book, in a fixed number of queries."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.errors import Conflict
from bookings import similar
from bookings.services import booking_create
from bookings.similar import similar_slots
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 23, 8)
SLOT = (local(2026, 11, 24, 9), local(2026, 11, 24, 10))


def instrument(**kwargs):
    return ResourceFactory(kind="equipment", **kwargs)


def taken(resource):
    BookingFactory(resource=resource, start=SLOT[0], end=SLOT[1])
    return resource


def test_a_conflict_offers_the_same_time_on_a_same_class_instrument():
    asked = taken(instrument(classification_code="010101", name="透射电镜A"))
    twin = instrument(classification_code="010199", name="透射电镜B")
    instrument(classification_code="010201", name="另一类")
    instrument(classification_code="010102", name="退役", is_retired=True)
    closed_to_us = instrument(classification_code="0101", name="仅限本单位")
    closed_to_us.allowed_units.add(UnitFactory())
    instrument(classification_code="010103", name="需培训", requires_qualification=True)
    ResourceFactory(kind="lab", classification_code="010104", name="实验室")
    member = MemberFactory()
    with pytest.raises(Conflict) as refused:
        booking_create(
            member=member,
            resource_id=asked.pk,
            start=SLOT[0],
            end=SLOT[1],
            purpose="测试",
            now=NOW,
        )
    assert refused.value.extra["alternatives"]  # the same resource's first
    assert refused.value.extra["similar"] == [
        {"resource": twin.pk, "resource_name": "透射电镜B", "start": SLOT[0], "end": SLOT[1]}
    ]


def test_the_next_free_slot_when_the_twin_is_busy_too_and_venues_by_kind():
    asked = taken(ResourceFactory(kind="venue", name="报告厅"))
    other = taken(ResourceFactory(kind="venue", name="会议室"))
    found = similar_slots(
        resource=asked, member=MemberFactory(), start=SLOT[0], end=SLOT[1], now=NOW
    )
    assert [(s.resource_id, s.start) for s in found] == [(other.pk, SLOT[1])]


def test_an_instrument_without_a_class_has_no_similar_ones():
    asked = instrument()
    instrument()
    found = similar_slots(
        resource=asked, member=MemberFactory(), start=SLOT[0], end=SLOT[1], now=NOW
    )
    assert found == []


@pytest.mark.parametrize("candidates", [1, 6])
def test_a_fixed_number_of_queries_whatever_the_candidates(candidates):
    asked = instrument(classification_code="0101")
    for n in range(candidates):
        instrument(classification_code="0101", requires_qualification=n % 2 == 0)
    member = MemberFactory()
    with CaptureQueriesContext(connection) as queries:
        found = similar_slots(resource=asked, member=member, start=SLOT[0], end=SLOT[1], now=NOW)
    # The candidates and the search's reads: one round trip on PostgreSQL (two statements
    # in one call), two statements on SQLite (bookings.similar_reads); the ORM took seven.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert len(found) == min(candidates // 2, 3)
    assert all(s.end - s.start == dt.timedelta(hours=1) for s in found)


def test_an_instrument_without_a_class_reads_nothing():
    asked, member = instrument(), MemberFactory()
    instrument()
    with CaptureQueriesContext(connection) as queries:
        similar_slots(resource=asked, member=member, start=SLOT[0], end=SLOT[1], now=NOW)
    assert len(queries) == 0


def test_a_twin_closed_past_the_next_day_is_offered_after_its_closure():
    asked = taken(instrument(classification_code="0101", name="电镜A"))
    twin = instrument(classification_code="0101", name="电镜B")
    ClosureFactory(resource=twin, start=local(2026, 11, 24, 0), end=local(2026, 11, 27, 12))
    member = MemberFactory()
    with CaptureQueriesContext(connection) as queries:
        found = similar_slots(resource=asked, member=member, start=SLOT[0], end=SLOT[1], now=NOW)
    assert [(s.resource_id, s.start) for s in found] == [(twin.pk, local(2026, 11, 27, 12))]
    # The next day first, then the whole reach: twice the reads.
    assert len(queries) == (2 if connection.vendor == "postgresql" else 4)


@pytest.mark.parametrize("seed", range(12))
def test_the_next_day_first_answers_what_the_whole_reach_answers(seed, monkeypatch):
    """Random busy twins, closures and allow-lists: looking at the day after the slot first
    changes no answer (bookings.similar._may_find_more)."""
    rng = random.Random(seed)
    member = MemberFactory()
    asked = taken(instrument(classification_code="0101", name="电镜"))
    for n in range(rng.randint(1, 6)):
        twin = instrument(
            classification_code="0101",
            name=f"电镜{n}",
            buffer_minutes=rng.choice([0, 0, 30, 120]),
            requires_qualification=rng.random() < 0.2,
        )
        if rng.random() < 0.15:
            twin.allowed_units.add(UnitFactory())
        at = SLOT[0] - dt.timedelta(hours=2)
        for _ in range(rng.randint(0, 8)):  # one after the other: the constraint holds
            at += dt.timedelta(minutes=30 * rng.randint(0, 12))
            end = at + dt.timedelta(minutes=30 * rng.randint(1, 8))
            BookingFactory(resource=twin, start=at, end=end)
            at = end + twin.buffer
        if rng.random() < 0.4:
            start = SLOT[0] + dt.timedelta(hours=rng.randint(-10, 48))
            ClosureFactory(
                resource=twin, start=start, end=start + dt.timedelta(hours=rng.randint(1, 100))
            )
    ask = {"resource": asked, "member": member, "start": SLOT[0], "end": SLOT[1], "now": NOW}

    two_steps = similar_slots(**ask)
    monkeypatch.setattr(similar, "SIMILAR_NEAR", dt.timedelta(days=365))
    whole_reach = similar_slots(**ask)

    assert two_steps == whole_reach
