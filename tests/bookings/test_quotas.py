"""Quotas (issue 12, bookings.quotas): each rule at its edge, nothing written on refusal,
and a resource without quotas pays no extra query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.errors import ValidationFailed
from bookings.models import Booking, BookingEvent, Quota
from bookings.quotas import period_bounds, quota_lines
from bookings.services import booking_cancel, booking_create
from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 23, 7)  # a Monday


def book(member, resource, start, hours=1, now=NOW):
    return booking_create(
        member=member,
        resource_id=resource.pk,
        start=start,
        end=start + dt.timedelta(hours=hours),
        purpose="测试",
        now=now,
    )


def refused(member, resource, start, hours=1):
    before = (Booking.objects.count(), BookingEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        book(member, resource, start, hours)
    assert (Booking.objects.count(), BookingEvent.objects.count()) == before
    return exc.value


@pytest.fixture
def resource():
    return ResourceFactory()


def test_bookings_per_day_edge(resource):
    Quota.objects.create(
        resource=resource, scope="member", measure="bookings", period="day", limit=2
    )
    member = MemberFactory()
    book(member, resource, local(2026, 11, 24, 9))
    book(member, resource, local(2026, 11, 24, 11))
    error = refused(member, resource, local(2026, 11, 24, 14))
    assert error.code == "quota_exceeded"
    assert error.extra["quota_detail"]["left"] == 0
    assert error.extra["quota_detail"]["limit"] == 2
    # The next local day is a new period; another member has their own quota.
    book(member, resource, local(2026, 11, 25, 9))
    book(MemberFactory(), resource, local(2026, 11, 24, 14))


def test_hours_per_week_edge_counts_pending_and_frees_on_cancel(resource):
    resource.requires_approval = True
    resource.save()
    Quota.objects.create(resource=resource, scope="member", measure="hours", period="week", limit=4)
    member = MemberFactory()
    first = book(member, resource, local(2026, 11, 24, 9), hours=3)
    assert first.status == "pending"
    error = refused(member, resource, local(2026, 11, 26, 9), hours=2)
    assert error.extra["quota_detail"]["left"] == 1.0
    assert "1 hours" in error.params["left"] or "1 小时" in error.params["left"]
    book(member, resource, local(2026, 11, 26, 9), hours=1)  # exactly at the limit
    # Monday 30 November starts a new week.
    book(member, resource, local(2026, 11, 30, 9), hours=4)
    booking_cancel(actor=member, booking_id=first.pk, now=NOW)
    book(member, resource, local(2026, 11, 27, 9), hours=3)


def test_hours_per_month_per_unit_on_a_kind_spans_resources():
    a, b = ResourceFactory(), ResourceFactory()
    Quota.objects.create(
        kind=ResourceKind.EQUIPMENT, scope="unit", measure="hours", period="month", limit=3
    )
    first = MemberFactory()
    colleague = MemberFactory(unit=first.unit)
    book(first, a, local(2026, 11, 24, 9), hours=2)
    error = refused(colleague, b, local(2026, 11, 25, 9), hours=2)
    assert error.code == "quota_exceeded"
    book(colleague, b, local(2026, 11, 25, 9), hours=1)
    book(colleague, b, local(2026, 12, 1, 9), hours=2)  # December is a new month
    book(MemberFactory(), b, local(2026, 11, 26, 9), hours=3)  # another unit
    venue = ResourceFactory(kind=ResourceKind.VENUE)
    book(first, venue, local(2026, 11, 26, 9), hours=3)  # another kind


def test_hours_ahead_counts_only_what_has_not_ended(resource):
    Quota.objects.create(
        resource=resource, scope="member", measure="hours_ahead", period="none", limit=3
    )
    member = MemberFactory()
    book(member, resource, local(2026, 11, 24, 9), hours=2)
    refused(member, resource, local(2026, 11, 25, 9), hours=2)
    book(member, resource, local(2026, 11, 25, 9), hours=1)
    # Once the first has ended its hours are no longer ahead.
    later = local(2026, 11, 24, 12)
    book(member, resource, local(2026, 11, 26, 9), hours=2, now=later)


def test_period_bounds_are_local():
    day = period_bounds("day", local(2026, 11, 24, 0, 30))
    assert day == (local(2026, 11, 24), local(2026, 11, 25))
    assert period_bounds("week", local(2026, 11, 29, 23))[0] == local(2026, 11, 23)
    assert period_bounds("month", local(2026, 12, 31, 23)) == (
        local(2026, 12, 1),
        local(2027, 1, 1),
    )


def test_quota_lines_in_words(resource):
    Quota.objects.create(
        resource=resource, scope="member", measure="hours", period="week", limit=10
    )
    Quota.objects.create(
        kind=resource.kind, scope="unit", measure="bookings", period="day", limit=2
    )
    lines = quota_lines(resource)
    assert len(lines) == 2
    assert any("10" in line for line in lines)


def _queries(resource, member, start):
    with CaptureQueriesContext(connection) as captured:
        book(member, resource, start)
    return len(captured)


def test_a_resource_without_quotas_pays_no_extra_query(resource):
    member = MemberFactory()
    base = _queries(resource, member, local(2026, 11, 24, 9))
    # A quota of another kind does not apply: the same count.
    Quota.objects.create(
        kind=ResourceKind.VENUE, scope="member", measure="bookings", period="day", limit=5
    )
    assert _queries(resource, member, local(2026, 11, 24, 11)) == base
    # A quota of this resource: the quota read, one lock, one count.
    Quota.objects.create(
        resource=resource, scope="member", measure="bookings", period="day", limit=5
    )
    assert _queries(resource, member, local(2026, 11, 24, 13)) == base + 3


def test_the_resource_page_shows_the_quotas_in_words(client, resource):
    from django.urls import reverse

    Quota.objects.create(
        resource=resource, scope="member", measure="hours", period="week", limit=10
    )
    member = MemberFactory()
    client.force_login(member.user)
    html = client.get(reverse("web:resource", args=[resource.pk])).content.decode()
    assert 'data-rule="quota"' in html
