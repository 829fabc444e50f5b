"""booking_notify (who is told what), the inbox writes, and subscription credits."""

import pytest
from django.db import transaction

from alliance.actors import SYSTEM
from alliance.errors import NotFound, ValidationFailed
from alliance.models import MemberRole
from notifications.models import Notification, OutboxMessage, SubscriptionCredit
from notifications.services import (
    booking_notify,
    notification_mark_all_read,
    notification_mark_read,
    subscription_credits_add,
)
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, UnitFactory
from tests.notifications.conftest import OPENID, TEMPLATES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

WHEN = "2026-11-24 09:00–10:00"


def notify(booking, event, **kwargs):
    """As a booking service does: inside the transaction that changed the booking."""
    with transaction.atomic():
        booking_notify(booking=booking, event=event, **{"actor": SYSTEM, **kwargs})


def give_credits(member, event, count=1):
    SubscriptionCredit.objects.create(member=member, template_id=TEMPLATES[event], credits=count)


# --- Who is told, and what ------------------------------------------------------------------


def test_a_new_request_tells_the_secretariat_and_the_resource_units_managers(
    booking, manager, secretary, unit
):
    MemberFactory(unit=unit, role=MemberRole.RESEARCHER)
    MemberFactory(role=MemberRole.UNIT_MANAGER)  # of another unit
    MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER, is_active=False)

    notify(booking, "requested", actor=booking.member)

    told = Notification.objects.order_by("member__name")
    assert [n.member for n in told] == sorted([manager, secretary], key=lambda m: m.name)
    for notification in told:
        assert notification.kind == "requested"
        assert notification.booking == booking
        assert notification.title == "New booking request"
        assert notification.body == f"李明 (中大) asks to book 冷冻电镜 for {WHEN}: 蛋白质结构解析"
        assert notification.read_at is None
        assert notification.created_at == FROZEN_NOW
    assert not OutboxMessage.objects.exists()


def test_a_manager_requesting_their_own_units_resource_is_not_told_of_it(
    booking, manager, secretary
):
    booking.member = manager
    booking.save()

    notify(booking, "requested", actor=manager)

    assert list(Notification.objects.values_list("member", flat=True)) == [secretary.pk]


@pytest.mark.parametrize(
    ("event", "kwargs", "title", "body"),
    [
        ("approved", {}, "Booking approved", f"Your booking of 冷冻电镜 for {WHEN} is approved."),
        (
            "rejected",
            {"reason": "当天设备校准"},
            "Booking rejected",
            f"Your booking of 冷冻电镜 for {WHEN} was rejected: 当天设备校准",
        ),
        (
            "expired",
            {},
            "Booking request expired",
            f"Your request for 冷冻电镜 for {WHEN} was not decided before it started and has "
            "lapsed.",
        ),
        (
            "reminder",
            {},
            "Booking starts soon",
            "Your booking of 冷冻电镜 starts at 2026-11-24 09:00, at A栋201.",
        ),
        (
            "no_show",
            {},
            "Booking missed",
            f"You did not check in for 冷冻电镜 for {WHEN}; the booking was released.",
        ),
    ],
)
def test_the_booker_is_told_of_each_event(booking, manager, event, kwargs, title, body):
    notify(booking, event, actor=manager if event in {"approved", "rejected"} else SYSTEM, **kwargs)

    (notification,) = Notification.objects.all()
    assert notification.member == booking.member
    assert (notification.kind, notification.title, notification.body) == (event, title, body)


def test_a_cancellation_by_someone_else_tells_the_booker_who_and_why(booking, manager):
    notify(booking, "cancelled", actor=manager, reason="设备故障")

    (notification,) = Notification.objects.all()
    assert notification.member == booking.member
    assert notification.title == "Booking cancelled"
    assert notification.body == f"王经理 cancelled your booking of 冷冻电镜 for {WHEN}: 设备故障"


def test_a_cancellation_by_the_system_tells_the_booker(booking):
    notify(booking, "cancelled", actor=SYSTEM)

    assert Notification.objects.get().body == f"Your booking of 冷冻电镜 for {WHEN} was cancelled."


def test_the_booker_cancelling_their_own_booking_is_told_nothing(booking):
    give_credits(booking.member, "cancelled")

    notify(booking, "cancelled", actor=booking.member, reason="计划有变")

    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert SubscriptionCredit.objects.get().credits == 1


def test_long_reasons_are_cut_to_keep_the_text_short(booking, manager):
    notify(booking, "rejected", actor=manager, reason="原因" * 250)

    body = Notification.objects.get().body
    assert len(body) <= 500
    assert body.endswith("原因" * 59 + "原…")


def test_repeating_an_event_tells_nobody_twice(booking, manager, secretary):
    give_credits(booking.member, "approved", count=3)

    notify(booking, "requested", actor=booking.member)
    notify(booking, "requested", actor=booking.member)
    notify(booking, "approved", actor=manager)
    notify(booking, "approved", actor=manager)

    assert Notification.objects.filter(kind="requested").count() == 2
    assert Notification.objects.filter(kind="approved").count() == 1
    assert OutboxMessage.objects.count() == 1
    assert SubscriptionCredit.objects.get().credits == 2


def test_a_notification_rolls_back_with_the_booking_change(booking, manager):
    give_credits(booking.member, "approved")

    def approve_then_fail():
        with transaction.atomic():
            booking_notify(booking=booking, event="approved", actor=manager)
            raise RuntimeError("the booking service failed after notifying")

    with pytest.raises(RuntimeError, match="failed after notifying"):
        approve_then_fail()

    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert SubscriptionCredit.objects.get().credits == 1


def test_an_unknown_event_is_a_programming_error(booking):
    with pytest.raises(ValueError, match="unknown booking event 'finished'"):
        notify(booking, "finished")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notifying_outside_the_bookings_transaction_is_refused(booking):
    with pytest.raises(RuntimeError, match="must run inside the booking's transaction"):
        booking_notify(booking=booking, event="approved", actor=SYSTEM)
    assert not Notification.objects.exists()


# --- WeChat messages and credits ------------------------------------------------------------


def test_a_credit_buys_one_wechat_message_for_the_booker(booking, manager):
    give_credits(booking.member, "approved", count=2)

    notify(booking, "approved", actor=manager)

    message = OutboxMessage.objects.get()
    assert message.notification == Notification.objects.get()
    assert message.member == booking.member
    assert message.openid == OPENID
    assert message.template_id == TEMPLATES["approved"]
    assert message.page == f"pages/booking/detail?id={booking.pk}"
    assert message.data == {
        "thing1": {"value": "冷冻电镜"},
        "time2": {"value": "2026年11月24日 09:00"},
        "phrase3": {"value": "已通过"},
        "thing4": {"value": "蛋白质结构解析"},
    }
    assert (message.status, message.attempts, message.next_attempt_at) == ("pending", 0, FROZEN_NOW)
    assert SubscriptionCredit.objects.get().credits == 1


def test_without_a_credit_the_message_stays_in_the_inbox_only(booking, manager):
    give_credits(booking.member, "approved", count=0)
    give_credits(booking.member, "rejected", count=1)  # a credit for another template

    notify(booking, "approved", actor=manager)

    assert Notification.objects.filter(kind="approved").exists()
    assert not OutboxMessage.objects.exists()
    assert sorted(SubscriptionCredit.objects.values_list("credits", flat=True)) == [0, 1]


def test_a_member_without_wechat_gets_no_message_and_keeps_the_credit(booking, manager):
    booking.member.wechat_openid = None
    booking.member.save()
    give_credits(booking.member, "approved")

    notify(booking, "approved", actor=manager)

    assert Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert SubscriptionCredit.objects.get().credits == 1


def test_an_event_without_a_template_is_told_in_the_inbox_only(booking, settings):
    settings.WECHAT_TEMPLATE_BOOKING_NO_SHOW = ""
    give_credits(booking.member, "no_show")

    notify(booking, "no_show")

    assert Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert SubscriptionCredit.objects.get().credits == 1


def test_accepted_templates_add_one_credit_each(booker):
    subscription_credits_add(
        member=booker, template_ids=[TEMPLATES["approved"], TEMPLATES["rejected"]]
    )
    subscription_credits_add(
        member=booker, template_ids=[TEMPLATES["approved"], TEMPLATES["approved"]]
    )

    assert dict(SubscriptionCredit.objects.values_list("template_id", "credits")) == {
        TEMPLATES["approved"]: 2,
        TEMPLATES["rejected"]: 1,
    }


def test_one_template_used_for_several_events_shares_its_credits(booking, manager, settings):
    settings.WECHAT_TEMPLATE_BOOKING_REJECTED = TEMPLATES["approved"]
    subscription_credits_add(member=booking.member, template_ids=[TEMPLATES["approved"]])

    notify(booking, "rejected", actor=manager, reason="当天设备校准")
    notify(booking, "reminder")

    assert OutboxMessage.objects.get().notification.kind == "rejected"
    assert SubscriptionCredit.objects.get().credits == 0


def test_credits_for_a_template_the_alliance_does_not_use_are_refused(booker):
    with pytest.raises(ValidationFailed, match="unknown_template") as refused:
        subscription_credits_add(
            member=booker, template_ids=[TEMPLATES["approved"], "tpl-of-someone-else"]
        )

    assert refused.value.params == {"template_id": "tpl-of-someone-else"}
    assert not SubscriptionCredit.objects.exists()


def test_credits_of_one_member_are_not_anothers(booker):
    other = MemberFactory(unit=UnitFactory(), wechat_openid="o-other")
    subscription_credits_add(member=other, template_ids=[TEMPLATES["approved"]])

    assert not SubscriptionCredit.objects.filter(member=booker).exists()


# --- Reading the inbox ----------------------------------------------------------------------


def test_marking_read_sets_the_time_once(booking):
    notify(booking, "approved")
    notification = Notification.objects.get()

    first = notification_mark_read(
        member=booking.member, notification_id=notification.pk, now=local(2026, 11, 23, 9)
    )
    again = notification_mark_read(
        member=booking.member, notification_id=notification.pk, now=local(2026, 11, 23, 10)
    )

    assert first.read_at == again.read_at == local(2026, 11, 23, 9)


def test_another_members_notification_is_not_found_and_stays_unread(booking, manager):
    notify(booking, "approved")
    notification = Notification.objects.get()

    with pytest.raises(NotFound):
        notification_mark_read(member=manager, notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_touches_only_the_members_unread(booking, manager, secretary):
    notify(booking, "requested", actor=booking.member)
    notify(booking, "approved", actor=manager)
    notify(booking, "reminder")
    notification_mark_read(
        member=booking.member,
        notification_id=Notification.objects.get(kind="approved").pk,
        now=local(2026, 11, 23, 7),
    )

    assert notification_mark_all_read(member=booking.member) == 1

    assert set(
        Notification.objects.filter(member=booking.member).values_list("read_at", flat=True)
    ) == {local(2026, 11, 23, 7), FROZEN_NOW}
    assert Notification.objects.filter(kind="requested", read_at__isnull=True).count() == 2
