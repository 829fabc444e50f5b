"""Recurring bookings in the web app (issue 12): the repeat option previews, then books all
or skips clashes; "My series" lists them and cancels one, the following or all, in a
constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking, BookingSeries, BookingStatus
from bookings.series import series_create
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {
    "start": "2026-11-24T09:00",
    "minutes": "60",
    "purpose": "组会",
    "attendees": "1",
    "repeat": "weekly",
    "count": "3",
    "until": "",
}


@pytest.fixture
def room():
    room = ResourceFactory(max_days_ahead=400, name="会议室")
    BookingFactory(resource=room, start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))
    return room


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member.user)
    return member


def test_the_booking_form_offers_repeats(client, room, member):
    url = reverse("web:resource-book", args=[room.pk]) + "?start=2026-11-24T09:00"
    html = client.get(url, **HTMX).content.decode()
    assert 'data-testid="repeat"' in html
    assert 'data-testid="repeat-preview"' in html


def test_preview_then_skip_clashes(client, room, member):
    preview = client.post(reverse("web:resource-series-preview", args=[room.pk]), FORM, **HTMX)
    html = preview.content.decode()
    assert html.count('data-testid="occurrence"') == 3
    assert html.count('data-free="false"') == 1
    assert 'data-testid="series-book-skip"' in html
    assert not BookingSeries.objects.exists()

    refused = client.post(
        reverse("web:resource-series", args=[room.pk]), {**FORM, "mode": "all"}, **HTMX
    )
    assert 'data-code="series_clash"' in refused.content.decode()
    assert not BookingSeries.objects.exists()

    made = client.post(
        reverse("web:resource-series", args=[room.pk]), {**FORM, "mode": "skip"}, **HTMX
    )
    assert 'data-testid="series-skipped"' in made.content.decode()
    assert Booking.objects.filter(series__isnull=False).count() == 2


def make(room, member, start, count=4):
    return series_create(
        member=member,
        resource_id=room.pk,
        rule=f"FREQ=WEEKLY;COUNT={count}",
        start=start,
        duration=local(2026, 1, 1, 1) - local(2026, 1, 1),
        purpose="组会",
    )


def test_my_series_in_constant_queries_and_cancel_following(client, room, member):
    first = make(room, member, local(2026, 11, 25, 9), count=2)
    url = reverse("web:my-series")
    client.get(url)  # the session's first reads
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    make(room, member, local(2026, 11, 26, 9), count=6)
    make(room, member, local(2026, 11, 27, 9), count=6)
    with CaptureQueriesContext(connection) as three:
        html = client.get(url).content.decode()
    assert len(three) == len(one)
    assert html.count('data-testid="series"') == 3

    made = make(room, member, local(2026, 11, 30, 9))
    second = made.bookings[1]
    client.post(
        reverse("web:series-cancel", args=[made.series.pk]),
        {"scope": "following", "booking": second.pk},
    )
    statuses = list(made.series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == ["approved", "cancelled", "cancelled", "cancelled"]
    client.post(reverse("web:series-cancel", args=[first.series.pk]), {"scope": "all"})
    assert not first.series.occurrences.filter(status=BookingStatus.APPROVED).exists()


def test_someone_elses_series_is_404(client, room, member):
    other = make(room, MemberFactory(), local(2026, 11, 25, 9))
    response = client.post(reverse("web:series-cancel", args=[other.series.pk]), {"scope": "all"})
    assert response.status_code == 404
