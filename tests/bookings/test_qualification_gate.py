"""The qualification gate: a self-use booking of a resource that requires a qualification
is refused with ``not_qualified`` unless the member holds a granted, unlapsed one; the
free-time search and the per-caller predicate say so before anyone tries; a check-in counts
as use."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.errors import ValidationFailed
from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent
from bookings.qualifications import (
    qualification_grant,
    qualification_request,
    qualification_revoke,
)
from bookings.search import resource_search
from bookings.services import booking_check_in, booking_create
from resources.models import Qualification, Resource
from resources.qualifications import qualification_refusal
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db
NOW = FROZEN_NOW
SLOT = (local(2026, 11, 24, 9), local(2026, 11, 24, 10))


@pytest.fixture
def krios():
    return ResourceFactory(requires_qualification=True, qualification_idle_days=90)


@pytest.fixture
def manager(krios):
    return MemberFactory(unit=krios.unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def member():
    return MemberFactory()


def grant(member, resource, manager, now=NOW):
    qualification = qualification_request(member=member, resource_id=resource.pk, now=now)
    return qualification_grant(actor=manager, qualification_id=qualification.pk, now=now)


def book(member, resource, slot=SLOT, now=NOW):
    return booking_create(
        member=member,
        resource_id=resource.pk,
        start=slot[0],
        end=slot[1],
        purpose="单颗粒冷冻电镜数据采集",
        now=now,
    )


def test_without_a_qualification_the_booking_is_refused_and_nothing_written(krios, member):
    with pytest.raises(ValidationFailed) as refused:
        book(member, krios)

    assert refused.value.code == "not_qualified"
    assert Booking.objects.count() == BookingEvent.objects.count() == 0


def test_a_request_or_a_scheduled_training_is_not_yet_a_qualification(krios, member):
    qualification_request(member=member, resource_id=krios.pk, now=NOW)

    with pytest.raises(ValidationFailed) as refused:
        book(member, krios)

    assert refused.value.code == "not_qualified"


def test_with_a_grant_the_member_books(krios, member, manager):
    grant(member, krios, manager)

    assert book(member, krios).pk is not None


def test_a_resource_without_the_requirement_needs_no_qualification(member):
    assert book(member, ResourceFactory()).pk is not None


def test_a_grant_is_valid_until_the_instant_it_lapses_and_not_at_it(krios, member, manager):
    qualification = grant(member, krios, manager)
    lapses_at = qualification.lapses_at
    assert lapses_at == NOW + dt.timedelta(days=90)
    krios.max_days_ahead = 200
    krios.save()
    start = local(2027, 2, 22, 9)  # a Monday after the lapse
    slot = (start, start + dt.timedelta(hours=1))

    # A second before, the qualification holds (the booking is judged at its making).
    assert book(member, krios, slot, now=lapses_at - dt.timedelta(seconds=1)).pk
    other = (start + dt.timedelta(hours=2), start + dt.timedelta(hours=3))
    with pytest.raises(ValidationFailed) as refused:
        book(member, krios, other, now=lapses_at)
    assert refused.value.code == "not_qualified"


def test_a_revoked_qualification_no_longer_lets_the_member_book(krios, member, manager):
    qualification = grant(member, krios, manager)
    qualification_revoke(actor=manager, qualification_id=qualification.pk, reason="违规", now=NOW)

    with pytest.raises(ValidationFailed) as refused:
        book(member, krios)

    assert refused.value.code == "not_qualified"


def test_another_members_or_resources_grant_does_not_count(krios, member, manager):
    grant(MemberFactory(), krios, manager)  # someone else's grant of this instrument
    twin = ResourceFactory(unit=krios.unit, requires_qualification=True)
    grant(member, twin, manager)  # the member's grant of another instrument

    with pytest.raises(ValidationFailed) as refused:
        book(member, krios)

    assert refused.value.code == "not_qualified"


def test_who_may_book_at_all_is_judged_before_the_qualification(krios, member):
    krios.allowed_units.add(UnitFactory())

    with pytest.raises(ValidationFailed) as refused:
        book(member, krios)

    assert refused.value.code == "not_allowed_for_unit"


def test_the_qualification_is_judged_before_the_time(krios, member):
    with pytest.raises(ValidationFailed) as refused:
        book(member, krios, (local(2026, 11, 22, 9), local(2026, 11, 22, 10)))  # the past

    assert refused.value.code == "not_qualified"


def test_the_gate_costs_no_query_of_its_own(krios, member):
    """The qualification is read within the resource's one read: a refusal for want of it
    costs what a refusal for a later rule costs."""
    plain = ResourceFactory(unit=krios.unit, max_duration_minutes=60)
    too_long = (SLOT[0], SLOT[0] + dt.timedelta(hours=2))

    with (
        CaptureQueriesContext(connection) as not_qualified,
        pytest.raises(ValidationFailed, match="not_qualified"),
    ):
        book(member, krios)
    with (
        CaptureQueriesContext(connection) as other_rule,
        pytest.raises(ValidationFailed, match="too_long"),
    ):
        book(member, plain, too_long)

    assert len(not_qualified) == len(other_rule)


def test_the_free_time_search_leaves_out_what_the_member_may_not_use(krios, member, manager):
    plain = ResourceFactory(unit=krios.unit)
    resources = Resource.objects.filter(pk__in=[krios.pk, plain.pk])

    def free():
        found = resource_search(
            resources=resources, member=member, start=SLOT[0], end=SLOT[1], now=NOW
        )
        return {pk for pk, result in found.items() if result.fits}

    assert free() == {plain.pk}
    found = resource_search(resources=resources, member=member, start=SLOT[0], end=SLOT[1], now=NOW)
    assert found[krios.pk].reason == "not_qualified"
    grant(member, krios, manager)
    assert free() == {plain.pk, krios.pk}


def test_the_predicate_says_not_qualified_before_anyone_tries(
    krios, member, manager, django_assert_num_queries
):
    plain = ResourceFactory()
    with django_assert_num_queries(0):
        assert qualification_refusal(member=member, resource=plain, now=NOW) is None
    with django_assert_num_queries(1):
        assert qualification_refusal(member=member, resource=krios, now=NOW) == "not_qualified"
    assert qualification_refusal(member=None, resource=krios, now=NOW) == "not_qualified"
    grant(member, krios, manager)
    assert qualification_refusal(member=member, resource=krios, now=NOW) is None


def test_a_check_in_counts_as_use_and_restarts_the_idle_limit(krios, member, manager):
    qualification = grant(member, krios, manager)
    qualification.reminded_at = NOW
    qualification.save()
    booking = book(member, krios)
    arrival = SLOT[0] - dt.timedelta(minutes=5)

    booking_check_in(actor=member, booking_id=booking.pk, code=krios.checkin_code, now=arrival)

    qualification.refresh_from_db()
    assert qualification.last_used_at == arrival
    assert qualification.lapses_at == arrival + dt.timedelta(days=90)
    assert qualification.reminded_at is None  # a reminder may come again before the new lapse


def test_a_check_in_never_extends_the_fixed_validity(member):
    resource = ResourceFactory(
        requires_qualification=True, qualification_valid_days=30, qualification_idle_days=20
    )
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    qualification = grant(member, resource, manager)
    booking = book(member, resource, (local(2026, 12, 14, 9), local(2026, 12, 14, 10)))

    booking_check_in(
        actor=member, booking_id=booking.pk, code=resource.checkin_code, now=local(2026, 12, 14, 9)
    )

    qualification.refresh_from_db()
    assert qualification.lapses_at == qualification.expires_at == NOW + dt.timedelta(days=30)


def test_a_check_in_without_a_qualification_writes_none(member):
    resource = ResourceFactory()
    booking = book(member, resource)

    booking_check_in(actor=member, booking_id=booking.pk, code=resource.checkin_code, now=SLOT[0])

    assert Qualification.objects.count() == 0


def test_the_search_offers_a_resource_an_unqualified_member_may_book_assisted(krios, member):
    """The gate is self-use's: where assisted use is offered, the search finds the time, as
    the scheduler would book it (assisted) for the same member."""
    krios.offers_assisted = True
    krios.assisted_min_notice_minutes = 0
    krios.save()
    krios.operators.add(MemberFactory(unit=krios.unit))
    resources = Resource.objects.filter(pk=krios.pk)
    found = resource_search(resources=resources, member=member, start=SLOT[0], end=SLOT[1], now=NOW)
    assert found[krios.pk].fits
    booking = booking_create(
        member=member,
        resource_id=krios.pk,
        start=SLOT[0],
        end=SLOT[1],
        purpose="委托上机",
        mode="assisted",
        now=NOW,
    )
    assert booking.mode == "assisted"


def test_the_search_says_a_samples_only_resource_takes_no_booking(member):
    lab = ResourceFactory(offers_self_use=False, offers_samples=True)
    found = resource_search(
        resources=Resource.objects.filter(pk=lab.pk),
        member=member,
        start=SLOT[0],
        end=SLOT[1],
        now=NOW,
    )
    assert (found[lab.pk].fits, found[lab.pk].reason) == (False, "mode_not_offered")
