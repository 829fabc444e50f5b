"""Delivering the outbox to the loopback WeChat server: what WeChat receives, the shared
access token, retries with back-off, giving up, and bookings untouched whatever happens."""

import datetime as dt
import logging
import uuid

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction

from alliance.actors import SYSTEM
from alliance.crypto import secret_decrypt
from bookings.models import BookingEvent
from notifications.models import OutboxMessage, SubscriptionCredit, WeChatAccessToken
from notifications.services import _outbox_claim, booking_notify, outbox_deliver_due
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory
from tests.notifications.conftest import OPENID, TEMPLATES
from tests.wechat_fake import APPID, SECRET, STABLE_TOKEN, SUBSCRIBE_SEND, TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def wechat(wechat_server):
    """The loopback WeChat server, which knows the booker."""
    wechat_server.add_user(OPENID)
    return wechat_server


def queue_message(booking, event="approved", **kwargs):
    """What a booking service does: notify inside its transaction, with a credit in hand."""
    SubscriptionCredit.objects.get_or_create(member=booking.member, template_id=TEMPLATES[event])
    SubscriptionCredit.objects.filter(member=booking.member).update(credits=1)
    with transaction.atomic():
        booking_notify(booking=booking, event=event, **{"actor": SYSTEM, **kwargs})
    return OutboxMessage.objects.get(notification__booking=booking, notification__kind=event)


def stored_token():
    """The access token as the database holds it, decrypted."""
    return secret_decrypt(WeChatAccessToken.objects.get().token_encrypted)


def another_booking(booking, day):
    return BookingFactory(
        resource=booking.resource,
        member=booking.member,
        start=local(2026, 11, day, 14),
        end=local(2026, 11, day, 15),
    )


@pytest.fixture
def booking_state(booking):
    """The booking as it was before any delivery, to compare with afterwards."""

    def snapshot():
        booking.refresh_from_db()
        return booking.status, booking.updated_at, BookingEvent.objects.count()

    before = snapshot()
    yield before
    assert snapshot() == before, "delivering a WeChat message must never touch the booking"


def test_a_due_message_is_sent_exactly_as_wechat_expects(wechat, booking, booking_state):
    message = queue_message(booking)

    assert outbox_deliver_due() == 1

    (token_request,) = wechat.requests_to(STABLE_TOKEN)
    assert token_request.json == {
        "grant_type": "client_credential",
        "appid": APPID,
        "secret": SECRET,
        "force_refresh": False,
    }
    (send,) = wechat.requests_to(SUBSCRIBE_SEND)
    assert send.method == "POST"
    assert send.query == {"access_token": stored_token()}
    assert send.json == {
        "touser": OPENID,
        "template_id": TEMPLATES["approved"],
        "page": f"pages/booking/detail?id={booking.pk}",
        "data": {
            "thing1": {"value": "冷冻电镜"},
            "time2": {"value": "2026年11月24日 09:00"},
            "phrase3": {"value": "已通过"},
            "thing4": {"value": "蛋白质结构解析"},
        },
        "miniprogram_state": "trial",
        "lang": "zh_CN",
    }
    assert wechat.sent_messages == [send.json]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at, message.last_error) == (
        "sent",
        1,
        FROZEN_NOW,
        "",
    )
    assert message.claim is None


def test_nothing_is_sent_before_a_worker_runs(wechat, booking):
    queue_message(booking)

    assert wechat.requests == []


def test_a_sent_message_is_not_sent_again(wechat, booking):
    queue_message(booking)
    outbox_deliver_due()

    assert outbox_deliver_due(now=FROZEN_NOW + dt.timedelta(days=1)) == 0
    assert len(wechat.requests_to(SUBSCRIBE_SEND)) == 1


def test_the_access_token_is_fetched_once_and_shared(wechat, booking):
    queue_message(booking)
    queue_message(another_booking(booking, 25))
    outbox_deliver_due()
    cache.clear()  # another server, with its own cache, shares the token through the database
    queue_message(another_booking(booking, 26))
    outbox_deliver_due()

    assert len(wechat.requests_to(STABLE_TOKEN)) == 1
    sends = wechat.requests_to(SUBSCRIBE_SEND)
    assert len(sends) == 3
    assert len({send.query["access_token"] for send in sends}) == 1
    assert OutboxMessage.objects.filter(status="sent").count() == 3


def test_a_token_is_refreshed_five_minutes_before_it_expires(wechat, booking):
    queue_message(booking)
    outbox_deliver_due()
    fetched = WeChatAccessToken.objects.get()
    assert fetched.expires_at == FROZEN_NOW + dt.timedelta(seconds=7200)

    later = FROZEN_NOW + dt.timedelta(seconds=7200 - 300 - 1)
    with time_machine.travel(later, tick=False):
        queue_message(another_booking(booking, 25))
        outbox_deliver_due()
    assert len(wechat.requests_to(STABLE_TOKEN)) == 1

    later = FROZEN_NOW + dt.timedelta(seconds=7200 - 300)
    with time_machine.travel(later, tick=False):
        queue_message(another_booking(booking, 26))
        outbox_deliver_due()
    assert len(wechat.requests_to(STABLE_TOKEN)) == 2
    assert WeChatAccessToken.objects.get().fetched_at == later
    assert OutboxMessage.objects.filter(status="sent").count() == 3


@pytest.mark.parametrize("refusal", ["expired", "invalid"])
def test_a_refused_token_is_replaced_once_and_the_send_retried(
    wechat, booking, booking_state, refusal
):
    queue_message(booking)
    outbox_deliver_due()
    old_token = stored_token()
    if refusal == "expired":
        wechat.expire_access_tokens()  # 42001
    else:
        wechat.queue_error(SUBSCRIBE_SEND, 40001, "invalid credential, access_token is invalid")
    message = queue_message(another_booking(booking, 25))

    assert outbox_deliver_due() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert [r.json["force_refresh"] for r in wechat.requests_to(STABLE_TOKEN)] == [False, True]
    sends = wechat.requests_to(SUBSCRIBE_SEND)
    assert [send.query["access_token"] for send in sends[1:]] == [
        old_token,
        stored_token(),
    ]
    if refusal == "expired":
        assert stored_token() != old_token


def test_a_token_refused_again_after_a_refresh_is_retried_later_and_never_shown(
    wechat, booking, caplog
):
    caplog.set_level(logging.DEBUG)
    message = queue_message(booking)
    wechat.queue_error(SUBSCRIBE_SEND, 40001, "invalid credential")
    wechat.queue_error(SUBSCRIBE_SEND, 40001, "invalid credential")

    outbox_deliver_due()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == "WeChatAccessTokenInvalid 40001: invalid credential"
    assert len(wechat.requests_to(SUBSCRIBE_SEND)) == 2
    tokens = {r.query["access_token"] for r in wechat.requests_to(SUBSCRIBE_SEND)}
    for token in tokens:
        assert token not in caplog.text
        assert token not in message.last_error
    assert SECRET not in caplog.text


def test_the_classic_token_endpoint_can_be_configured(wechat, booking, settings):
    settings.WECHAT_ACCESS_TOKEN_ENDPOINT = "token"
    message = queue_message(booking)

    outbox_deliver_due()

    (token_request,) = wechat.requests_to(TOKEN)
    assert (token_request.method, token_request.query) == (
        "GET",
        {"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
    )
    assert wechat.requests_to(STABLE_TOKEN) == []
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_transient_failure_is_retried_with_back_off_then_sent(wechat, booking, booking_state):
    message = queue_message(booking)
    wechat.queue(SUBSCRIBE_SEND, status=502)
    wechat.queue_error(SUBSCRIBE_SEND, -1, "system error")

    assert outbox_deliver_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.next_attempt_at == FROZEN_NOW + MINUTE
    assert message.last_error == "WeChatUnavailable: HTTP 502"
    assert outbox_deliver_due(now=FROZEN_NOW + MINUTE - dt.timedelta(seconds=1)) == 0

    assert outbox_deliver_due(now=FROZEN_NOW + MINUTE) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)
    assert message.next_attempt_at == FROZEN_NOW + 3 * MINUTE
    assert message.last_error == "WeChatUnavailable -1: system error"

    assert outbox_deliver_due(now=FROZEN_NOW + 3 * MINUTE) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")
    assert message.sent_at == FROZEN_NOW + 3 * MINUTE
    assert len(wechat.sent_messages) == 1


def test_a_timeout_and_the_rate_limit_are_transient(wechat, booking, settings):
    settings.WECHAT_TIMEOUT_SECONDS = 0.2
    message = queue_message(booking)
    outbox_deliver_due()  # fetch the token before slowing WeChat down
    message = queue_message(another_booking(booking, 25))
    wechat.queue(SUBSCRIBE_SEND, delay=2)
    wechat.queue_error(SUBSCRIBE_SEND, 45009, "reach max api daily quota limit")

    outbox_deliver_due()
    message.refresh_from_db()
    assert (message.status, message.last_error) == (
        "failed",
        "WeChatUnavailable: unreachable (timeout)",
    )
    outbox_deliver_due(now=FROZEN_NOW + MINUTE)
    message.refresh_from_db()
    assert (message.status, message.last_error) == (
        "failed",
        "WeChatRateLimited 45009: reach max api daily quota limit",
    )
    assert message.next_attempt_at == FROZEN_NOW + 3 * MINUTE


def test_after_the_last_attempt_a_failing_message_is_given_up(wechat, booking, booking_state):
    message = queue_message(booking)
    for _ in range(4):
        wechat.queue(SUBSCRIBE_SEND, status=503)

    when = FROZEN_NOW
    for _ in range(4):
        assert outbox_deliver_due(now=when) == 1
        message.refresh_from_db()
        when = message.next_attempt_at

    assert (message.status, message.attempts) == ("given_up", 4)
    assert message.last_error == "WeChatUnavailable: HTTP 503"
    assert outbox_deliver_due(now=when + dt.timedelta(days=1)) == 0
    assert wechat.sent_messages == []


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("refuse", "WeChatError 43101: user refuse to accept the msg"),
        ("unknown_user", "WeChatError 40003: invalid openid"),
        ("unknown_template", "WeChatError 40037: invalid template_id"),
    ],
)
def test_a_permanent_refusal_is_given_up_at_once(
    wechat_server, booking, booking_state, setup, error
):
    if setup == "refuse":
        wechat_server.add_user(OPENID)
        wechat_server.refuse_messages(OPENID)
    elif setup == "unknown_template":
        wechat_server.add_user(OPENID)
        wechat_server.templates = {"tpl-something-else"}
    message = queue_message(booking)

    assert outbox_deliver_due() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("given_up", 1, error)
    assert outbox_deliver_due(now=FROZEN_NOW + dt.timedelta(days=1)) == 0
    assert len(wechat_server.requests_to(SUBSCRIBE_SEND)) == 1


def test_a_message_claimed_by_a_worker_is_left_alone_until_its_lease_ends(wechat, booking):
    message = queue_message(booking)
    dead_worker = uuid.uuid4()
    assert _outbox_claim(now=FROZEN_NOW, limit=10, claim=dead_worker, only_ids=None) == [message.pk]

    assert outbox_deliver_due() == 0
    assert outbox_deliver_due(now=FROZEN_NOW + dt.timedelta(seconds=119)) == 0
    assert outbox_deliver_due(now=FROZEN_NOW + dt.timedelta(seconds=120)) == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(wechat.sent_messages) == 1


def test_with_delivery_on_commit_the_message_leaves_right_after_the_commit(
    wechat, booking, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = True

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_message(booking)
        assert wechat.requests_to(SUBSCRIBE_SEND) == []

    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(wechat.sent_messages) == 1


def test_with_delivery_on_commit_an_unreachable_wechat_leaves_the_message_for_the_worker(
    booking, booking_state, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = True
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused
    settings.WECHAT_APPID, settings.WECHAT_SECRET = APPID, SECRET
    settings.WECHAT_TIMEOUT_SECONDS = 1

    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(booking)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("WeChatUnavailable: unreachable")
