"""Specification of the back office for resources (resources.admin, resources.qr and the
schedule page of bookings.admin_views): scoping by role, writes through resources.services,
the printable check-in QR code and the day and week view."""

import datetime as dt
import re

import pytest
import segno
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import MemberRole
from bookings.models import BookingStatus
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource
from resources.qr import checkin_payload
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T = dt.time


def staff(role, unit, name):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=role, name=name)


def signed_in(member):
    """A browser in English (the admin's default is zh-hans) signed in as ``member``."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def post_data(response, **changes):
    """The POST body a browser would send back for the admin form in ``response`` (main
    form and every inline formset as shown), with ``changes`` applied."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def world(frozen_now):
    unit = UnitFactory(name="深圳湾实验室", short_name="湾实验室")
    other_unit = UnitFactory(name="中国科学院深圳理工大学", short_name="深理工")
    office = UnitFactory(name="联合体秘书处", short_name="秘书处")
    w = type("World", (), {})()
    w.unit, w.other_unit = unit, other_unit
    w.manager = staff(MemberRole.UNIT_MANAGER, unit, "张主任")
    w.other_manager = staff(MemberRole.UNIT_MANAGER, other_unit, "陈主任")
    w.secretariat = staff(MemberRole.SECRETARIAT, office, "赵秘书")
    w.researcher = MemberFactory(unit=unit, name="李研究员")
    w.resource = ResourceFactory(unit=unit, name="单细胞技术平台", location="光明区 B栋 3层")
    w.other_resource = ResourceFactory(unit=other_unit, name="冷冻电镜")
    return w


def url(name, *args):
    return reverse(f"admin:resources_{name}", args=args)


# --- Who sees what ------------------------------------------------------------------------


def test_a_unit_manager_lists_only_their_units_resources(world):
    response = signed_in(world.manager).get(url("resource_changelist"))

    assert list(response.context["cl"].result_list) == [world.resource]
    assert "冷冻电镜" not in response.text
    assert "中国科学院深圳理工大学" not in response.text


def test_the_secretariat_lists_every_resource(world):
    response = signed_in(world.secretariat).get(url("resource_changelist"))

    assert set(response.context["cl"].result_list) == {world.resource, world.other_resource}


def test_a_unit_manager_cannot_open_or_change_another_units_resource(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.other_resource.pk)

    assert client.get(change)["Location"] == reverse("admin:index")
    response = client.post(change, {"name": "改名", "kind": "venue"})

    assert response["Location"] == reverse("admin:index")
    assert Resource.objects.get(pk=world.other_resource.pk).name == "冷冻电镜"


@pytest.mark.parametrize(
    "page", ["resource_schedule", "resource_qr", "resource_qr_svg", "resource_checkin_code_reset"]
)
def test_a_unit_manager_cannot_reach_the_pages_of_another_units_resource(world, page):
    code = world.other_resource.checkin_code
    client = signed_in(world.manager)

    assert client.get(url(page, world.other_resource.pk)).status_code == 404
    assert client.post(url(page, world.other_resource.pk)).status_code == 404
    assert Resource.objects.get(pk=world.other_resource.pk).checkin_code == code


def test_a_unit_manager_may_share_resources_of_their_own_unit_only(world):
    client = signed_in(world.manager)
    add_page = client.get(url("resource_add"))

    assert list(add_page.context["adminform"].form.fields["unit"].queryset) == [world.unit]
    response = client.post(
        url("resource_add"),
        post_data(add_page, unit=world.other_unit.pk, kind="venue", name="报告厅"),
    )

    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not Resource.objects.filter(name="报告厅").exists()


def test_a_unit_manager_shares_a_resource_through_the_service(world):
    client = signed_in(world.manager)
    add_page = client.get(url("resource_add"))

    response = client.post(
        url("resource_add"),
        post_data(
            add_page,
            unit=world.unit.pk,
            kind="venue",
            name="报告厅",
            capacity=120,
            **{
                "opening_hours-TOTAL_FORMS": "1",
                "opening_hours-0-weekday": "2",
                "opening_hours-0-start_time": "09:00",
                "opening_hours-0-end_time": "17:30",
            },
        ),
    )

    assert response.status_code == 302
    resource = Resource.objects.get(name="报告厅")
    assert (resource.unit, resource.capacity) == (world.unit, 120)
    assert list(resource.opening_hours.values_list("weekday", "start_time", "end_time")) == [
        (2, T(9), T(17, 30))
    ]


# --- Edits go through resources.services ------------------------------------------------


def test_a_unit_manager_changes_the_rules_of_their_resource(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)

    response = client.post(
        change, post_data(client.get(change), max_duration_minutes=120, buffer_minutes=15)
    )

    assert response.status_code == 302
    world.resource.refresh_from_db()
    assert (world.resource.max_duration_minutes, world.resource.buffer_minutes) == (120, 15)


def test_rules_the_service_refuses_come_back_on_the_form_and_write_nothing(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)

    # 35-minute slots do not divide the day: resources.services.rules_validate refuses them.
    response = client.post(
        change, post_data(client.get(change), slot_minutes=35, min_duration_minutes=35)
    )

    assert response.status_code == 200
    assert "The booking rules of the resource do not fit together." in response.text
    assert response.context["adminform"].form.errors["slot_minutes"]
    world.resource.refresh_from_db()
    assert (world.resource.slot_minutes, world.resource.min_duration_minutes) == (30, 30)


def test_opening_hours_are_set_as_one_week(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    data = post_data(client.get(change))
    # Close Monday (delete its window) and shorten Friday.
    data["opening_hours-0-DELETE"] = "on"
    data["opening_hours-4-end_time"] = "12:00"

    assert client.post(change, data).status_code == 302
    assert list(
        OpeningHours.objects.filter(resource=world.resource)
        .order_by("weekday")
        .values_list("weekday", "start_time", "end_time")
    ) == [(1, T(8), T(20)), (2, T(8), T(20)), (3, T(8), T(20)), (4, T(8), T(12))]


def test_overlapping_opening_hours_are_refused_and_nothing_is_written(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    data = post_data(
        client.get(change),
        **{
            "opening_hours-TOTAL_FORMS": "6",
            "opening_hours-5-weekday": "0",
            "opening_hours-5-start_time": "19:00",
            "opening_hours-5-end_time": "21:00",
            "max_duration_minutes": "120",
        },
    )

    response = client.post(change, data)

    assert response.status_code == 200
    assert "Opening windows on the same day must not overlap." in response.text
    assert OpeningHours.objects.filter(resource=world.resource).count() == 5
    world.resource.refresh_from_db()
    assert world.resource.max_duration_minutes == 240  # the resource's change rolled back too


def test_retiring_resources_with_the_action(world):
    response = signed_in(world.manager).post(
        url("resource_changelist"),
        {
            "action": "retire_resources",
            "index": "0",
            "_selected_action": [world.resource.pk, world.other_resource.pk],
        },
    )

    assert response.status_code == 302
    assert Resource.objects.get(pk=world.resource.pk).is_retired
    assert not Resource.objects.get(pk=world.other_resource.pk).is_retired  # not in scope


# --- Closures and make-up days ------------------------------------------------------------


@pytest.fixture
def closures(world):
    return {
        "own": ClosureFactory(
            resource=world.resource,
            start=local(2026, 12, 1),
            end=local(2026, 12, 2),
            reason="年度维护",
        ),
        "other": ClosureFactory(
            resource=world.other_resource,
            start=local(2026, 12, 1),
            end=local(2026, 12, 2),
            reason="换靶",
        ),
        "holiday": ClosureFactory(
            resource=None, start=local(2027, 1, 1), end=local(2027, 1, 2), reason="元旦"
        ),
    }


def test_a_unit_manager_sees_their_closures_and_the_alliance_wide_ones(world, closures):
    response = signed_in(world.manager).get(url("closure_changelist"))

    assert set(response.context["cl"].result_list) == {closures["own"], closures["holiday"]}
    assert "换靶" not in response.text


def test_a_unit_manager_cannot_create_an_alliance_wide_closure(world):
    client = signed_in(world.manager)
    add_page = client.get(url("closure_add"))
    field = add_page.context["adminform"].form.fields["resource"]
    assert list(field.queryset) == [world.resource]

    for resource in ("", world.other_resource.pk):
        response = client.post(
            url("closure_add"),
            {
                "resource": resource,
                "start_0": "2026-12-24",
                "start_1": "00:00",
                "end_0": "2026-12-26",
                "end_1": "00:00",
                "reason": "放假",
            },
        )
        assert response.status_code == 200
        assert "resource" in response.context["adminform"].form.errors
    assert not Closure.objects.exists()


def test_a_unit_manager_closes_their_resource_through_the_service(world):
    response = signed_in(world.manager).post(
        url("closure_add"),
        {
            "resource": world.resource.pk,
            "start_0": "2026-12-24",
            "start_1": "09:00",
            "end_0": "2026-12-24",
            "end_1": "12:00",
            "reason": "电力检修",
        },
    )

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert (closure.resource, closure.start, closure.end, closure.reason) == (
        world.resource,
        local(2026, 12, 24, 9),
        local(2026, 12, 24, 12),
        "电力检修",
    )


def test_a_unit_manager_cannot_lift_an_alliance_wide_closure_but_can_lift_their_own(
    world, closures
):
    client = signed_in(world.manager)

    response = client.post(url("closure_delete", closures["holiday"].pk), {"post": "yes"})
    assert response.status_code == 403
    assert Closure.objects.filter(pk=closures["holiday"].pk).exists()

    response = client.post(url("closure_delete", closures["own"].pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Closure.objects.filter(pk=closures["own"].pk).exists()


def test_the_secretariat_declares_holidays_and_make_up_days(world):
    client = signed_in(world.secretariat)

    response = client.post(
        url("closure_add"),
        {
            "resource": "",
            "start_0": "2027-02-10",
            "start_1": "00:00",
            "end_0": "2027-02-17",
            "end_1": "00:00",
            "reason": "春节",
        },
    )
    assert response.status_code == 302
    assert Closure.objects.get(reason="春节").resource is None

    response = client.post(
        url("makeupworkingday_add"), {"date": "2027-02-20", "opens_as": "4", "note": "春节调休"}
    )
    assert response.status_code == 302
    assert MakeUpWorkingDay.objects.get().opens_as == 4


def test_a_unit_manager_cannot_declare_make_up_days(world):
    client = signed_in(world.manager)

    assert client.get(url("makeupworkingday_changelist")).status_code == 200
    response = client.post(url("makeupworkingday_add"), {"date": "2027-02-20", "opens_as": "4"})

    assert response.status_code == 403
    assert not MakeUpWorkingDay.objects.exists()


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


def matrix_dark_modules(qr: segno.QRCode) -> set[tuple[int, int]]:
    return {(x, y) for y, row in enumerate(qr.matrix) for x, bit in enumerate(row) if bit}


def test_the_qr_code_holds_the_mini_program_check_in_page(world):
    expected = (
        f"pages/checkin/index?resource={world.resource.pk}&code={world.resource.checkin_code}"
    )
    assert checkin_payload(world.resource) == expected

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
    expected = segno.make(checkin_payload(world.resource), error="m", micro=False)
    assert svg_dark_modules(response.text) == matrix_dark_modules(expected)


def test_resetting_the_check_in_code_invalidates_old_prints(world):
    client = signed_in(world.manager)
    old_payload = checkin_payload(world.resource)

    confirmation = client.get(url("resource_checkin_code_reset", world.resource.pk))
    assert confirmation.status_code == 200
    assert Resource.objects.get(pk=world.resource.pk).checkin_code == world.resource.checkin_code

    response = client.post(url("resource_checkin_code_reset", world.resource.pk))

    assert response["Location"] == url("resource_qr", world.resource.pk)
    world.resource.refresh_from_db()
    assert checkin_payload(world.resource) != old_payload
    svg = client.get(url("resource_qr_svg", world.resource.pk)).content.decode()
    new_qr = segno.make(checkin_payload(world.resource), error="m", micro=False)
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
