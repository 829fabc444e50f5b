"""The staff area's approval queue: a unit manager sees the pending bookings of their unit's
resources, the secretariat all of them, each with its conflicts and its requester's history;
they approve or reject one or many with a reason, each booking decided on its own and its
outcome reported; the frame shows staff how many bookings await them."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.selectors_lists import (
    RequesterHistory,
    requester_history_get,
)
from notifications.models import Notification
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
QUEUE = "/staff/approvals/"
DECIDE = "/staff/approvals/decide/"


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def pending(resource, hour: int, day: int = 25, **kwargs) -> Booking:
    return BookingFactory(
        resource=resource,
        start=local(2026, 11, day, hour),
        end=local(2026, 11, day, hour + 1),
        status=BookingStatus.PENDING,
        **kwargs,
    )


@pytest.fixture
def world(frozen_now):
    """Two units, each with a resource needing approval and a pending booking of it, their
    managers, the secretariat and a researcher."""
    own_unit, other_unit = UnitFactory(name="深圳湾实验室"), UnitFactory(name="中山大学")
    microscope = ResourceFactory(unit=own_unit, name="冷冻电镜", requires_approval=True)
    sequencer = ResourceFactory(unit=other_unit, name="基因测序仪", requires_approval=True)
    researcher = MemberFactory(name="李研究员")
    return type(
        "World",
        (),
        {
            "microscope": microscope,
            "sequencer": sequencer,
            "researcher": researcher,
            "manager": MemberFactory(name="王管理员", unit=own_unit, role=MemberRole.UNIT_MANAGER),
            "other_manager": MemberFactory(unit=other_unit, role=MemberRole.UNIT_MANAGER),
            "secretariat": MemberFactory(name="秘书处", role=MemberRole.SECRETARIAT),
            "own": pending(microscope, 9, member=researcher, purpose="冷冻样品"),
            "other": pending(sequencer, 9, member=researcher, purpose="测序"),
        },
    )


def nothing_written(*bookings: Booking) -> None:
    for booking in bookings:
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING
    assert not BookingEvent.objects.filter(booking__in=bookings).exists()
    assert not Notification.objects.exists()


# --- Access ---------------------------------------------------------------------------------


def test_a_manager_sees_the_pending_bookings_of_their_units_resources_only(world):
    response = signed_in(world.manager).get(QUEUE)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="pending-{world.own.pk}"' in html
    assert "冷冻电镜" in html
    assert "冷冻样品" in html
    assert "2026-11-25 09:00–10:00" in html  # Asia/Shanghai
    assert f'data-testid="pending-{world.other.pk}"' not in html
    assert "基因测序仪" not in html


def test_the_secretariat_sees_every_pending_booking(world):
    html = signed_in(world.secretariat).get(QUEUE).content.decode()

    assert f'data-testid="pending-{world.own.pk}"' in html
    assert f'data-testid="pending-{world.other.pk}"' in html


def test_decided_bookings_are_not_in_the_queue(world):
    BookingFactory(
        resource=world.microscope,
        start=local(2026, 11, 26, 9),
        end=local(2026, 11, 26, 10),
        purpose="已批准的实验",
    )
    html = signed_in(world.manager).get(QUEUE).content.decode()
    assert "已批准的实验" not in html


def test_a_researcher_is_refused_the_queue_and_its_decisions(world):
    client = signed_in(world.researcher)

    assert client.get(QUEUE).status_code == 403
    response = client.post(DECIDE, {"booking": [world.own.pk], "action": "approve"})

    assert response.status_code == 403
    nothing_written(world.own)


def test_visitors_are_sent_to_sign_in(world):
    response = Client().get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))
    refused = Client().post(DECIDE, {"booking": [world.own.pk], "action": "approve"})
    assert refused.status_code == 302
    nothing_written(world.own)


def test_an_inactive_manager_is_signed_out_and_decides_nothing(world):
    client = signed_in(world.manager)
    world.manager.is_active = False
    world.manager.save()

    assert client.get(QUEUE).status_code == 302
    assert client.post(DECIDE, {"booking": [world.own.pk], "action": "approve"}).status_code == 302
    nothing_written(world.own)


def test_the_manager_of_a_deactivated_unit_is_refused(world):
    client = signed_in(world.manager)
    unit = world.manager.unit
    unit.is_active = False
    unit.save()

    assert client.get(QUEUE).status_code == 403
    assert client.post(DECIDE, {"booking": [world.own.pk], "action": "approve"}).status_code == 403
    nothing_written(world.own)


def test_a_manager_cannot_decide_another_units_booking_and_learns_nothing_of_it(world):
    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.other.pk], "action": "approve"}
    )

    assert response.status_code == 200
    outcome = response.context["outcomes"][0]
    assert (outcome.booking_id, outcome.done, outcome.label) == (
        world.other.pk,
        False,
        f"#{world.other.pk}",
    )
    assert "基因测序仪" not in response.content.decode()
    nothing_written(world.other)


# --- What the queue shows ---------------------------------------------------------------------


def test_each_booking_shows_the_closures_in_its_way(world):
    ClosureFactory(
        resource=world.microscope,
        start=local(2026, 11, 25, 8),
        end=local(2026, 11, 25, 12),
        reason="年度检修",
    )
    elsewhere = pending(world.microscope, 14)

    response = signed_in(world.manager).get(QUEUE)

    html = response.content.decode()
    assert f'data-testid="conflicts-{world.own.pk}"' in html
    assert "年度检修" in html
    conflicts = {b.pk: c for b, c, _ in response.context["rows"]}
    assert [c.reason for c in conflicts[world.own.pk].closures] == ["年度检修"]
    assert not conflicts[elsewhere.pk]
    assert f'data-testid="conflicts-{elsewhere.pk}"' not in html


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL's exclusion constraint makes overlapping blocking bookings impossible",
)
def test_each_booking_shows_the_blocking_bookings_it_overlaps(world):
    overlapping = BookingFactory(
        resource=world.microscope,
        member=MemberFactory(name="赵先到"),
        start=local(2026, 11, 25, 9, 30),
        end=local(2026, 11, 25, 11),
    )

    response = signed_in(world.manager).get(QUEUE)

    assert "赵先到" in response.content.decode()
    conflicts = {b.pk: c for b, c, _ in response.context["rows"]}
    assert conflicts[world.own.pk].bookings == [overlapping]


def test_each_booking_shows_its_requesters_history(world):
    def past(status, **kwargs):
        day = 10 + Booking.objects.count()
        BookingFactory(
            resource=world.sequencer,
            member=world.researcher,
            start=local(2026, 10, day, 9),
            end=local(2026, 10, day, 10),
            status=status,
            **kwargs,
        )

    past(BookingStatus.NO_SHOW)
    past(BookingStatus.NO_SHOW)
    past(BookingStatus.CANCELLED, cancelled_late=True)
    past(BookingStatus.CANCELLED)
    past(BookingStatus.COMPLETED)

    response = signed_in(world.manager).get(QUEUE)

    history = {b.pk: h for b, _, h in response.context["rows"]}
    assert history[world.own.pk] == RequesterHistory(
        no_shows=2, late_cancellations=1, cancellations=2, completed=1, credit_score=100
    )
    html = response.content.decode()
    assert "爽约：2" in html


def test_each_booking_shows_its_requesters_credit_standing(world, frozen_now):
    """Issue 12: the score now and a running suspension, read in the history's query."""
    from bookings.models import CreditAccount

    CreditAccount.objects.create(
        member=world.researcher,
        score=55,
        recovered_at=frozen_now,
        suspended_until=frozen_now + dt.timedelta(days=30),
    )
    response = signed_in(world.manager).get(QUEUE)
    history = {b.pk: h for b, _, h in response.context["rows"]}
    assert history[world.own.pk].credit_score == 55
    assert history[world.own.pk].suspended_until == frozen_now + dt.timedelta(days=30)
    html = response.content.decode()
    assert f'data-testid="credit-{world.own.pk}"' in html


def test_the_requesters_history_is_one_query_for_any_number_of_members(
    world, django_assert_num_queries
):
    members = [MemberFactory() for _ in range(5)]
    for member in members:
        BookingFactory(
            resource=world.sequencer,
            member=member,
            start=local(2026, 10, 1 + member.pk % 20, 9),
            end=local(2026, 10, 1 + member.pk % 20, 10),
            status=BookingStatus.NO_SHOW,
        )
    quiet = MemberFactory()

    with django_assert_num_queries(1):
        history = requester_history_get([m.pk for m in members] + [quiet.pk, world.researcher.pk])

    assert history[members[0].pk] == RequesterHistory(no_shows=1, credit_score=100)
    assert history[quiet.pk] == RequesterHistory(credit_score=100)
    # pending ones count for nothing:
    assert history[world.researcher.pk] == RequesterHistory(
        credit_score=100
    )  # pending ones count for nothing
    assert requester_history_get([]) == {}


@pytest.mark.parametrize("count", [2, 25])
def test_the_queue_reads_a_constant_number_of_queries(frozen_now, count, django_assert_num_queries):
    manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
    resources = [ResourceFactory(unit=manager.unit, requires_approval=True) for _ in range(3)]
    for i in range(count):
        day, hour = 24 + i // 12, 8 + i % 12
        pending(resources[i % 3], hour, day=day, member=MemberFactory())
        ClosureFactory(
            resource=resources[i % 3],
            start=local(2026, 11, day, hour),
            end=local(2026, 11, day, hour + 1),
        )
    client = signed_in(manager)

    # session, user, member; unread notices, pending count (frame); queue count, page,
    # overlapping bookings, closures, requester history.
    with django_assert_num_queries(10):
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == count


# --- Deciding -------------------------------------------------------------------------------


def test_a_manager_approves_several_bookings_at_once_each_reported(world):
    second = pending(world.microscope, 15, member=MemberFactory(name="钱研究员"))

    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.own.pk, second.pk], "action": "approve", "reason": "可以"}
    )

    assert response.status_code == 200
    assert [(o.booking_id, o.done) for o in response.context["outcomes"]] == [
        (world.own.pk, True),
        (second.pk, True),
    ]
    for booking in (world.own, second):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.APPROVED
        event = BookingEvent.objects.get(booking=booking, action=BookingEvent.Action.APPROVED)
        assert (event.actor_id, event.reason) == (world.manager.pk, "可以")
    assert Notification.objects.filter(member=world.researcher).count() == 1
    html = response.content.decode()
    assert f'data-testid="outcome-{second.pk}"' in html
    assert f'data-testid="pending-{second.pk}"' not in html  # gone from the queue


def test_a_rejection_tells_the_requester_the_reason(world):
    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.own.pk], "action": "reject", "reason": "设备年检"}
    )

    assert response.context["outcomes"][0].done
    booking = Booking.objects.get(pk=world.own.pk)
    assert booking.status == BookingStatus.REJECTED
    assert BookingEvent.objects.get(booking=booking).reason == "设备年检"
    assert "设备年检" in Notification.objects.get(member=world.researcher).body


def test_a_rejection_without_a_reason_is_refused_and_writes_nothing(world):
    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.own.pk], "action": "reject", "reason": "   "}
    )

    assert response.status_code == 400
    assert response.context["error"]
    nothing_written(world.own)


def test_htmx_gets_the_refusal_in_place_and_nothing_is_written(world):
    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.own.pk], "action": "reject"}, **HTMX
    )

    assert response.status_code == 200  # htmx would not swap a 400 in
    assert 'data-testid="decision-error"' in response.content.decode()
    nothing_written(world.own)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve"},  # nothing selected
        {"booking": ["x", "-1"], "action": "approve"},
        {"booking": ["1"], "action": "delete"},
        {"booking": ["1"]},
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(world, data):
    data = {k: [str(world.own.pk)] if v == ["1"] else v for k, v in data.items()}
    response = signed_in(world.manager).post(DECIDE, data)

    assert response.status_code == 400
    assert response.context["error"]
    nothing_written(world.own)


def test_one_refusal_leaves_the_other_decisions_standing(world):
    """Someone decided the first booking meanwhile: it is reported refused and why, the second
    is approved all the same."""
    already = pending(world.microscope, 15)
    signed_in(world.secretariat).post(
        DECIDE, {"booking": [already.pk], "action": "reject", "reason": "重复"}
    )
    events_before = BookingEvent.objects.count()

    response = signed_in(world.manager).post(
        DECIDE, {"booking": [already.pk, world.own.pk], "action": "approve"}
    )

    refused, approved = response.context["outcomes"]
    assert not refused.done
    assert "已驳回" in refused.message
    assert approved.done
    assert Booking.objects.get(pk=already.pk).status == BookingStatus.REJECTED
    assert Booking.objects.get(pk=world.own.pk).status == BookingStatus.APPROVED
    assert BookingEvent.objects.count() == events_before + 1
    assert f'data-testid="outcome-{already.pk}"' in response.content.decode()


def test_approving_a_booking_of_a_deactivated_unit_is_refused_on_its_row(world):
    unit = world.researcher.unit
    unit.is_active = False
    unit.save()

    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.own.pk], "action": "approve"}
    )

    assert not response.context["outcomes"][0].done
    nothing_written(world.own)


def test_htmx_gets_the_queue_alone_with_the_badge_out_of_band(world):
    second = pending(world.microscope, 15)

    response = signed_in(world.manager).post(
        DECIDE, {"booking": [world.own.pk], "action": "approve"}, **HTMX
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="approval-queue"' in html
    assert 'id="staff-pending-badge" hx-swap-oob="true"' in html
    assert 'data-testid="pending-decisions-badge"' in html
    assert f'data-testid="pending-{second.pk}"' in html
    assert response.context["web_pending_decisions"] == 1


# --- The badge ------------------------------------------------------------------------------


def test_staff_see_how_many_bookings_await_them_in_the_frame_and_on_me(world):
    pending(world.microscope, 15)
    client = signed_in(world.manager)

    response = client.get(reverse("web:me"))

    assert response.context["web_pending_decisions"] == 2
    html = response.content.decode()
    assert 'data-testid="pending-decisions-badge"' in html  # the tab bar
    assert 'data-testid="staff-entry-badge"' in html
    assert f'href="{QUEUE}"' in html
    assert signed_in(world.secretariat).get("/").context["web_pending_decisions"] == 3


def test_researchers_have_no_staff_entry_and_no_badge_query(world, django_assert_num_queries):
    client = signed_in(world.researcher)

    response = client.get(reverse("web:me"))

    assert response.context["web_pending_decisions"] == 0
    html = response.content.decode()
    assert "pending-decisions-badge" not in html
    assert 'data-testid="staff-approvals-link"' not in html
    with django_assert_num_queries(4):  # session, user, member, unread notices: no count
        client.get(reverse("web:me"))


def test_a_manager_with_nothing_pending_sees_no_badge_and_an_empty_queue(frozen_now):
    manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
    client = signed_in(manager)

    html = client.get(QUEUE).content.decode()

    assert 'data-testid="queue-empty"' in html
    assert "pending-decisions-badge" not in html
