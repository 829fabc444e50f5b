"""The resources back office: check-in QR codes, the day and week view, bounded queries."""

import datetime as dt
import re

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import BookingStatus
from resources.models import Resource
from resources.qr import checkin_payload
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    ResourceFactory,
    UnitFactory,
)
from tests.resources.admin_support import signed_in, url

pytestmark = pytest.mark.django_db

T = dt.time


# --- Check-in QR code ---------------------------------------------------------------------


def svg_dark_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules drawn by segno's SVG path (rows of horizontal runs), as (x, y)
    without the quiet zone: what a scanner would read off the image."""
    (path,) = re.findall(r' d="([^"]+)"', svg)
    scale = float(re.search(r"scale\((\d+(?:\.\d+)?)\)", svg).group(1)) if "scale(" in svg else 1
    assert scale
    dark, x, y = set(), 0.0, 0.0
    for command, a, b in re.findall(r"([MmHh])\s*(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command in "hH":
            end = x + float(a) if command == "h" else float(a)
            dark.update((int(col), int(y)) for col in range(int(x), int(end)))
            x = end
    border = 4
    return {(col - border, row - border) for col, row in dark}


#: The site's root as the test client reaches it.
BASE = "http://testserver/"


def matrix_dark_modules(qr: segno.QRCode) -> set[tuple[int, int]]:
    return {(x, y) for y, row in enumerate(qr.matrix) for x, bit in enumerate(row) if bit}


def test_the_qr_code_holds_the_absolute_web_check_in_url(world):
    expected = (
        f"http://testserver/r/{world.resource.pk}/check-in/?code={world.resource.checkin_code}"
    )
    assert checkin_payload(world.resource, base_url=BASE) == expected

    response = signed_in(world.manager).get(url("resource_qr_svg", world.resource.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.startswith("<?xml")
    assert svg_dark_modules(svg) == matrix_dark_modules(
        segno.make(expected, error="m", micro=False)
    )


def test_the_printable_page_names_the_resource_and_shows_its_code(world):
    response = signed_in(world.manager).get(url("resource_qr", world.resource.pk))

    assert response.status_code == 200
    for text in ("单细胞技术平台", "深圳湾实验室", "光明区 B栋 3层", "scan this code to check in"):
        assert text in response.text
    expected = segno.make(checkin_payload(world.resource, base_url=BASE), error="m", micro=False)
    assert svg_dark_modules(response.text) == matrix_dark_modules(expected)


def test_resetting_the_check_in_code_invalidates_old_prints(world):
    client = signed_in(world.manager)
    old_payload = checkin_payload(world.resource, base_url=BASE)

    confirmation = client.get(url("resource_checkin_code_reset", world.resource.pk))
    assert confirmation.status_code == 200
    assert Resource.objects.get(pk=world.resource.pk).checkin_code == world.resource.checkin_code

    response = client.post(url("resource_checkin_code_reset", world.resource.pk))

    assert response["Location"] == url("resource_qr", world.resource.pk)
    world.resource.refresh_from_db()
    assert checkin_payload(world.resource, base_url=BASE) != old_payload
    svg = client.get(url("resource_qr_svg", world.resource.pk)).content.decode()
    new_qr = segno.make(checkin_payload(world.resource, base_url=BASE), error="m", micro=False)
    assert svg_dark_modules(svg) == matrix_dark_modules(new_qr)


# --- Day and week view --------------------------------------------------------------------


@pytest.fixture
def week_of_bookings(world):
    def book(day, start, end, status=BookingStatus.APPROVED, resource=None, purpose="样品测试"):
        return BookingFactory(
            resource=resource or world.resource,
            member=world.researcher,
            start=local(2026, 11, day, *start),
            end=local(2026, 11, day, *end),
            status=status,
            purpose=purpose,
        )

    return {
        "tuesday": book(24, (9,), (10,), purpose="周二上午"),
        "tuesday_pending": book(24, (14,), (15, 30), BookingStatus.PENDING, purpose="周二下午"),
        "tuesday_cancelled": book(24, (11,), (12,), BookingStatus.CANCELLED, purpose="已取消"),
        "friday": book(27, (16,), (18,), purpose="周五"),
        "next_monday": book(30, (9,), (10,), purpose="下周一"),
        "other_resource": book(24, (9,), (10,), resource=world.other_resource, purpose="别的资源"),
    }


def booking_blocks(column):
    return [(b.kind, b.top, b.height) for b in column.blocks if b.url]


def test_the_day_view_shows_that_days_bookings_placed_by_time(world, week_of_bookings):
    response = signed_in(world.manager).get(
        url("resource_schedule", world.resource.pk), {"view": "day", "date": "2026-11-24"}
    )

    assert response.status_code == 200
    (column,) = response.context["columns"]
    assert column.date == dt.date(2026, 11, 24)
    assert response.context["hours"][0] == "08:00"
    assert response.context["hours"][-1] == "19:00"
    # 08:00–20:00 drawn: 09:00–10:00 starts 1/12 down and lasts 1/12.
    assert booking_blocks(column) == [("approved", 8.333, 8.333), ("pending", 50.0, 12.5)]
    assert [b.purpose for b in response.context["bookings"]] == ["周二上午", "已取消", "周二下午"]
    assert "别的资源" not in response.text


def test_the_week_view_runs_monday_to_sunday_with_closures(world, week_of_bookings):
    ClosureFactory(
        resource=world.resource,
        start=local(2026, 11, 26, 8),
        end=local(2026, 11, 26, 14),
        reason="校准",
    )

    response = signed_in(world.manager).get(
        url("resource_schedule", world.resource.pk), {"view": "week", "date": "2026-11-26"}
    )

    columns = response.context["columns"]
    assert [c.date for c in columns] == [
        dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7)
    ]
    assert len(booking_blocks(columns[1])) == 2
    assert booking_blocks(columns[4]) == [("approved", 66.667, 16.667)]
    assert [b.label for b in columns[3].blocks if b.kind == "closed"] == ["校准"]
    assert not columns[5].blocks
    assert not columns[6].blocks
    assert "下周一" not in response.text
    assert response.context["prev_url"].endswith("view=week&date=2026-11-19")
    assert response.context["next_url"].endswith("view=week&date=2026-12-03")


def test_the_schedule_falls_back_to_today_on_a_bad_date(world):
    response = signed_in(world.manager).get(
        url("resource_schedule", world.resource.pk), {"view": "day", "date": "2026-13-40"}
    )

    assert response.context["columns"][0].date == dt.date(2026, 11, 23)


def test_each_resource_links_to_its_day_and_week_schedule_and_its_qr_code(world):
    """The schedule is a bookings page added to the resource admin by bookings.admin."""
    schedule = url("resource_schedule", world.resource.pk)

    response = signed_in(world.manager).get(url("resource_changelist"))

    assert (
        f'<a href="{schedule}?view=day">Day</a> · <a href="{schedule}?view=week">Week</a> · '
        f'<a href="{url("resource_qr", world.resource.pk)}">QR code</a>'
    ) in response.text


# --- Bounded queries ----------------------------------------------------------------------


def count_queries(client, page):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["resource_changelist", "closure_changelist"])
def test_resource_lists_cost_the_same_queries_for_few_or_many_rows(world, page):
    client = signed_in(world.secretariat)
    few = count_queries(client, url(page))

    for i in range(15):
        resource = ResourceFactory(unit=UnitFactory(), name=f"仪器{i}")
        ClosureFactory(resource=resource, start=local(2026, 12, 1), end=local(2026, 12, 2))
    many = count_queries(client, url(page))

    assert many == few
    assert many <= 12


def test_the_schedule_costs_the_same_queries_for_a_quiet_or_busy_week(world, week_of_bookings):
    client = signed_in(world.manager)
    page = url("resource_schedule", world.resource.pk) + "?view=week&date=2026-11-30"
    quiet = count_queries(client, page)

    for day in (1, 2, 3, 4):
        for hour in (9, 11, 14):
            BookingFactory(
                resource=world.resource,
                member=world.researcher,
                start=local(2026, 12, day, hour),
                end=local(2026, 12, day, hour + 1),
            )
    busy = count_queries(client, page)

    assert busy == quiet
