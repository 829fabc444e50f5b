"""Every free-text input of the API and the back office refuses control characters and
bidirectional overrides with ``invalid_characters`` and writes nothing.

The rule lives in alliance.services.text_clean; these tests show that each door reaches it:
booking purposes, decision and cancellation reasons, member names and phones, resource
names, locations and descriptions, closure reasons, and unit names in the back office.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from alliance.models import Member, MemberRole, Unit
from bookings.models import Booking, BookingEvent, BookingStatus
from resources.models import Closure, Resource
from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "观察\u202egnp.exe" shows as "观察exe.png"
ESC = "\x1b"


@pytest.fixture
def world() -> World:
    return world_build()


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_characters"
    assert [error["code"] for error in body["fields"][field]] == ["invalid_characters"]


def pending_booking(world: World) -> Booking:
    return BookingFactory(
        member=world.researcher,
        resource=world.resource,
        start=local(2026, 11, 24, 10),
        end=local(2026, 11, 24, 11),
        status=BookingStatus.PENDING,
    )


@pytest.mark.parametrize("character", [RLO, ESC, "\n"], ids=["RLO", "ESC", "line feed"])
def test_a_booking_purpose_with_unsafe_characters_is_refused(world, character):
    response = client_for(world.researcher).post(
        "/api/v1/bookings/",
        {
            "resource": world.other_resource.pk,
            "start": "2026-11-24T10:00:00+08:00",
            "end": "2026-11-24T11:00:00+08:00",
            "purpose": f"样品观察{character}gnp.exe",
        },
        format="json",
    )

    assert_refused(response, "purpose")
    assert not Booking.objects.exists()


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_a_decision_or_cancellation_reason_with_an_override_is_refused(world, action):
    booking = pending_booking(world)
    actor = world.manager if action == "reject" else world.researcher

    response = client_for(actor).post(
        f"/api/v1/bookings/{booking.pk}/{action}/", {"reason": f"设备{RLO}检修"}, format="json"
    )

    assert_refused(response, "reason")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert not BookingEvent.objects.filter(booking=booking).exists()


def test_a_rejection_reason_may_span_several_lines(world):
    booking = pending_booking(world)

    response = client_for(world.manager).post(
        f"/api/v1/bookings/{booking.pk}/reject/",
        {"reason": "设备检修。\r\n请改约下周。"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert booking.events.get().reason == "设备检修。\r\n请改约下周。"


@pytest.mark.parametrize("field", ["name", "phone"])
def test_a_member_name_or_phone_with_unsafe_characters_is_refused(world, field):
    members_before = Member.objects.count()
    body = {
        "unit": world.manager.unit_id,
        "role": "researcher",
        "name": "孙研究员",
        "phone": "13800000000",
        field: f"孙{ESC}[2J",
    }

    response = client_for(world.manager).post("/api/v1/members/", body, format="json")

    assert_refused(response, field)
    assert Member.objects.count() == members_before


@pytest.mark.parametrize(
    "field", ["name", "building", "address", "directions", "contact_phone", "description"]
)
def test_resource_text_with_an_override_is_refused(world, field):
    resources_before = Resource.objects.count()
    body = {"unit": world.manager.unit_id, "kind": "lab", "name": "新实验室", field: f"A{RLO}B"}

    response = client_for(world.manager).post("/api/v1/resources/", body, format="json")

    assert_refused(response, field)
    assert Resource.objects.count() == resources_before


def test_a_resource_description_may_span_several_lines(world):
    response = client_for(world.manager).patch(
        f"/api/v1/resources/{world.resource.pk}/",
        {"description": "第一行\n\t第二行"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    world.resource.refresh_from_db()
    assert world.resource.description == "第一行\n\t第二行"


def test_renaming_a_resource_with_a_control_character_is_refused(world):
    response = client_for(world.manager).patch(
        f"/api/v1/resources/{world.resource.pk}/", {"name": f"冷冻{ESC}电镜"}, format="json"
    )

    assert_refused(response, "name")
    world.resource.refresh_from_db()
    assert world.resource.name == "冷冻电镜"


def test_a_closure_reason_with_an_isolate_is_refused(world):
    response = client_for(world.manager).post(
        f"/api/v1/resources/{world.resource.pk}/closures/",
        {"start": "2026-11-25T08:00", "end": "2026-11-25T20:00", "reason": "维护\u2067x\u2069"},
        format="json",
    )

    assert_refused(response, "reason")
    assert not Closure.objects.exists()


def test_a_unit_name_with_an_override_is_refused_in_the_back_office():
    office = UnitFactory(name="联合体秘书处")
    secretariat = MemberFactory(
        unit=office, role=MemberRole.SECRETARIAT, user=UserFactory(is_staff=True)
    )
    client = Client(headers={"accept-language": "en"})
    client.force_login(get_user_model().objects.get(pk=secretariat.user_id))

    response = client.post(
        reverse("admin:alliance_unit_add"),
        {"name": f"光明{RLO}科创局", "short_name": "", "kind": "government", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "control or text-direction characters" in response.text
    assert list(Unit.objects.values_list("name", flat=True)) == ["联合体秘书处"]
