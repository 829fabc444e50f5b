"""Specification of what the resource endpoints tell each caller: ``can_book`` with the code
a booking would be refused with, the ``check_in_url`` (code-bearing for the resource's
managers only), and the new descriptive fields (location, directions, contact, rules in
words). The list answers in the same number of queries for 1 resource as for 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Unit
from bookings.models import Booking
from resources.models import Resource
from tests.api.helpers import api_client
from tests.api.world import client_for, world_build
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/resources/"


@pytest.fixture
def world():
    return world_build()


def detail(client, resource):
    response = client.get(f"{URL}{resource.pk}/")
    assert response.status_code == 200, response.json()
    return response.json()


def book(client, resource):
    """A booking request that keeps every rule of time (tomorrow 10:00–10:30, open hours)."""
    return client.post(
        "/api/v1/bookings/",
        {
            "resource": resource.pk,
            "start": "2026-11-24T10:00:00+08:00",
            "end": "2026-11-24T10:30:00+08:00",
            "purpose": "样品测试",
        },
        format="json",
    )


# --- can_book predicts what booking says ------------------------------------------------


def test_a_member_may_book_an_open_resource_and_booking_agrees(world):
    client = client_for(world.researcher)

    body = detail(client, world.other_resource)

    assert (body["can_book"], body["cannot_book_reason"]) == (True, None)
    assert book(client, world.other_resource).status_code == 201


def deactivate(unit):
    Unit.objects.filter(pk=unit.pk).update(is_active=False)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda w: Resource.objects.filter(pk=w.other_resource.pk).update(is_retired=True),
            "resource_retired",
        ),
        (lambda w: deactivate(w.other_resource.unit), "resource_unit_inactive"),
        (lambda w: deactivate(w.researcher.unit), "booking_unit_inactive"),
        (
            lambda w: w.other_resource.allowed_units.set([w.other_researcher.unit]),
            "not_allowed_for_unit",
        ),
    ],
)
def test_a_refusal_is_announced_with_the_code_booking_answers(world, change, code):
    change(world)
    client = client_for(world.researcher)

    body = detail(client, world.other_resource)
    listed = {
        row["id"]: row for row in client.get(URL, {"include_retired": "true"}).json()["results"]
    }
    refused = book(client, world.other_resource)

    assert (body["can_book"], body["cannot_book_reason"]) == (False, code)
    assert listed[world.other_resource.pk]["cannot_book_reason"] == code
    assert refused.status_code == 400
    assert refused.json()["code"] == code
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("modes", "can_book", "code"),
    [
        ({}, False, "not_qualified"),
        ({"offers_assisted": True, "assisted_min_notice_minutes": 0}, True, None),
        ({"offers_self_use": False, "offers_samples": True}, False, "mode_not_offered"),
    ],
)
def test_can_book_follows_the_modes_an_unqualified_member_may_book(world, modes, can_book, code):
    """The qualification gate is self-use's: an unqualified member may still book assisted
    use where it is offered, and booking agrees with what ``can_book`` said."""
    Resource.objects.filter(pk=world.other_resource.pk).update(requires_qualification=True, **modes)
    mode = "assisted" if modes.get("offers_assisted") else None
    if mode:
        world.other_resource.operators.add(MemberFactory(unit=world.other_resource.unit))
    client = client_for(world.researcher)

    body = detail(client, world.other_resource)
    listed = {row["id"]: row for row in client.get(URL).json()["results"]}
    response = client.post(
        "/api/v1/bookings/",
        {
            "resource": world.other_resource.pk,
            "start": "2026-11-24T10:00:00+08:00",
            "end": "2026-11-24T10:30:00+08:00",
            "purpose": "样品测试",
            **({"mode": mode} if mode else {}),
        },
        format="json",
    )

    assert (body["can_book"], body["cannot_book_reason"]) == (can_book, code)
    assert listed[world.other_resource.pk]["cannot_book_reason"] == code
    if can_book:
        assert response.status_code == 201, response.json()
    else:
        assert (response.status_code, response.json()["code"]) == (400, code)
        assert not Booking.objects.exists()


def test_a_unit_on_the_allow_list_may_book(world):
    world.other_resource.allowed_units.set([world.other_researcher.unit, world.researcher.unit])

    assert detail(client_for(world.researcher), world.other_resource)["can_book"] is True


def test_an_unbound_wechat_user_browses_but_cannot_book(world):
    client = api_client(openid="o-unbound")

    body = detail(client, world.other_resource)
    refused = book(client, world.other_resource)

    assert (body["can_book"], body["cannot_book_reason"]) == (False, "not_bound")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_bound"


# --- check_in_url -----------------------------------------------------------------------


def test_the_resources_managers_see_the_printed_check_in_url(world):
    printed = (
        f"http://testserver/r/{world.resource.pk}/check-in/?code={world.resource.checkin_code}"
    )

    assert detail(client_for(world.manager), world.resource)["check_in_url"] == printed
    assert detail(client_for(world.secretariat), world.resource)["check_in_url"] == printed


@pytest.mark.parametrize("who", ["researcher", "other_manager", "other_researcher"])
def test_everyone_else_gets_the_resources_page_without_the_code(world, who):
    client = client_for(getattr(world, who))

    body = detail(client, world.resource)
    listed = client.get(URL).json()["results"]

    page = f"http://testserver/r/{world.resource.pk}/"
    assert body["check_in_url"] == page
    assert world.resource.checkin_code not in str(listed)


# --- Descriptive fields -----------------------------------------------------------------


def test_the_detail_shows_location_directions_contact_and_rules_in_words(world):
    Resource.objects.filter(pk=world.resource.pk).update(
        building="科研楼A栋",
        room="3层 301",
        address="深圳市光明区新湖街道圳园路1068号",
        directions="乘地铁6号线科学公园站，步行10分钟",
        contact_name="公共平台管理部",
        contact_phone="0755-0000-0003",
        requires_checkin=False,
    )
    client = client_for(world.researcher)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    body = detail(client, world.resource)

    assert body["location"] == {
        "building": "科研楼A栋",
        "room": "3层 301",
        "address": "深圳市光明区新湖街道圳园路1068号",
        "text": "科研楼A栋 3层 301 深圳市光明区新湖街道圳园路1068号",
    }
    assert body["directions"] == "乘地铁6号线科学公园站，步行10分钟"
    assert body["contact"] == {"name": "公共平台管理部", "phone": "0755-0000-0003"}
    assert body["requires_check_in"] is False
    assert {"rule": "requires_checkin", "text": "No check-in needed"} in body["rules_display"]
    assert body["min_notice_minutes"] == 60  # the machine form stays


def test_a_manager_sets_the_location_parts_and_check_in_rule(world):
    response = client_for(world.manager).patch(
        f"{URL}{world.resource.pk}/",
        {"room": "B201", "contact_phone": "0755-0000-0001", "requires_check_in": False},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["location"]["room"] == "B201"
    assert response.json()["location"]["building"] == "光明科学城"  # left alone
    world.resource.refresh_from_db()
    assert (world.resource.room, world.resource.contact_phone) == ("B201", "0755-0000-0001")
    assert world.resource.requires_checkin is False


def test_the_old_one_line_location_is_refused_as_an_unknown_field(world):
    response = client_for(world.manager).patch(
        f"{URL}{world.resource.pk}/", {"location": "A栋"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"


def test_search_finds_words_of_the_building_room_or_address(world):
    ResourceFactory(unit=world.resource.unit, name="会议室", building="", room="B201")
    client = client_for(world.researcher)

    names = [row["name"] for row in client.get(URL, {"q": "B201"}).json()["results"]]

    assert names == ["会议室"]


# --- A constant number of queries -------------------------------------------------------


#: The token with its member and the member's unit (1), the count (1), the page with each
#: row's unit and allow-list probe (1), the page's photos (1).
LIST_QUERIES = 4


def list_queries(world, count):
    """The queries of one catalogue page holding ``count`` resources besides the world's."""
    for n in range(count):
        unit = UnitFactory()
        resource = ResourceFactory(unit=unit, name=f"仪器{n}")
        if n % 2:
            resource.allowed_units.set([unit])
    client = client_for(world.manager)
    client.get("/api/v1/me/")  # records last_used_at (a once-a-minute write), not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == count + 2
    return len(queries)


def test_the_list_takes_as_many_queries_for_30_resources_as_for_1(world):
    one = list_queries(world, 1)
    Resource.objects.exclude(pk__in=[world.resource.pk, world.other_resource.pk]).delete()
    thirty = list_queries(world, 30)

    assert one == thirty == LIST_QUERIES
