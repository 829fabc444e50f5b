"""Several workers delivering the outbox at once, on PostgreSQL with real connections.

Each worker is a thread with its own database connection, as separate processes would be.
A control test shows that the harness does catch double sends when rows are not claimed.
"""

import threading

import pytest
from django.db import connection, transaction

from alliance.actors import SYSTEM
from notifications.models import OutboxMessage, SubscriptionCredit
from notifications.services import booking_notify, outbox_deliver_due
from notifications.wechat import subscribe_message_send
from tests.conftest import local
from tests.factories import BookingFactory
from tests.notifications.conftest import OPENID, TEMPLATES
from tests.wechat_fake import STABLE_TOKEN, SUBSCRIBE_SEND

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MESSAGES = 20


@pytest.fixture
def queued(wechat_server, booker, resource):
    """MESSAGES approval messages waiting in the outbox for the booker."""
    wechat_server.add_user(OPENID)
    SubscriptionCredit.objects.create(
        member=booker, template_id=TEMPLATES["approved"], credits=MESSAGES
    )
    for day in range(MESSAGES):
        booking = BookingFactory(
            resource=resource,
            member=booker,
            start=local(2026, 12, 1 + day, 9),
            end=local(2026, 12, 1 + day, 10),
        )
        with transaction.atomic():
            booking_notify(booking=booking, event="approved", actor=SYSTEM)
    assert OutboxMessage.objects.filter(status="pending").count() == MESSAGES
    return wechat_server


def run_workers(count, work):
    """Run ``work(index)`` in ``count`` threads started together; re-raise their errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def drain(_index):
    """A worker loop: deliver small batches until nothing is due."""
    attempted = 0
    while batch := outbox_deliver_due(limit=3):
        attempted += batch
    return attempted


def test_concurrent_deliverers_never_send_a_message_twice(queued):
    queued.queue(STABLE_TOKEN, delay=0.3)  # both workers are waiting for the token at once
    queued.set_delay(0.02)  # and both are sending at once

    attempted = run_workers(2, drain)

    assert sum(attempted) == MESSAGES
    assert all(count > 0 for count in attempted), "both workers should have had work"
    pages = [message["page"] for message in queued.sent_messages]
    assert len(pages) == MESSAGES
    assert len(set(pages)) == MESSAGES
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert len(queued.requests_to(STABLE_TOKEN)) == 1, "one token fetch for all workers"


def test_a_message_locked_by_another_worker_is_skipped_not_waited_for(queued):
    locked = threading.Event()
    release = threading.Event()

    def hold_one_row():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().filter(
                    pk=OutboxMessage.objects.order_by("pk").values("pk")[:1]
                ).get()
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_one_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a blocked claim would fail, not hang
        attempted = outbox_deliver_due(limit=MESSAGES)
    finally:
        release.set()
        holder.join(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert attempted == MESSAGES - 1
    assert OutboxMessage.objects.filter(status="pending").count() == 1
    assert len(queued.sent_messages) == MESSAGES - 1


def test_control_without_claims_two_workers_do_send_twice(queued):
    """The harness is able to see the race: workers that merely read the due rows and send
    them, as a naive outbox would, deliver every message twice."""
    read = threading.Barrier(2)

    def naive(_index):
        due = list(OutboxMessage.objects.filter(status="pending").order_by("pk"))
        read.wait(timeout=10)
        for message in due:
            subscribe_message_send(
                openid=message.openid,
                template_id=message.template_id,
                page=message.page,
                data=message.data,
            )
            OutboxMessage.objects.filter(pk=message.pk).update(status="sent")
        return len(due)

    run_workers(2, naive)

    assert len(queued.sent_messages) == 2 * MESSAGES
    assert len(queued.requests_to(SUBSCRIBE_SEND)) == 2 * MESSAGES
