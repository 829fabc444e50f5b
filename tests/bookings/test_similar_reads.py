"""bookings.similar_reads answers what the ORM's definitions answer (bookings.similar.
similar_resources_get, then bookings.search.search_reads_get), in one round trip on
PostgreSQL: the candidates, their hours, make-up days, closures, blocking bookings with the
widest buffer, allow-lists and the member's valid qualifications."""

import datetime as dt

import pytest
from django.conf import settings

from bookings.models import BookingStatus
from bookings.search import search_reads_get
from bookings.similar import SIMILAR_CANDIDATES, similar_class, similar_resources_get
from bookings.similar_reads import similar_search_read
from resources.qualification_models import Qualification, QualificationStatus
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 23, 8)
START = local(2026, 11, 24, 9)
END = START + dt.timedelta(days=settings.BOOKING_ALTERNATIVES_SEARCH_DAYS, hours=1)


def qualification(member, resource, status=QualificationStatus.GRANTED, lapses_at=None):
    return Qualification.objects.create(
        member=member,
        resource=resource,
        status=status,
        granted_at=NOW - dt.timedelta(days=30) if status == QualificationStatus.GRANTED else None,
        lapses_at=lapses_at,
    )


def both_reads(resource, member):
    prefix = similar_class(resource) if resource.kind == "equipment" else None
    raw = similar_search_read(
        resource=resource,
        prefix=prefix,
        limit=SIMILAR_CANDIDATES,
        member=member,
        start=START,
        end=END,
        now=NOW,
    )
    candidates = similar_resources_get(resource=resource)
    if not candidates:  # search_reads_get's precondition
        return raw, (candidates, None)
    orm = (
        candidates,
        search_reads_get(resources=candidates, member=member, start=START, end=END, now=NOW),
    )
    return raw, orm


def test_the_one_round_trip_reads_what_the_orm_reads():
    member = MemberFactory()
    asked = ResourceFactory(classification_code="010101", name="电镜-问")
    buffered = ResourceFactory(classification_code="010102", name="电镜-缓冲", buffer_minutes=90)
    gated = ResourceFactory(
        classification_code="010103", name="电镜-需培训", requires_qualification=True
    )
    lapsed = ResourceFactory(
        classification_code="010104", name="电镜-资格过期", requires_qualification=True
    )
    listed = ResourceFactory(
        classification_code="010105",
        name="电镜-名单",
        hours=[(5, "09:00", "12:00"), (0, "00:00", "00:00")],
    )
    listed.allowed_units.add(member.unit, UnitFactory())
    ResourceFactory(classification_code="010106", name="电镜-退役", is_retired=True)
    ResourceFactory(classification_code="010201", name="另一类")
    ResourceFactory(kind="lab", classification_code="010107", name="实验室")
    qualification(member, gated)
    qualification(member, lapsed, lapses_at=NOW - dt.timedelta(days=1))
    qualification(MemberFactory(), lapsed)  # someone else's
    MakeUpWorkingDayFactory(date=dt.date(2026, 11, 28), opens_as=4)
    MakeUpWorkingDayFactory(date=dt.date(2027, 3, 1))  # outside the window
    ClosureFactory(resource=buffered, start=local(2026, 11, 25, 8), end=local(2026, 11, 25, 12))
    ClosureFactory(resource=None, start=local(2026, 11, 30, 0), end=local(2026, 12, 1, 0))
    ClosureFactory(resource=asked, start=local(2026, 11, 26, 8), end=local(2026, 11, 26, 9))
    ClosureFactory(resource=listed, start=local(2027, 1, 5, 8), end=local(2027, 1, 6, 8))
    for resource, day, status in [
        (buffered, 24, BookingStatus.APPROVED),
        (buffered, 25, BookingStatus.PENDING),
        (gated, 24, BookingStatus.CANCELLED),  # not blocking
        (gated, 26, BookingStatus.HELD),
        (listed, 27, BookingStatus.APPROVED),
        (asked, 24, BookingStatus.APPROVED),  # the asked one is not a candidate
    ]:
        start = local(2026, 11, day, 10)
        BookingFactory(
            resource=resource, start=start, end=start + dt.timedelta(hours=1), status=status
        )
    # Starts within the widest buffer (90 minutes) after the window's end: it counts.
    edge = END + dt.timedelta(minutes=60)
    BookingFactory(resource=gated, start=edge, end=edge + dt.timedelta(hours=1))
    later = END + dt.timedelta(hours=3)
    BookingFactory(resource=gated, start=later, end=later + dt.timedelta(hours=1))

    (raw_candidates, raw), (orm_candidates, orm) = both_reads(asked, member)

    assert {c.pk for c in raw_candidates} == {buffered.pk, gated.pk, lapsed.pk, listed.pk}
    assert raw_candidates == orm_candidates
    assert [c.unit for c in raw_candidates] == [c.unit for c in orm_candidates]
    assert raw.allowed == orm.allowed == {listed.pk: {u.pk for u in listed.allowed_units.all()}}
    assert raw.qualified == orm.qualified == {gated.pk}
    assert raw.blocking == orm.blocking
    assert len(raw.blocking[gated.pk]) == 2  # held, and the one in the buffer's reach
    assert raw.calendars == orm.calendars
    assert [c.reason for c in raw.calendars[buffered.pk].closures] == ["设备维护"] * 2


def test_labs_and_venues_by_kind_and_at_most_the_limit():
    asked = ResourceFactory(kind="venue", name="报告厅")
    for n in range(SIMILAR_CANDIDATES + 2):
        ResourceFactory(kind="venue", name=f"会议室{n:02d}")
    ResourceFactory(kind="lab", name="实验室")
    member = MemberFactory()

    (raw_candidates, raw), (orm_candidates, orm) = both_reads(asked, member)

    assert len(raw_candidates) == SIMILAR_CANDIDATES
    assert raw_candidates == orm_candidates
    assert raw == orm


def test_no_candidates_reads_empty():
    asked = ResourceFactory(classification_code="0101")
    ResourceFactory(classification_code="0102")
    (raw_candidates, raw), (orm_candidates, _) = both_reads(asked, MemberFactory())
    assert raw_candidates == orm_candidates == []
    assert raw.calendars == {}
    assert raw.blocking == {}
