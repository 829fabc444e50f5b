"""Specification of the back office for bookings (bookings.admin, bookings.admin_views):
scoping by role, read-only rows, approve/reject through the services, the approval queue."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.services import booking_approve, booking_create
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

CHANGELIST = "admin:bookings_booking_changelist"
QUEUE = "admin:bookings_booking_queue"


def staff(role, unit, name):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=role, name=name)


def signed_in(member_or_user, language="en"):
    """A browser (in English unless told: the admin's default is zh-hans) signed in as the
    given member or user."""
    client = Client(headers={"accept-language": language})
    client.force_login(getattr(member_or_user, "user", member_or_user))
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def world(frozen_now):
    unit = UnitFactory(name="深圳湾实验室")
    other_unit = UnitFactory(name="中国科学院深圳理工大学")
    office = UnitFactory(name="联合体秘书处")
    w = type("World", (), {})()
    w.manager = staff(MemberRole.UNIT_MANAGER, unit, "张主任")
    w.other_manager = staff(MemberRole.UNIT_MANAGER, other_unit, "陈主任")
    w.secretariat = staff(MemberRole.SECRETARIAT, office, "赵秘书")
    w.researcher = MemberFactory(unit=unit, name="李研究员")
    w.other_researcher = MemberFactory(unit=other_unit, name="王研究员")
    w.resource = ResourceFactory(unit=unit, name="单细胞技术平台", requires_approval=True)
    w.other_resource = ResourceFactory(unit=other_unit, name="冷冻电镜", requires_approval=True)
    w.booking = booking_create(
        member=w.researcher,
        resource_id=w.resource.pk,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
        purpose="单细胞测序样品制备",
    )
    w.other_booking = booking_create(
        member=w.other_researcher,
        resource_id=w.other_resource.pk,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
        purpose="蛋白结构解析",
    )
    return w


def history(booking):
    return list(
        BookingEvent.objects.filter(booking=booking)
        .order_by("at", "pk")
        .values_list("action", "actor_id", "reason")
    )


# --- The back office's front page ---------------------------------------------------------


def test_the_back_office_speaks_chinese_by_default(world):
    response = signed_in(world.manager, language="").get(reverse("admin:index"))

    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.text
    assert reverse("admin:bookings_booking_queue") in response.text


def test_a_unit_manager_is_offered_only_what_they_may_use(world):
    response = signed_in(world.manager).get(reverse("admin:index"))

    models = {
        model["object_name"]: model["perms"]
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert models["Resource"]["add"]
    assert models["Resource"]["change"]
    assert models["Closure"]["add"]
    assert not models["MakeUpWorkingDay"]["add"]
    assert not models["Booking"]["add"]
    assert not models["Booking"]["change"]
    assert not models["Unit"]["change"]
    assert not models["Member"]["add"]
    assert "User" not in models
    assert "Group" not in models


# --- Who sees what ------------------------------------------------------------------------


def test_a_unit_manager_lists_only_bookings_of_their_units_resources(world):
    response = signed_in(world.manager).get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world.booking]
    assert "单细胞测序样品制备" in response.text
    assert "蛋白结构解析" not in response.text
    assert "中国科学院深圳理工大学" not in response.text  # not even in the filters


def test_the_secretariat_lists_every_booking(world):
    response = signed_in(world.secretariat).get(reverse(CHANGELIST))

    assert set(response.context["cl"].result_list) == {world.booking, world.other_booking}


def test_a_unit_manager_cannot_open_another_units_booking(world):
    client = signed_in(world.manager)

    response = client.get(reverse("admin:bookings_booking_change", args=[world.other_booking.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:bookings_booking_history", args=[world.other_booking.pk]))[
        "Location"
    ] == reverse("admin:index")


def test_staff_without_a_managing_role_sees_no_bookings(world):
    world.researcher.user.is_staff = True
    world.researcher.user.save()
    client = signed_in(world.researcher)

    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse(QUEUE)).status_code == 403


# --- Bookings are read-only here ----------------------------------------------------------


def test_bookings_cannot_be_added_or_edited_in_the_back_office(world):
    client = signed_in(world.secretariat)
    change_url = reverse("admin:bookings_booking_change", args=[world.booking.pk])

    assert client.get(reverse("admin:bookings_booking_add")).status_code == 403
    response = client.post(change_url, {"purpose": "改掉", "status": "approved"})

    assert response.status_code == 403
    world.booking.refresh_from_db()
    assert (world.booking.purpose, world.booking.status) == ("单细胞测序样品制备", "pending")


def test_a_booking_shows_its_history_read_only(world):
    response = signed_in(world.manager).get(
        reverse("admin:bookings_booking_change", args=[world.booking.pk])
    )

    assert response.status_code == 200
    assert "Requested" in response.text  # BookingEvent.Action.CREATED
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission


# --- Approve and reject -------------------------------------------------------------------


def act(client, action, bookings, **extra):
    data = {"action": action, "_selected_action": [b.pk for b in bookings], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_approving_asks_for_confirmation_then_calls_the_service(world):
    client = signed_in(world.manager)

    confirmation = act(client, "approve_bookings", [world.booking], index="0")

    assert confirmation.status_code == 200
    assert "单细胞测序样品制备" in confirmation.text
    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.PENDING

    done = act(client, "approve_bookings", [world.booking], post="yes", reason="同意")

    assert done.status_code == 302
    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.APPROVED
    assert history(world.booking)[-1] == (
        BookingEvent.Action.APPROVED,
        world.manager.pk,
        "同意",
    )
    assert "1 booking approved." in messages_of(done)


def test_rejecting_requires_a_reason(world):
    client = signed_in(world.secretariat)
    before = history(world.booking)

    refused = act(client, "reject_bookings", [world.booking], post="yes", reason="  ")

    assert refused.status_code == 200
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.PENDING
    assert history(world.booking) == before

    act(client, "reject_bookings", [world.booking], post="yes", reason="设备检修，请改期")

    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.REJECTED
    assert history(world.booking)[-1] == (
        BookingEvent.Action.REJECTED,
        world.secretariat.pk,
        "设备检修，请改期",
    )


def test_a_unit_manager_cannot_decide_another_units_booking(world):
    client = signed_in(world.manager)
    before = history(world.other_booking)

    response = act(client, "approve_bookings", [world.other_booking], post="yes")

    assert Booking.objects.get(pk=world.other_booking.pk).status == BookingStatus.PENDING
    assert history(world.other_booking) == before
    assert "1 selected booking is not yours to decide and was left alone." in messages_of(response)


def test_each_booking_is_decided_on_its_own_and_refusals_are_reported(world):
    approved = BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 10),
        status=BookingStatus.APPROVED,
    )

    response = act(
        signed_in(world.manager), "approve_bookings", [world.booking, approved], post="yes"
    )

    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.APPROVED
    texts = messages_of(response)
    assert "1 booking approved." in texts
    assert any(
        text.startswith(
            "单细胞技术平台, 2026-11-25 09:00–10:00 (李研究员): This booking is Approved"
        )
        for text in texts
    )
    assert not BookingEvent.objects.filter(booking=approved).exists()


def test_a_superuser_without_a_member_profile_cannot_decide(world):
    admin_user = UserFactory(is_staff=True, is_superuser=True)

    response = act(signed_in(admin_user), "approve_bookings", [world.booking], post="yes")

    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.PENDING
    assert any("no member profile" in text for text in messages_of(response))


# --- The approval queue -------------------------------------------------------------------


def pending(world, day, hour, purpose, requested_at):
    booking = booking_create(
        member=world.researcher,
        resource_id=world.resource.pk,
        start=local(2026, 11, day, hour),
        end=local(2026, 11, day, hour + 1),
        purpose=purpose,
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=requested_at)
    return booking


def test_the_queue_lists_pending_bookings_oldest_request_first(world, frozen_now):
    late = pending(world, 26, 9, "晚到的申请", frozen_now + dt.timedelta(hours=1))
    early = pending(world, 27, 9, "早到的申请", frozen_now - dt.timedelta(days=2))
    BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=local(2026, 11, 30, 9),
        end=local(2026, 11, 30, 10),
        purpose="已批准的预约",
        status=BookingStatus.APPROVED,
    )

    response = signed_in(world.manager).get(reverse(QUEUE))

    assert response.status_code == 200
    assert [b for b, _ in response.context["rows"]] == [early, world.booking, late]
    assert "已批准的预约" not in response.text
    assert "蛋白结构解析" not in response.text  # another unit's
    for text in ("单细胞技术平台", "深圳湾实验室", "李研究员", "晚到的申请"):
        assert text in response.text


def test_the_queue_shows_closures_added_after_the_request(world):
    ClosureFactory(
        resource=world.resource,
        start=local(2026, 11, 24, 9, 30),
        end=local(2026, 11, 24, 12),
        reason="液氮补给",
    )

    response = signed_in(world.manager).get(reverse(QUEUE))

    ((booking, conflicts),) = response.context["rows"]
    assert booking == world.booking
    assert [c.reason for c in conflicts.closures] == ["液氮补给"]
    assert conflicts.bookings == []
    assert "液氮补给" in response.text


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL's exclusion constraint makes overlapping blocking bookings impossible",
)
def test_the_queue_shows_overlapping_blocking_bookings(world):
    clash = BookingFactory(
        resource=world.resource,
        member=world.researcher,
        start=local(2026, 11, 24, 9, 30),
        end=local(2026, 11, 24, 10, 30),
        status=BookingStatus.APPROVED,
    )

    response = signed_in(world.manager).get(reverse(QUEUE))

    ((booking, conflicts),) = response.context["rows"]
    assert conflicts.bookings == [clash]


def test_deciding_from_the_queue_returns_to_the_queue(world):
    client = signed_in(world.manager)

    confirmation = act(client, "reject_bookings", [world.booking], index="0", _from_queue="1")
    assert 'name="_from_queue"' in confirmation.text
    done = act(
        client, "reject_bookings", [world.booking], post="yes", reason="时段冲突", _from_queue="1"
    )

    assert done["Location"] == reverse(QUEUE)
    assert Booking.objects.get(pk=world.booking.pk).status == BookingStatus.REJECTED


# --- Bounded queries ----------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def more_bookings(world, n):
    for i in range(n):
        day = 24 + i % 4  # Tuesday to Friday
        hour = 11 + i // 4
        booking_create(
            member=world.researcher if i % 2 else world.other_researcher,
            resource_id=(world.resource if i % 2 else world.other_resource).pk,
            start=local(2026, 11, day, hour),
            end=local(2026, 11, day, hour + 1),
            purpose=f"样品{i}",
        )
        ClosureFactory(
            resource=world.resource,
            start=local(2026, 11, day, hour),
            end=local(2026, 11, day, hour + 1),
        )


@pytest.mark.parametrize("url", [reverse(CHANGELIST), reverse(QUEUE)])
def test_booking_lists_cost_the_same_queries_for_few_or_many_rows(world, url):
    client = signed_in(world.secretariat)
    few = count_queries(client, url)

    more_bookings(world, 20)
    many = count_queries(client, url)

    assert many == few
    assert many <= 12


def test_the_history_page_lists_the_bookings_events_in_the_alliances_zone(world):
    booking_approve(booking_id=world.booking.pk, actor=world.manager)
    response = signed_in(world.manager).get(
        reverse("admin:bookings_booking_history", args=[world.booking.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Frozen at 08:00 in Shanghai (00:00 UTC): both events show the local time.
    assert html.count("2026-11-23 08:00") == 2
    assert "2026-11-23 00:00" not in html
    assert "张主任" in html
    assert "李研究员" in html


def test_another_units_manager_cannot_open_a_bookings_history(world):
    response = signed_in(world.other_manager).get(
        reverse("admin:bookings_booking_history", args=[world.booking.pk])
    )
    assert response.status_code in (302, 403, 404)
    assert "李研究员" not in response.content.decode()


def test_the_booking_list_shows_time_and_status_up_front(world):
    response = signed_in(world.secretariat).get(reverse(CHANGELIST))
    html = response.content.decode()
    assert "2026-11-24 Tue 09:00–10:00" in html
    headers = ("column-when", "column-coloured_status", "column-resource")
    positions = [html.index(h) for h in headers]
    assert positions == sorted(positions)
    assert "column-created_at" not in html
