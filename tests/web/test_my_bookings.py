"""My bookings: upcoming and past with status and the reason of a rejection or cancellation,
one booking with its history, cancelling with htmx (warned when late, refusals as toptips),
and the calendar feed's URL."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import MemberRole
from bookings.lifecycle import booking_reject
from bookings.models import Booking, BookingEvent, BookingStatus, CalendarFeed
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def world(frozen_now):
    """A researcher with an approved booking today at 14:00 (6 hours ahead), one in the past, and a
    rejected one; the resource's unit has a manager."""
    resource = ResourceFactory(name="冷冻电镜", building="B栋", room="3层", requires_approval=True)
    researcher = MemberFactory(name="李研究员")
    manager = MemberFactory(name="王管理员", unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    upcoming = BookingFactory(
        resource=resource,
        member=researcher,
        start=local(2026, 11, 23, 14),
        end=local(2026, 11, 23, 16),
    )
    past = BookingFactory(
        resource=resource,
        member=researcher,
        start=local(2026, 11, 20, 10),
        end=local(2026, 11, 20, 11),
        status=BookingStatus.COMPLETED,
    )
    pending = BookingFactory(
        resource=resource,
        member=researcher,
        start=local(2026, 11, 25, 14),
        end=local(2026, 11, 25, 15),
        status=BookingStatus.PENDING,
    )
    booking_reject(actor=manager, booking_id=pending.pk, reason="设备年检")
    pending.refresh_from_db()
    return type(
        "World",
        (),
        {
            "resource": resource,
            "researcher": researcher,
            "manager": manager,
            "upcoming": upcoming,
            "past": past,
            "rejected": pending,
        },
    )


def test_upcoming_lists_own_bookings_with_unit_local_time_status_and_rejection_reason(world):
    stranger_booking = BookingFactory(
        resource=world.resource, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )

    html = signed_in(world.researcher).get(reverse("web:my-bookings")).content.decode()

    assert "冷冻电镜" in html
    assert world.resource.unit.short_name in html
    assert "2026-11-23 14:00–16:00" in html  # Asia/Shanghai, not UTC (06:00)
    assert "即将开始" in html  # the tabs, in Chinese first
    assert "已批准" in html
    assert "已驳回" in html
    assert "设备年检" in html
    assert f"booking-{world.upcoming.pk}" in html
    assert f'booking-{world.past.pk}"' not in html
    assert f'booking-{stranger_booking.pk}"' not in html


def test_past_lists_ended_bookings_latest_first(world):
    html = signed_in(world.researcher).get(reverse("web:my-bookings") + "?tab=past").text

    assert f"booking-{world.past.pk}" in html
    assert f'booking-{world.upcoming.pk}"' not in html
    assert "2026-11-20 10:00–11:00" in html


def test_bookings_are_paginated(world, frozen_now):
    for day in range(21):
        BookingFactory(
            resource=world.resource,
            member=world.researcher,
            start=local(2026, 12, 1, 8) + dt.timedelta(days=day),
            end=local(2026, 12, 1, 9) + dt.timedelta(days=day),
        )
    client = signed_in(world.researcher)

    first = client.get(reverse("web:my-bookings")).text
    second = client.get(reverse("web:my-bookings") + "?page=2").text

    assert first.count("weui-cell_access") == 20
    assert "1 / 2" in first
    assert second.count("weui-cell_access") == 3


def _many(world, count):
    for i in range(count):
        BookingFactory(
            resource=ResourceFactory(),
            member=world.researcher,
            start=local(2026, 12, 1, 8) + dt.timedelta(days=i),
            end=local(2026, 12, 1, 9) + dt.timedelta(days=i),
        )


@pytest.mark.parametrize("tab", ["upcoming", "past"])
def test_the_list_reads_a_constant_number_of_queries(world, django_assert_num_queries, tab):
    client = signed_in(world.researcher)
    url = reverse("web:my-bookings") + f"?tab={tab}"
    client.get(url)  # warm the session and the language
    _many(world, 2)
    with django_assert_num_queries(7):
        client.get(url)
    _many(world, 15)
    with django_assert_num_queries(7):
        client.get(url)


def test_the_detail_shows_the_booking_and_its_history_with_who_and_why(world):
    html = signed_in(world.researcher).get(reverse("web:booking", args=[world.rejected.pk])).text

    assert "冷冻电镜" in html
    assert "B栋 3层" in html
    assert "2026-11-25 14:00–15:00" in html
    assert "设备年检" in html
    assert "王管理员" in html  # who rejected it
    assert 'data-testid="cancel-open"' not in html  # nothing left to cancel


def test_the_detail_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    client = signed_in(world.researcher)
    url = reverse("web:booking", args=[world.upcoming.pk])
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    for _ in range(10):
        BookingEvent.objects.create(
            booking=world.upcoming,
            action=BookingEvent.Action.REMINDED,
            to_status=BookingStatus.APPROVED,
            actor=world.manager,
            at=local(2026, 11, 23, 7),
        )
    with django_assert_num_queries(7):
        client.get(url)


def test_another_members_booking_is_not_found(world):
    other = MemberFactory()
    client = signed_in(other)

    assert client.get(reverse("web:booking", args=[world.upcoming.pk])).status_code == 404
    response = client.post(reverse("web:booking-cancel", args=[world.upcoming.pk]), **HTMX)
    assert response.status_code == 404
    assert Booking.objects.get(pk=world.upcoming.pk).status == BookingStatus.APPROVED


def test_cancelling_with_htmx_swaps_in_the_cancelled_booking_with_its_reason(world):
    client = signed_in(world.researcher)
    url = reverse("web:booking-cancel", args=[world.upcoming.pk])

    response = client.post(url, {"reason": "样品未到"}, **HTMX)

    assert response.status_code == 200
    html = response.text
    assert 'id="booking-detail"' in html
    assert "已取消" in html
    assert "样品未到" in html
    booking = Booking.objects.get(pk=world.upcoming.pk)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_late is True  # six hours ahead: inside the 24 h
    event = booking.events.get(action=BookingEvent.Action.CANCELLED)
    assert event.reason == "样品未到"
    assert event.actor == world.researcher


def test_a_cancellation_inside_the_late_window_is_warned_about_and_one_outside_is_not(world):
    client = signed_in(world.researcher)
    later = BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=local(2026, 11, 27, 10),
        end=local(2026, 11, 27, 11),
    )

    soon = client.get(reverse("web:booking", args=[world.upcoming.pk])).text
    far = client.get(reverse("web:booking", args=[later.pk])).text

    assert 'data-testid="cancel-open"' in soon
    assert 'data-testid="late-warning"' in soon
    assert 'data-testid="cancel-open"' in far
    assert 'data-testid="late-warning"' not in far


def test_a_refused_cancellation_shows_a_toptip_and_changes_nothing(world):
    client = signed_in(world.researcher)
    url = reverse("web:booking-cancel", args=[world.rejected.pk])
    events = BookingEvent.objects.count()

    response = client.post(url, {"reason": "x"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#toptips"
    assert 'data-code="invalid_transition"' in response.text
    assert "weui-toptips" in response.text
    assert "已驳回" in response.text  # "This booking is Rejected; ..." in Chinese
    assert Booking.objects.get(pk=world.rejected.pk).status == BookingStatus.REJECTED
    assert BookingEvent.objects.count() == events


def test_a_started_booking_cannot_be_cancelled(world, frozen_now):
    started = BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=frozen_now - dt.timedelta(minutes=30),
        end=frozen_now + dt.timedelta(minutes=30),
    )
    response = signed_in(world.researcher).post(
        reverse("web:booking-cancel", args=[started.pk]), **HTMX
    )

    assert 'data-code="already_started"' in response.text
    assert Booking.objects.get(pk=started.pk).status == BookingStatus.APPROVED


def test_cancelling_without_htmx_redirects_to_the_booking_with_a_message(world):
    client = signed_in(world.researcher)

    response = client.post(reverse("web:booking-cancel", args=[world.upcoming.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("web:booking", args=[world.upcoming.pk])
    assert "已取消" in response.text


def test_cancel_is_post_only(world):
    response = signed_in(world.researcher).get(
        reverse("web:booking-cancel", args=[world.upcoming.pk])
    )
    assert response.status_code == 405
    assert Booking.objects.get(pk=world.upcoming.pk).status == BookingStatus.APPROVED


def test_the_calendar_section_issues_a_feed_url_and_never_shows_the_digest(world):
    client = signed_in(world.researcher)
    page = client.get(reverse("web:my-bookings")).text
    assert 'data-testid="feed-reset"' in page

    response = client.post(reverse("web:calendar-feed"), **HTMX)

    html = response.text
    feed = CalendarFeed.objects.get(member=world.researcher)
    assert feed.token_digest not in html
    assert "webcal://testserver/calendars/" in html
    assert "http://testserver/calendars/" in html
    token = html.split("http://testserver/calendars/")[1].split(".ics")[0]
    assert client.get(f"/calendars/{token}.ics").status_code == 200
    # A new link replaces the old one.
    client.post(reverse("web:calendar-feed"), **HTMX)
    assert client.get(f"/calendars/{token}.ics").status_code == 404
