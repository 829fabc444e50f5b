"""The staff schedule across resources (issue 9): who may see it, what it shows, that it
costs a fixed number of queries, and what staff do from it (book on behalf, close over
bookings after a confirmation step, approve, reject, cancel with a reason)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, BookingStatus
from resources.models import Closure, ResourceKind
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SCHEDULE = reverse("web:staff-schedule")
TODAY = "?day=2026-11-23"


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def world(frozen_now):
    """Monday 2026-11-23 08:00. Unit A's instrument (approval needed) has a pending booking
    at 10:00 and an approved one at 14:00 and a closure on Tuesday; unit B has a venue."""
    unit_a = UnitFactory(name="深圳湾实验室", short_name="深圳湾")
    unit_b = UnitFactory(name="光明实验室", short_name="光明")
    resource = ResourceFactory(name="冷冻电镜", unit=unit_a, requires_approval=True)
    other = ResourceFactory(name="报告厅", unit=unit_b, kind=ResourceKind.VENUE)
    researcher = MemberFactory(name="李研究员")
    world = type("World", (), {})()
    world.unit_a, world.unit_b, world.resource, world.other = unit_a, unit_b, resource, other
    world.researcher = researcher
    world.manager = MemberFactory(name="王管理员", unit=unit_a, role=MemberRole.UNIT_MANAGER)
    world.other_manager = MemberFactory(unit=unit_b, role=MemberRole.UNIT_MANAGER)
    world.secretariat = MemberFactory(name="秘书处", role=MemberRole.SECRETARIAT)
    world.inactive_manager = MemberFactory(
        unit=unit_a, role=MemberRole.UNIT_MANAGER, is_active=False
    )
    world.pending = BookingFactory(
        resource=resource,
        member=researcher,
        start=local(2026, 11, 23, 10),
        end=local(2026, 11, 23, 11),
        status=BookingStatus.PENDING,
    )
    world.approved = BookingFactory(
        resource=resource,
        member=MemberFactory(name="赵博士"),
        start=local(2026, 11, 23, 14),
        end=local(2026, 11, 23, 16),
    )
    ClosureFactory(
        resource=resource, start=local(2026, 11, 24, 8), end=local(2026, 11, 24, 20), reason="年检"
    )
    return world


# --- Access -------------------------------------------------------------------------------


def test_anonymous_and_inactive_members_are_sent_to_sign_in(world):
    pages = [
        SCHEDULE,
        reverse("web:staff"),
        reverse("web:staff-book") + f"?resource={world.resource.pk}",
        reverse("web:staff-close") + f"?resource={world.resource.pk}",
        reverse("web:staff-booking", args=[world.pending.pk]),
    ]
    act = reverse("web:staff-booking-act", args=[world.pending.pk, "approve"])
    for client in (Client(), signed_in(world.inactive_manager)):
        for response in [*(client.get(page) for page in pages), client.post(act)]:
            assert response.status_code == 302
            assert "/sign-in/" in response["Location"]
    world.pending.refresh_from_db()
    assert world.pending.status == BookingStatus.PENDING


@pytest.mark.parametrize(
    "url",
    [
        SCHEDULE,
        reverse("web:staff"),
        reverse("web:staff-book") + "?resource=1",
        reverse("web:staff-close") + "?resource=1",
        reverse("web:staff-members") + "?resource=1",
        reverse("web:staff-booking", args=[1]),
    ],
)
def test_researchers_are_refused_every_staff_page(world, url):
    assert signed_in(world.researcher).get(url).status_code == 403


def test_researchers_cannot_act_on_a_booking(world):
    url = reverse("web:staff-booking-act", args=[world.pending.pk, "approve"])
    assert signed_in(world.researcher).post(url).status_code == 403
    world.pending.refresh_from_db()
    assert world.pending.status == BookingStatus.PENDING


def test_a_manager_sees_their_own_units_resources_only(world):
    html = signed_in(world.manager).get(SCHEDULE + TODAY).content.decode()
    assert "冷冻电镜" in html
    assert "报告厅" not in html
    html = signed_in(world.other_manager).get(SCHEDULE + TODAY).content.decode()
    assert "报告厅" in html
    assert "冷冻电镜" not in html


def test_the_secretariat_sees_the_whole_alliance_and_filters_it(world):
    client = signed_in(world.secretariat)
    html = client.get(SCHEDULE + TODAY).content.decode()
    assert "冷冻电镜" in html
    assert "报告厅" in html
    by_kind = client.get(SCHEDULE + TODAY + "&kind=venue").content.decode()
    assert "报告厅" in by_kind
    assert "冷冻电镜" not in by_kind
    by_unit = client.get(SCHEDULE + TODAY + f"&unit={world.unit_a.pk}").content.decode()
    assert "冷冻电镜" in by_unit
    assert "报告厅" not in by_unit
    by_keyword = client.get(SCHEDULE + TODAY + "&q=电镜").content.decode()
    assert "冷冻电镜" in by_keyword
    assert "报告厅" not in by_keyword


def test_a_manager_of_another_unit_gets_404_for_our_resource_and_bookings(world):
    client = signed_in(world.other_manager)
    resource = f"?resource={world.resource.pk}"
    assert client.get(reverse("web:staff-book") + resource).status_code == 404
    assert client.get(reverse("web:staff-close") + resource).status_code == 404
    assert client.get(reverse("web:staff-members") + resource).status_code == 404
    assert client.get(reverse("web:staff-booking", args=[world.pending.pk])).status_code == 404
    for action in ("approve", "reject", "cancel"):
        url = reverse("web:staff-booking-act", args=[world.pending.pk, action])
        assert client.post(url, {"reason": "不行"}).status_code == 404
    world.pending.refresh_from_db()
    assert world.pending.status == BookingStatus.PENDING
    assert not BookingEvent.objects.filter(booking=world.pending).exists()


def test_staff_pages_open_for_the_manager_and_the_secretariat(world):
    for member in (world.manager, world.secretariat):
        client = signed_in(member)
        assert client.get(reverse("web:staff")).status_code == 200
        resource = f"?resource={world.resource.pk}&start=2026-11-23T12:00"
        assert client.get(reverse("web:staff-book") + resource).status_code == 200
        assert client.get(reverse("web:staff-close") + resource).status_code == 200
        assert client.get(reverse("web:staff-booking", args=[world.pending.pk])).status_code == 200


def test_the_me_page_links_to_the_staff_area_for_staff_only(world):
    link = 'data-testid="staff-link"'
    assert link in signed_in(world.manager).get("/me/").content.decode()
    assert link in signed_in(world.secretariat).get("/me/").content.decode()
    assert link not in signed_in(world.researcher).get("/me/").content.decode()


def test_a_manager_of_a_deactivated_unit_is_refused(world):
    world.unit_a.is_active = False
    world.unit_a.save()
    assert signed_in(world.manager).get(SCHEDULE).status_code == 403


# --- What the grid shows ------------------------------------------------------------------


def test_day_grid_shows_hours_bookers_statuses_and_pending_stands_out(world):
    html = signed_in(world.manager).get(SCHEDULE + TODAY).content.decode()
    assert ">08:00<" in html
    assert ">19:00<" in html  # open 08:00–20:00: the last column is 19:00–20:00
    assert "李研究员" in html
    assert "赵博士" in html
    assert f'data-booking="{world.pending.pk}" data-status="pending"' in html
    assert "staff-booking--pending" in html
    assert "staff-cell--pending" in html


def test_week_grid_shows_closures_with_reason_and_closed_weekends(world):
    html = signed_in(world.manager).get(SCHEDULE + TODAY + "&view=week").content.decode()
    assert "staff-cell--closure" in html
    assert 'data-testid="schedule-closure" title="年检"' in html
    assert "staff-cell--closed" in html  # Saturday and Sunday
    assert "李研究员" in html


def test_navigation_moves_by_a_day_or_a_week_and_htmx_gets_the_grid_only(world):
    client = signed_in(world.manager)
    day = client.get(SCHEDULE + TODAY, **HTMX).content.decode()
    assert "day=2026-11-22" in day
    assert "day=2026-11-24" in day
    assert "<html" not in day
    week = client.get(SCHEDULE + "?day=2026-11-25&view=week").content.decode()
    assert "day=2026-11-16" in week
    assert "day=2026-11-30" in week
    assert "2026-11-23" in week  # the week starts on Monday


def test_nonsense_query_parameters_fall_back_to_today(world):
    response = signed_in(world.manager).get(SCHEDULE + "?day=nope&unit=x&view=year")
    assert response.status_code == 200
    assert "2026-11-23" in response.content.decode()


# --- A fixed number of queries ------------------------------------------------------------


def _populate(unit, n_resources: int, bookings_each: int) -> None:
    researcher = MemberFactory()
    for _ in range(n_resources):
        resource = ResourceFactory(unit=unit)
        for i in range(bookings_each):
            day = local(2026, 11, 23 + i % 5, 8 + (i // 5) % 12)
            BookingFactory(
                resource=resource, member=researcher, start=day, end=day + dt.timedelta(hours=1)
            )


@pytest.mark.parametrize("view", ["day", "week"])
def test_the_schedule_costs_the_same_queries_for_3_or_40_resources(
    world, django_assert_num_queries, view
):
    client = signed_in(world.secretariat)
    url = SCHEDULE + TODAY + "&view=" + view
    client.get(url)  # warm the session
    _populate(world.unit_a, 1, 1)
    # 10, and the frame's count of bookings awaiting this staff member's decision.
    with django_assert_num_queries(11) as small:
        assert client.get(url).status_code == 200
    _populate(world.unit_b, 40, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="schedule-row"') == 43


# --- Book on behalf -----------------------------------------------------------------------


def test_the_secretariat_books_on_behalf_of_a_member(world):
    response = signed_in(world.secretariat).post(
        reverse("web:staff-book"),
        {
            "resource": world.resource.pk,
            "member": world.researcher.pk,
            "start": "2026-11-23T12:00",
            "minutes": "60",
            "purpose": "冷冻样品",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "schedule-changed" in response["HX-Trigger-After-Settle"]
    booking = Booking.objects.get(purpose="冷冻样品")
    assert booking.member == world.researcher
    assert booking.start == local(2026, 11, 23, 12)
    assert booking.end == local(2026, 11, 23, 13)
    event = booking.events.get()
    assert event.action == BookingEvent.Action.CREATED_ON_BEHALF
    assert event.actor == world.secretariat


def test_a_refused_booking_on_behalf_says_why_and_writes_nothing(world):
    response = signed_in(world.manager).post(
        reverse("web:staff-book"),
        {
            "resource": world.resource.pk,
            "member": world.researcher.pk,
            "start": "2026-11-23T10:00",  # the pending booking holds it
            "minutes": "60",
            "purpose": "冷冻样品",
        },
    )
    html = response.content.decode()
    assert 'data-testid="dialog-error"' in html
    assert not Booking.objects.filter(purpose="冷冻样品").exists()


def test_an_incomplete_booking_form_says_what_is_missing(world):
    response = signed_in(world.manager).post(
        reverse("web:staff-book"), {"resource": world.resource.pk, "start": "2026-11-23T12:00"}
    )
    assert 'data-testid="dialog-error"' in response.content.decode()
    assert Booking.objects.count() == 2


def test_member_search_finds_members_by_name_within_the_allowed_units(world):
    world.resource.allowed_units.set([world.researcher.unit])
    outsider = MemberFactory(name="李外人")
    html = (
        signed_in(world.manager)
        .get(reverse("web:staff-members"), {"resource": world.resource.pk, "q": "李"})
        .content.decode()
    )
    assert "李研究员" in html
    assert outsider.name not in html


def test_the_member_picker_lists_nobody_until_a_name_is_typed(world):
    client = signed_in(world.manager)
    form = client.get(reverse("web:staff-book"), {"resource": world.resource.pk})
    assert 'data-testid="member-choice"' not in form.content.decode()
    empty = client.get(reverse("web:staff-members"), {"resource": world.resource.pk, "q": "无此人"})
    assert 'data-testid="members-empty"' in empty.content.decode()


def test_a_refused_booking_keeps_the_chosen_member(world):
    response = signed_in(world.manager).post(
        reverse("web:staff-book"),
        {
            "resource": world.resource.pk,
            "q": "李研",
            "member": world.researcher.pk,
            "start": "2026-11-23T10:00",
            "minutes": "60",
            "purpose": "冷冻样品",
        },
    )
    assert f'value="{world.researcher.pk}" required data-testid="member-choice"' in (
        response.content.decode()
    )
    assert "checked" in response.content.decode()


# --- Close over bookings ------------------------------------------------------------------


def _close(client, **extra):
    data = {
        "resource": extra.pop("resource"),
        "start": "2026-11-23T13:00",
        "end": "2026-11-23T18:00",
        "reason": "维修",
    }
    data.update(extra)
    return client.post(reverse("web:staff-close"), data, **HTMX)


def test_closing_first_lists_the_bookings_it_hits_and_writes_nothing(world):
    html = _close(signed_in(world.manager), resource=world.resource.pk).content.decode()
    assert 'data-testid="close-confirm"' in html
    assert f'data-testid="close-hit" data-booking="{world.approved.pk}"' in html
    assert "赵博士" in html
    assert not Closure.objects.filter(reason="维修").exists()
    world.approved.refresh_from_db()
    assert world.approved.status == BookingStatus.APPROVED


def test_confirming_the_closure_cancels_the_hits_with_its_reason(world):
    response = _close(signed_in(world.manager), resource=world.resource.pk, confirm="1")
    assert 'data-testid="closed"' in response.content.decode()
    assert "schedule-changed" in response["HX-Trigger-After-Settle"]
    closure = Closure.objects.get(reason="维修")
    assert closure.start == local(2026, 11, 23, 13)
    world.approved.refresh_from_db()
    assert world.approved.status == BookingStatus.CANCELLED
    event = world.approved.events.get()
    assert event.action == BookingEvent.Action.CANCELLED_BY_CLOSURE
    assert event.reason == "维修"


def test_a_closure_without_reason_is_refused(world):
    html = _close(signed_in(world.manager), resource=world.resource.pk, reason="").content.decode()
    assert 'data-testid="dialog-error"' in html
    assert not Closure.objects.filter(start=local(2026, 11, 23, 13)).exists()


def test_a_closure_ending_before_it_starts_is_refused_in_words(world):
    html = _close(
        signed_in(world.manager), resource=world.resource.pk, end="2026-11-23T12:00"
    ).content.decode()
    assert 'data-testid="dialog-error"' in html
    assert not Closure.objects.filter(reason="维修").exists()


# --- Decide and cancel --------------------------------------------------------------------


def _act(client, booking, action, reason=""):
    return client.post(
        reverse("web:staff-booking-act", args=[booking.pk, action]), {"reason": reason}, **HTMX
    )


def test_the_manager_approves_a_pending_booking(world):
    response = _act(signed_in(world.manager), world.pending, "approve")
    assert 'data-testid="booking-done"' in response.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.status == BookingStatus.APPROVED


def test_rejecting_needs_a_reason(world):
    client = signed_in(world.secretariat)
    html = _act(client, world.pending, "reject").content.decode()
    assert 'data-testid="dialog-error"' in html
    world.pending.refresh_from_db()
    assert world.pending.status == BookingStatus.PENDING
    _act(client, world.pending, "reject", "样品不合规")
    world.pending.refresh_from_db()
    assert world.pending.status == BookingStatus.REJECTED


def test_cancelling_needs_a_reason_and_records_it(world):
    client = signed_in(world.manager)
    html = _act(client, world.approved, "cancel").content.decode()
    assert 'data-testid="dialog-error"' in html
    world.approved.refresh_from_db()
    assert world.approved.status == BookingStatus.APPROVED
    _act(client, world.approved, "cancel", "设备故障")
    world.approved.refresh_from_db()
    assert world.approved.status == BookingStatus.CANCELLED
    assert world.approved.events.get().reason == "设备故障"


def test_an_unknown_action_is_404(world):
    response = _act(signed_in(world.manager), world.pending, "delete")
    assert response.status_code == 404


def test_acting_needs_post(world):
    url = reverse("web:staff-booking-act", args=[world.pending.pk, "approve"])
    assert signed_in(world.manager).get(url).status_code == 405
