"""Specification of the back office for resources (resources.admin, resources.qr and the
schedule page of bookings.admin_views): scoping by role, writes through resources.services,
the printable check-in QR code and the day and week view."""

import datetime as dt

import pytest
from django.urls import reverse

from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Resource
from tests.conftest import local
from tests.factories import (
    ClosureFactory,
)
from tests.resources.admin_support import post_data, signed_in, url

pytestmark = pytest.mark.django_db

T = dt.time


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
