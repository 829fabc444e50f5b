"""The back office's view of notifications: the secretariat only, read-only, retrying
given-up WeChat messages through the service, and never the WeChat access token."""

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from alliance.actors import SYSTEM
from alliance.models import MemberRole
from notifications.models import OutboxMessage, SubscriptionCredit, WeChatAccessToken
from notifications.services import booking_notify
from notifications.wechat import access_token_get
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory, UserFactory
from tests.notifications.conftest import TEMPLATES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

OUTBOX = "admin:notifications_outboxmessage_changelist"
INBOX = "admin:notifications_notification_changelist"


def signed_in(role, unit=None):
    extra = {"unit": unit} if unit is not None else {}
    member = MemberFactory(user=UserFactory(is_staff=True), role=role, **extra)
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    return client


@pytest.fixture
def messages_(booking):
    """A given-up and a sent message."""
    SubscriptionCredit.objects.create(
        member=booking.member, template_id=TEMPLATES["approved"], credits=1
    )
    SubscriptionCredit.objects.create(
        member=booking.member, template_id=TEMPLATES["reminder"], credits=1
    )
    with transaction.atomic():
        booking_notify(booking=booking, event="approved", actor=SYSTEM)
        booking_notify(booking=booking, event="reminder", actor=SYSTEM)
    given_up = OutboxMessage.objects.get(template_id=TEMPLATES["approved"])
    sent = OutboxMessage.objects.get(template_id=TEMPLATES["reminder"])
    OutboxMessage.objects.filter(pk=given_up.pk).update(
        status="given_up", attempts=1, last_error="WeChatError 43101: user refuse"
    )
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent", attempts=1, sent_at=FROZEN_NOW)
    return given_up, sent


def test_the_secretariat_sees_the_outbox_and_the_inbox(messages_):
    client = signed_in(MemberRole.SECRETARIAT)

    outbox = client.get(reverse(OUTBOX))
    inbox = client.get(reverse(INBOX))

    assert outbox.status_code == 200
    assert "WeChatError 43101: user refuse" in outbox.content.decode()
    assert inbox.status_code == 200
    assert "Booking approved" in inbox.content.decode()


def test_unit_managers_do_not_see_members_notifications(messages_, unit):
    client = signed_in(MemberRole.UNIT_MANAGER, unit=unit)

    assert client.get(reverse(OUTBOX)).status_code == 403
    assert client.get(reverse(INBOX)).status_code == 403
    assert "notifications" not in client.get(reverse("admin:index")).content.decode()


def test_messages_cannot_be_edited_in_the_back_office(messages_):
    given_up, _ = messages_
    client = signed_in(MemberRole.SECRETARIAT)
    url = reverse("admin:notifications_outboxmessage_change", args=[given_up.pk])

    client.post(url, {"status": "sent", "attempts": 0})

    given_up.refresh_from_db()
    assert (given_up.status, given_up.attempts) == ("given_up", 1)


def test_the_secretariat_can_send_given_up_messages_again(messages_):
    given_up, sent = messages_
    client = signed_in(MemberRole.SECRETARIAT)

    answer = client.post(
        reverse(OUTBOX),
        {"action": "retry", "_selected_action": [given_up.pk, sent.pk]},
        follow=True,
    )

    assert "1 message will be sent again." in answer.content.decode()
    given_up.refresh_from_db()
    sent.refresh_from_db()
    assert (given_up.status, given_up.attempts, given_up.next_attempt_at) == (
        "pending",
        0,
        FROZEN_NOW,
    )
    assert (sent.status, sent.attempts) == ("sent", 1)


def test_not_even_a_superuser_sees_the_access_token_in_the_back_office(wechat_server):
    token = access_token_get()
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    index = client.get(reverse("admin:index"))
    app = client.get(reverse("admin:app_list", args=["notifications"]))

    assert (index.status_code, app.status_code) == (200, 200)
    assert "WeChat messages" in app.content.decode(), "the app's other models are listed"
    assert not admin.site.is_registered(WeChatAccessToken)
    with pytest.raises(NoReverseMatch):
        reverse("admin:notifications_wechataccesstoken_changelist")
    for page in (index.content.decode(), app.content.decode()):
        assert "access token" not in page.lower()
        assert token not in page
