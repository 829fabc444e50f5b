"""The waitlist in the web app (issue 12): the conflict answer offers to join, "My
waitlist" shows the place in line and the hold's end, and claims, declines and leaves, in a
constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.services import booking_cancel
from bookings.waitlist import waitlist_join
from bookings.waitlist_models import WaitlistEntry
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {"start": "2026-11-24T10:00", "minutes": "60", "purpose": "测样", "attendees": "1"}


@pytest.fixture
def room():
    return ResourceFactory(name="质谱仪")


@pytest.fixture
def taken(room):
    return BookingFactory(resource=room, start=local(2026, 11, 24, 10), end=local(2026, 11, 24, 11))


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member.user)
    return member


def test_the_conflict_answer_offers_the_waitlist_and_joining_puts_one_in_line(
    client, room, taken, member
):
    conflict = client.post(reverse("web:resource-book", args=[room.pk]), FORM, **HTMX)
    html = conflict.content.decode()
    assert 'data-testid="conflict"' in html
    assert 'data-testid="waitlist-join"' in html
    assert 'value="2026-11-24T10:00"' in html
    joined = client.post(reverse("web:resource-waitlist-join", args=[room.pk]), FORM, **HTMX)
    assert 'data-testid="waitlist-joined"' in joined.content.decode()
    entry = WaitlistEntry.objects.get()
    assert (entry.member, entry.start, entry.status) == (member, local(2026, 11, 24, 10), "waiting")


def test_joining_a_free_slot_is_refused_with_its_message(client, room, member):
    answer = client.post(reverse("web:resource-waitlist-join", args=[room.pk]), FORM, **HTMX)
    assert 'data-code="waitlist_slot_free"' in answer.content.decode()
    assert not WaitlistEntry.objects.exists()


def join(member, room, hour=10):
    return waitlist_join(
        member=member,
        resource_id=room.pk,
        start=local(2026, 11, 24, hour),
        end=local(2026, 11, 24, hour + 1),
        purpose="候补",
    )


def test_my_waitlist_shows_the_place_in_line_in_constant_queries(client, room, taken, member):
    url = reverse("web:my-waitlist")
    assert 'data-testid="no-waitlist"' in client.get(url).content.decode()
    join(MemberFactory(), room)
    join(member, room)
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    assert 'data-testid="waitlist-leave"' in html
    assert "2" in html.split('data-testid="waitlist-status"')[1].split("</p>")[0]
    for hour in (12, 14):
        BookingFactory(
            resource=room, start=local(2026, 11, 24, hour), end=local(2026, 11, 24, hour + 1)
        )
        join(member, room, hour)
    with CaptureQueriesContext(connection) as three:
        html = client.get(url).content.decode()
    assert html.count('data-testid="waitlist-entry"') == 3
    assert len(three) == len(one)


def test_claim_from_my_waitlist(client, room, taken, member, django_capture_on_commit_callbacks):
    entry = join(member, room)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=taken.member, booking_id=taken.pk, reason="", now=FROZEN_NOW)
    html = client.get(reverse("web:my-waitlist")).content.decode()
    assert 'data-testid="waitlist-hold"' in html
    assert "08:30" in html  # held for 30 minutes from 08:00
    answer = client.post(reverse("web:waitlist-claim", args=[entry.pk]), follow=True)
    assert 'data-status="claimed"' in answer.content.decode()
    entry.refresh_from_db()
    assert entry.hold.status == "approved"


def test_decline_and_leave_and_nobody_elses_entry(client, room, taken, member):
    entry = join(member, room)
    other = join(MemberFactory(), room)
    assert client.post(reverse("web:waitlist-leave", args=[other.pk])).status_code == 404
    answer = client.post(reverse("web:waitlist-decline", args=[entry.pk]))
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "waiting"  # nothing held: declining refused
    client.post(reverse("web:waitlist-leave", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "left"


def test_the_me_page_links_my_waitlist(client, member):
    assert 'data-testid="my-waitlist-link"' in client.get(reverse("web:me")).content.decode()
