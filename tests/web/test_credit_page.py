"""My credit score page (issue 12): the score, a suspension, the history; constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import MemberRole
from bookings.credit import credit_misuse_report
from bookings.models import Booking
from tests.conftest import FROZEN_NOW
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.web.test_qualification_pages import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def misuse(member, resource, manager, points):
    start = FROZEN_NOW - dt.timedelta(days=1 + Booking.objects.count())
    booking = BookingFactory(
        member=member, resource=resource, start=start, end=start + dt.timedelta(hours=1)
    )
    credit_misuse_report(actor=manager, booking_id=booking.pk, points=points, reason="未归位")


def test_a_member_sees_a_full_score_then_costs_and_the_suspension(client):
    member = MemberFactory()
    resource = ResourceFactory()
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    client = signed_in(client, member)
    url = reverse("web:my-credit")

    html = client.get(url).content.decode()
    assert 'data-testid="credit-score">100<' in html
    assert "credit-suspended" not in html

    misuse(member, resource, manager, 45)
    html = client.get(url).content.decode()
    assert 'data-testid="credit-score">55<' in html
    assert 'data-kind="misuse"' in html
    assert "未归位" in html
    assert 'data-testid="credit-suspended"' in html


def test_the_page_takes_the_same_queries_whatever_the_history(client):
    member = MemberFactory()
    resource = ResourceFactory()
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    client = signed_in(client, member)

    def queries():
        with CaptureQueriesContext(connection) as counted:
            assert client.get(reverse("web:my-credit")).status_code == 200
        return len(counted)

    misuse(member, resource, manager, 1)
    small = queries()
    for _ in range(5):
        misuse(member, resource, manager, 1)
    assert queries() == small
