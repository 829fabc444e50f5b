"""The search page at ``/``: find by time, not by catalogue.

A search names a window and a length; the page lists the resources with a bookable slot of
that length in it, their first slots as buttons that open the booking sheet with the slot
chosen, and says why each other resource does not fit. Without a search it is the
catalogue by kind. The clock is frozen on Monday 2026-11-23 08:00 in Shanghai.
"""

import re

import pytest

from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LUNCH_BREAK = [(d, "08:00", "12:00") for d in range(5)] + [(d, "13:30", "17:30") for d in range(5)]
TOMORROW_AFTERNOON_2H = "/?when=tomorrow_pm&minutes=120"


@pytest.fixture
def member():
    return MemberFactory(name="张三")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def fitting(html: str) -> list[str]:
    """Resource ids of the results with a slot, in order."""
    return re.findall(r'data-testid="result" data-resource="(\d+)"', html)


def unfit(html: str) -> dict[str, str]:
    """Resource id -> the reason code, of the resources that do not fit."""
    return dict(
        re.findall(r'data-testid="unfit-row" data-resource="(\d+)" data-code="(\w+)"', html)
    )


def slots(html: str) -> list[str]:
    return re.findall(r'data-testid="slot" data-start="([^"]+)"', html)


# Without a search: the catalogue ------------------------------------------------------------


def test_without_a_search_the_page_is_the_catalogue_by_kind_with_the_form_on_top(client):
    ResourceFactory(name="冷冻电镜", kind=ResourceKind.EQUIPMENT)
    ResourceFactory(name="报告厅", kind=ResourceKind.VENUE)
    ResourceFactory(name="旧离心机", is_retired=True)
    html = client.get("/").content.decode()
    assert 'data-testid="search-form"' in html
    assert html.count('data-testid="catalogue-kind"') == 2
    assert html.index("仪器") < html.index("冷冻电镜") < html.index("报告厅")
    assert "旧离心机" not in html
    assert 'data-testid="result"' not in html


# A search by time ---------------------------------------------------------------------------


def test_a_search_lists_first_slots_and_says_why_the_others_do_not_fit(signed_in, member):
    free = ResourceFactory(name="冷冻电镜")
    booked = ResourceFactory(name="质谱仪", hours=[(1, "13:00", "15:00")])
    BookingFactory(resource=booked, start=local(2026, 11, 24, 13), end=local(2026, 11, 24, 15))
    closed = ResourceFactory(name="报告厅")
    ClosureFactory(
        resource=closed, start=local(2026, 11, 24, 0), end=local(2026, 11, 25, 0), reason="装修"
    )
    others_only = ResourceFactory(name="超算节点")
    others_only.allowed_units.add(UnitFactory())
    weekend_only = ResourceFactory(name="周末实验室", hours=[(5, "08:00", "18:00")])

    html = signed_in.get(TOMORROW_AFTERNOON_2H).content.decode()

    assert fitting(html) == [str(free.pk)]
    assert slots(html) == ["2026-11-24T13:00", "2026-11-24T13:30", "2026-11-24T14:00"]
    assert f"/r/{free.pk}/book/?start=2026-11-24T13:00&amp;minutes=120" in html
    assert unfit(html) == {
        str(booked.pk): "fully_booked",
        str(closed.pk): "closed_in_window",
        str(others_only.pk): "not_allowed_for_unit",
        str(weekend_only.pk): "not_open_in_window",
    }
    assert "装修" in html  # the closure's reason, in words
    assert '<details class="sr-unfit"' in html  # collapsed under "why the others…"
    assert "其他 4 个资源为何不可用" in html


def test_a_venue_with_a_lunch_break_shows_when_a_slot_fits_in_the_window(signed_in):
    """Free-for-the-whole-window would hide it; a slot inside the window finds it."""
    hall = ResourceFactory(name="会议室", kind=ResourceKind.VENUE, hours=LUNCH_BREAK)
    html = signed_in.get("/?date=2026-11-24&from=11:00&to=15:00&minutes=60").content.decode()
    assert fitting(html) == [str(hall.pk)]
    assert slots(html)[0] == "2026-11-24T11:00"
    assert "2026-11-24T12:00" not in slots(html)


def test_what_narrows_the_candidates_by_words_kind_unit_and_people(signed_in):
    unit = UnitFactory(name="深圳湾实验室")
    wanted = ResourceFactory(name="冷冻电镜", unit=unit, capacity=6, room="B201")
    ResourceFactory(name="冷冻电镜二号", capacity=2, unit=unit)
    ResourceFactory(name="冷冻电镜三号", capacity=6)
    ResourceFactory(name="报告厅", kind=ResourceKind.VENUE, capacity=100, unit=unit)
    query = f"{TOMORROW_AFTERNOON_2H}&q=电镜+B201&kind=equipment&unit={unit.pk}&people=5"
    html = signed_in.get(query).content.decode()
    assert fitting(html) == [str(wanted.pk)]
    assert unfit(html) == {}


def test_a_visitor_searches_as_no_member_and_is_asked_to_sign_in_to_book(client):
    open_to_all = ResourceFactory(name="冷冻电镜")
    members_only = ResourceFactory(name="超算节点")
    members_only.allowed_units.add(UnitFactory())
    html = client.get(TOMORROW_AFTERNOON_2H).content.decode()
    assert fitting(html) == [str(open_to_all.pk)]
    assert unfit(html) == {str(members_only.pk): "not_allowed_for_unit"}
    assert 'data-testid="slot"' not in html
    assert html.count('data-testid="slot-sign-in"') == 3
    assert "/sign-in/?next=%2F%3Fwhen%3Dtomorrow_pm%26minutes%3D120" in html


def test_htmx_gets_only_the_results_and_a_history_restore_the_whole_page(signed_in):
    ResourceFactory()
    partial = signed_in.get(TOMORROW_AFTERNOON_2H, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in partial.content.decode()
    assert 'data-testid="result"' in partial.content.decode()
    restore = signed_in.get(
        TOMORROW_AFTERNOON_2H, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_quick_windows_this_afternoon_tomorrow_morning_and_this_week(signed_in):
    lab = ResourceFactory()
    assert slots(signed_in.get("/?when=today_pm&minutes=60").content.decode())[0] == (
        "2026-11-23T13:00"
    )
    assert slots(signed_in.get("/?when=tomorrow_am&minutes=60").content.decode())[0] == (
        "2026-11-24T08:00"
    )
    week = signed_in.get("/?when=week&minutes=60").content.decode()
    assert slots(week)[0] == "2026-11-23T09:00"  # an hour's notice from 08:00
    assert fitting(week) == [str(lab.pk)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/?when=someday", "when"),
        ("/?when=custom&date=2026-13-40", "date"),
        ("/?when=custom&date=2031-01-01", "date"),
        ("/?when=custom&date=2026-11-24&from=9h", "from"),
        ("/?when=custom&date=2026-11-24&from=15:00&to=09:00", "to"),
        ("/?when=tomorrow_pm&minutes=lots", "minutes"),
        ("/?when=tomorrow_pm&minutes=0", "minutes"),
        ("/?when=tomorrow_pm&kind=spaceship", "kind"),
        ("/?when=tomorrow_pm&unit=x", "unit"),
        ("/?when=tomorrow_pm&people=-3", "people"),
    ],
)
def test_bad_input_is_said_in_words_and_searches_nothing(signed_in, query, field):
    ResourceFactory()
    response = signed_in.get(query)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    assert 'data-testid="result"' not in html


def test_this_afternoon_once_it_is_over_says_so(signed_in, time_machine):
    time_machine.move_to(local(2026, 11, 23, 19), tick=False)
    html = signed_in.get("/?when=today_pm").content.decode()
    assert 'data-field="when"' in html


# Booking from a result ------------------------------------------------------------------------


def test_a_slot_button_opens_the_booking_sheet_with_the_slot_and_length_chosen(signed_in):
    lab = ResourceFactory()
    response = signed_in.get(
        f"/r/{lab.pk}/book/?start=2026-11-24T13:00&minutes=120", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'name="start" value="2026-11-24T13:00"' in html
    assert '<option value="120" selected>' in html


# Queries ---------------------------------------------------------------------------------------


def _alliance(count: int) -> None:
    other = UnitFactory()
    for i in range(count):
        resource = ResourceFactory(kind=ResourceKind.values[i % 3], hours=LUNCH_BREAK)
        if i % 4 == 0:
            resource.allowed_units.add(other)
        if i % 5 == 0:
            BookingFactory(
                resource=resource, start=local(2026, 11, 24, 13, 30), end=local(2026, 11, 24, 15)
            )
        if i % 7 == 0:
            ClosureFactory(
                resource=resource, start=local(2026, 11, 24, 0), end=local(2026, 11, 25, 0)
            )


@pytest.mark.parametrize("count", [3, 40])
@pytest.mark.parametrize(
    ("query", "headers"),
    [
        (TOMORROW_AFTERNOON_2H, {}),
        (TOMORROW_AFTERNOON_2H, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}),
    ],
)
def test_a_search_costs_the_same_queries_whatever_the_resources(
    signed_in, count, query, headers, django_assert_num_queries
):
    _alliance(count)
    # Session, user, member, unread notices; units for the form (full page only);
    # resources, allow-lists, opening hours, make-up days, closures, bookings.
    expected = 10 if headers else 11
    with django_assert_num_queries(expected):
        response = signed_in.get(query, **headers)
    assert fitting(response.content.decode())


@pytest.mark.parametrize("count", [3, 40])
def test_the_catalogue_costs_the_same_queries_whatever_the_resources(
    client, count, django_assert_num_queries
):
    _alliance(count)
    with django_assert_num_queries(2):  # no session: units for the form, resources
        response = client.get("/")
    assert response.content.decode().count('data-testid="catalogue-row"') == count
