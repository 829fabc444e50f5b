"""A resource's page: what it is, its rules in plain words, a week grid of open, busy,
closed and own time, and booking from the grid through the scheduler (success, a conflict
answered with alternatives that book in one tap, refusals in words).

The clock is frozen on Monday 2026-11-23 08:00 in Shanghai (tests/conftest.py)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from resources.rules_display import rules_display
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LUNCH_BREAK = [(d, "08:00", "12:00") for d in range(5)] + [(d, "13:30", "17:30") for d in range(5)]


def page(resource, **query):
    url = reverse("web:resource", args=[resource.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def book_url(resource):
    return reverse("web:resource-book", args=[resource.pk])


def cells(html: str) -> dict[str, str]:
    """The grid's cells: local start "YYYY-MM-DDTHH:MM" -> state."""
    return dict(re.findall(r'data-start="([^"]+)" data-state="([^"]+)"', html))


@pytest.fixture
def member():
    return MemberFactory(name="张三")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


@pytest.fixture
def lab():
    return ResourceFactory(
        name="冷冻电镜",
        hours=LUNCH_BREAK,
        building="科研楼A栋",
        room="301",
        description="高分辨结构解析",
        capacity=4,
    )


# What the page says ------------------------------------------------------------------------


def test_the_page_shows_the_unit_location_capacity_purpose_and_rules_in_plain_words(client, lab):
    lab.min_notice_minutes = 3 * 24 * 60
    lab.buffer_minutes = 15
    lab.requires_approval = True
    lab.save()
    html = client.get(page(lab)).content.decode()
    assert "冷冻电镜" in html
    assert lab.unit.name in html
    assert "科研楼A栋 301" in html
    assert "高分辨结构解析" in html
    assert "最多 4 人" in html
    # The rules in the words of their one display function (resources.rules_display).
    assert "至少提前 3 天" in html
    assert "4320" not in html
    assert "最多提前 30 天预约" in html
    rules = [line.text for line in rules_display(lab)]
    assert len(rules) >= 6
    for rule in rules:
        assert rule in html


def test_the_page_is_english_on_request(client, lab):
    html = client.get(page(lab), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "At least 1 hour ahead" in html
    assert "Next week" in html


def test_an_unknown_resource_is_not_found(client):
    assert client.get("/r/999999/").status_code == 404


def test_a_retired_resource_says_so_and_offers_no_slot(signed_in, lab):
    lab.is_retired = True
    lab.save()
    html = signed_in.get(page(lab)).content.decode()
    assert 'data-testid="retired"' in html
    assert "该资源已下线" in html
    assert "free" not in cells(html).values()
    assert book_url(lab) + "?start=" not in html


def test_a_member_whose_unit_may_not_book_is_told_so_and_offered_no_slot(signed_in, lab):
    lab.allowed_units.add(UnitFactory())
    html = signed_in.get(page(lab)).content.decode()
    assert 'data-code="not_allowed_for_unit"' in html
    assert "您所在的单位无权预约该资源。" in html
    assert "free" not in cells(html).values()


def test_a_member_whose_unit_may_book_is_offered_slots_despite_an_allow_list(
    signed_in, member, lab
):
    lab.allowed_units.add(member.unit, UnitFactory())
    html = signed_in.get(page(lab)).content.decode()
    assert 'data-testid="cannot-book"' not in html
    assert cells(html)["2026-11-24T09:00"] == "free"


def test_a_resource_whose_unit_was_deactivated_offers_no_slot(signed_in, lab):
    lab.unit.is_active = False
    lab.unit.save()
    html = signed_in.get(page(lab)).content.decode()
    assert 'data-code="resource_unit_inactive"' in html
    assert "free" not in cells(html).values()


# The week grid -----------------------------------------------------------------------------


def test_the_grid_follows_opening_hours_with_a_lunch_break_and_the_notice(signed_in, lab):
    grid = cells(signed_in.get(page(lab)).content.decode())
    # Rows run from the earliest opening to the latest closing of the week.
    assert min(t[11:] for t in grid) == "08:00"
    assert max(t[11:] for t in grid) == "17:00"
    # Monday: now is 08:00 and an hour's notice is needed.
    assert grid["2026-11-23T08:00"] == "unavailable"
    assert grid["2026-11-23T08:30"] == "unavailable"
    assert grid["2026-11-23T09:00"] == "free"
    # Tuesday: the last half hour before lunch, lunch, and after it.
    assert grid["2026-11-24T11:30"] == "free"
    assert grid["2026-11-24T12:00"] == "closed"
    assert grid["2026-11-24T13:00"] == "closed"
    assert grid["2026-11-24T13:30"] == "free"
    assert grid["2026-11-24T17:00"] == "free"
    # The weekend is closed.
    assert grid["2026-11-28T10:00"] == "closed"
    assert grid["2026-11-29T10:00"] == "closed"


def test_a_closure_shows_as_closed(signed_in, lab):
    ClosureFactory(resource=lab, start=local(2026, 11, 25, 9), end=local(2026, 11, 25, 11))
    grid = cells(signed_in.get(page(lab)).content.decode())
    assert grid["2026-11-25T08:30"] == "free"
    assert grid["2026-11-25T09:00"] == "closed"
    assert grid["2026-11-25T10:30"] == "closed"
    assert grid["2026-11-25T11:00"] == "free"


def test_a_make_up_working_day_opens_as_its_weekday(signed_in, lab):
    MakeUpWorkingDayFactory(date=dt.date(2026, 11, 28), opens_as=0)
    grid = cells(signed_in.get(page(lab)).content.decode())
    assert grid["2026-11-28T09:00"] == "free"
    assert grid["2026-11-28T12:30"] == "closed"
    assert grid["2026-11-29T09:00"] == "closed"


def test_own_bookings_are_marked_and_others_only_busy_without_a_name(signed_in, member, lab):
    BookingFactory(
        resource=lab,
        member=member,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
        status=BookingStatus.PENDING,
    )
    other = MemberFactory(name="李四")
    BookingFactory(
        resource=lab,
        member=other,
        start=local(2026, 11, 24, 14),
        end=local(2026, 11, 24, 15),
        purpose="保密课题",
    )
    BookingFactory(  # Cancelled: frees its time.
        resource=lab,
        member=other,
        start=local(2026, 11, 24, 16),
        end=local(2026, 11, 24, 17),
        status=BookingStatus.CANCELLED,
    )
    html = signed_in.get(page(lab)).content.decode()
    grid = cells(html)
    assert grid["2026-11-24T10:00"] == grid["2026-11-24T10:30"] == "own"
    assert grid["2026-11-24T11:00"] == "free"
    assert grid["2026-11-24T14:00"] == grid["2026-11-24T14:30"] == "busy"
    assert grid["2026-11-24T16:00"] == "free"
    assert "待审批" in html
    assert "李四" not in html
    assert "保密课题" not in html


def test_a_visitor_sees_the_grid_and_free_slots_lead_to_sign_in(client, lab):
    html = client.get(page(lab)).content.decode()
    assert cells(html)["2026-11-24T09:00"] == "free"
    assert f'href="/sign-in/?next=/r/{lab.pk}/"' in html
    assert 'hx-get="' + book_url(lab) not in html


def test_moving_to_the_next_week_answers_only_the_week_for_htmx(signed_in, lab):
    response = signed_in.get(
        page(lab, **{"from": "2026-11-30"}), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="week"
    )
    html = response.content.decode()
    assert "<html" not in html
    grid = cells(html)
    assert min(grid)[:10] == "2026-11-30"
    assert max(grid)[:10] == "2026-12-06"
    assert 'data-testid="previous-week"' in html
    assert "?from=2026-11-23" in html
    # This week has no previous week to go back to.
    assert 'data-testid="previous-week"' not in signed_in.get(page(lab)).content.decode()


@pytest.mark.parametrize("bad", ["nonsense", "2026-13-01", "9999-12-31"])
def test_a_bad_week_shows_this_week(signed_in, lab, bad):
    grid = cells(signed_in.get(page(lab, **{"from": bad})).content.decode())
    assert min(grid)[:10] == "2026-11-23"


def _fill_week(lab, member, count):
    """``count`` half-hour bookings across the week, every other one the member's own."""
    others = MemberFactory()
    slots = [
        local(2026, 11, 24 + day, hour, minute)
        for day in range(4)
        for hour in (9, 10, 11, 14, 15, 16)
        for minute in (0, 30)
    ]
    for i, start in enumerate(slots[: count * 2 : 2]):
        BookingFactory(
            resource=lab,
            member=member if i % 2 else others,
            start=start,
            end=start + dt.timedelta(minutes=30),
        )


@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "week"}])
@pytest.mark.parametrize("count", [1, 20])
def test_the_page_costs_the_same_queries_whatever_the_bookings(
    signed_in, member, lab, count, headers, django_assert_num_queries
):
    _fill_week(lab, member, count)
    ClosureFactory(resource=lab, start=local(2026, 11, 27, 9), end=local(2026, 11, 27, 10))
    # Session, user, member, unread notices; resource, hours, allow-list, photos; make-up
    # days, closures, bookings; own bookings; on the full page, a stopping fault report and
    # whether the member may report one (issue 10); on the full page, the quotas (issue 12).
    with django_assert_num_queries(12 if headers else 15):
        response = signed_in.get(page(lab), **headers)
    states = list(cells(response.content.decode()).values())
    assert states.count("busy") + states.count("own") >= count


# Booking from the grid -----------------------------------------------------------------------


def test_tapping_a_free_slot_opens_a_form_with_the_lengths_that_fit(signed_in, lab):
    response = signed_in.get(book_url(lab) + "?start=2026-11-24T11:00", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="book-form"' in html
    # From 11:00 the morning runs to 12:00: half an hour or an hour.
    assert re.findall(r'<option value="(\d+)"', html) == ["30", "60"]
    assert 'name="purpose" required' in html
    assert 'name="attendees"' in html


def test_booking_a_free_slot_makes_the_booking_and_links_to_my_bookings(signed_in, member, lab):
    response = signed_in.post(
        book_url(lab),
        {"start": "2026-11-24T09:00", "minutes": "90", "purpose": "样品测试", "attendees": "2"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    booking = Booking.objects.get()
    assert (booking.member, booking.start, booking.end) == (
        member,
        local(2026, 11, 24, 9),
        local(2026, 11, 24, 10, 30),
    )
    assert booking.attendees == 2
    assert booking.status == BookingStatus.APPROVED
    assert 'data-testid="booked"' in html
    assert "预约成功" in html
    assert 'href="/bookings/"' in html
    assert response["HX-Trigger"] == "booking-made"
    # The grid now shows it as the member's own.
    grid = cells(signed_in.get(page(lab)).content.decode())
    assert grid["2026-11-24T09:00"] == grid["2026-11-24T10:00"] == "own"


def test_a_resource_that_needs_approval_says_the_booking_waits(signed_in, lab):
    lab.requires_approval = True
    lab.save()
    html = signed_in.post(
        book_url(lab), {"start": "2026-11-24T09:00", "minutes": "30", "purpose": "样品测试"}
    ).content.decode()
    assert Booking.objects.get().status == BookingStatus.PENDING
    assert "已提交，等待审批" in html


def test_a_taken_slot_offers_the_alternatives_and_one_tap_books_one(signed_in, member, lab):
    other = MemberFactory(unit=member.unit)
    booking_create(
        member=other,
        resource_id=lab.pk,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
        purpose="先到先得",
    )
    response = signed_in.post(
        book_url(lab), {"start": "2026-11-24T10:00", "minutes": "60", "purpose": "样品测试"}
    )
    html = response.content.decode()
    assert Booking.objects.count() == 1
    assert 'data-testid="conflict"' in html
    assert "该资源此时段已被预约。" in html
    alternatives = re.findall(r'data-testid="alternative" data-start="([^"]+)"', html)
    assert alternatives == ["2026-11-24T09:00", "2026-11-24T11:00", "2026-11-24T08:30"]
    assert "先到先得" not in html
    # Each alternative is a form carrying the slot, the length and the purpose.
    form = html[html.index('value="2026-11-24T11:00"') :]
    assert re.search(r'name="minutes" value="60"', form)
    assert re.search(r'name="purpose" value="样品测试"', form)
    taken = signed_in.post(
        book_url(lab),
        {"start": "2026-11-24T11:00", "minutes": "60", "purpose": "样品测试", "attendees": "1"},
    )
    assert 'data-testid="booked"' in taken.content.decode()
    mine = Booking.objects.get(member=member)
    assert (mine.start, mine.end) == (local(2026, 11, 24, 11), local(2026, 11, 24, 12))


def test_a_broken_rule_is_refused_in_words_and_nothing_is_written(signed_in, lab):
    html = signed_in.post(
        book_url(lab), {"start": "2026-11-23T08:30", "minutes": "30", "purpose": "样品测试"}
    ).content.decode()
    assert 'data-code="too_little_notice"' in html
    assert "该资源须至少提前 60 分钟预约。" in html
    assert not Booking.objects.exists()


def test_a_unit_not_allowed_is_refused_in_words(signed_in, lab):
    lab.allowed_units.add(UnitFactory())
    html = signed_in.post(
        book_url(lab), {"start": "2026-11-24T09:00", "minutes": "30", "purpose": "样品测试"}
    ).content.decode()
    assert "您所在的单位无权预约该资源。" in html
    assert not Booking.objects.exists()


def test_a_retired_resource_cannot_be_booked(signed_in, lab):
    lab.is_retired = True
    lab.save()
    form = signed_in.get(book_url(lab) + "?start=2026-11-24T09:00").content.decode()
    assert 'data-code="resource_retired"' in form
    html = signed_in.post(
        book_url(lab), {"start": "2026-11-24T09:00", "minutes": "30", "purpose": "样品测试"}
    ).content.decode()
    assert 'data-code="resource_retired"' in html
    assert not Booking.objects.exists()


def test_a_missing_purpose_asks_for_it_again_and_nothing_is_written(signed_in, lab):
    html = signed_in.post(
        book_url(lab), {"start": "2026-11-24T09:00", "minutes": "60", "purpose": "  "}
    ).content.decode()
    assert 'data-testid="book-form"' in html
    assert "请填写预约用途。" in html
    assert '<option value="60" selected>' in html
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"start": "tomorrow", "minutes": "30", "purpose": "x"},
        {"start": "2026-11-24T09:00", "minutes": "half", "purpose": "x"},
        {"start": "2026-11-24T09:00", "minutes": "-30", "purpose": "x"},
        {"start": "2026-11-24T09:00", "minutes": "99999999", "purpose": "x"},
        {"start": "2026-11-24T09:00", "minutes": "30", "purpose": "x", "attendees": "many"},
    ],
)
def test_malformed_input_is_refused_in_words(signed_in, lab, data):
    response = signed_in.post(book_url(lab), data)
    assert response.status_code == 200
    assert 'data-code="invalid"' in response.content.decode()
    assert not Booking.objects.exists()


def test_a_visitor_is_sent_to_sign_in_and_back(client, lab):
    response = client.get(book_url(lab) + "?start=2026-11-24T09:00")
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next=%2Fr%2F{lab.pk}%2F"
    response = client.post(
        book_url(lab),
        {"start": "2026-11-24T09:00", "minutes": "30", "purpose": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == f"/sign-in/?next=%2Fr%2F{lab.pk}%2F"
    assert not Booking.objects.exists()
