"""The public summary page: anonymous, three numbers, no names, a constant number of
queries whatever the data (and none of the figures' once cached)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookings.figures import PUBLIC_SUMMARY_CACHE_KEY
from bookings.models import BookingStatus
from tests.bookings.figures_fixture import alliance_build, session
from tests.conftest import local
from tests.factories import BookingFactory, ResourceFactory

pytestmark = pytest.mark.django_db

AFTER = local(2026, 3, 1, 12)


def _page() -> tuple[int, str, int]:
    cache.delete(PUBLIC_SUMMARY_CACHE_KEY)
    with time_machine.travel(AFTER, tick=False), CaptureQueriesContext(connection) as queries:
        response = Client().get("/summary/")
    return response.status_code, response.content.decode(), len(queries)


def test_the_summary_page_shows_the_three_numbers_to_anyone():
    with time_machine.travel(AFTER, tick=False):
        alliance = alliance_build()
    status, html, _ = _page()
    assert status == 200
    assert 'data-testid="shared-resources"' in html
    assert "<strong>3</strong>" in html
    assert "<strong>10.5</strong>" in html
    assert "<strong>2</strong>" in html
    assert alliance.b1.name not in html


def test_the_summary_page_costs_the_same_queries_at_two_sizes():
    with time_machine.travel(AFTER, tick=False):
        alliance = alliance_build()
    _, _, small = _page()
    resource = ResourceFactory(unit=alliance.c)
    for day in range(5, 25):
        booking = BookingFactory(
            resource=resource,
            member=alliance.b1,
            start=local(2026, 1, day, 9),
            end=local(2026, 1, day, 10),
            status=BookingStatus.COMPLETED,
        )
        session(resource, alliance.b1, booking.start, booking.end, booking=booking)
    _, _, more = _page()
    assert more == small
