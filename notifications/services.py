"""Every write of notifications: the inbox, subscription credits and the WeChat outbox.

Booking services call :func:`booking_notify` inside their transaction, so a notification
exists exactly when the booking change it tells of was committed. WeChat sends never run
inside that transaction: an outbox row is written instead and delivered after commit by
:func:`outbox_deliver_due` (the ``run_jobs`` worker), so a slow or failing WeChat can
neither lose nor roll back a booking.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from alliance.actors import Actor, actor_member
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from alliance.wechat import (
    WeChatAccessTokenInvalid,
    WeChatError,
    WeChatRateLimited,
    WeChatUnavailable,
)
from notifications import messages
from notifications.models import (
    OUTBOX_DUE_STATUSES,
    Notification,
    NotificationKind,
    OutboxMessage,
    OutboxStatus,
    SubscriptionCredit,
)
from notifications.selectors import booking_deciders_get
from notifications.wechat import subscribe_message_send
from resources.intervals import Interval

if TYPE_CHECKING:
    from bookings.models import Booking

logger = logging.getLogger(__name__)

#: Failures worth retrying later: WeChat unreachable, busy (-1), HTTP 5xx, timeouts, rate
#: limits, and an access token still refused after one refresh. Every other errcode
#: (43101 user refused, 40003 invalid openid, 40037 bad template, 47003 bad data, …) is
#: permanent: retrying cannot help.
TRANSIENT_ERRORS = (WeChatUnavailable, WeChatRateLimited, WeChatAccessTokenInvalid)
LAST_ERROR_MAX_LENGTH = 300
TEMPLATE_IDS_MAX = 20


# --- Inbox ----------------------------------------------------------------------------------


def notification_mark_read(
    *, member: Member, notification_id: int, now: dt.datetime | None = None
) -> Notification:
    """Mark one of the member's own notifications read (again: harmless). Others' are 404."""
    now = now or timezone.now()
    Notification.objects.filter(pk=notification_id, member=member, read_at__isnull=True).update(
        read_at=now
    )
    notification = Notification.objects.filter(pk=notification_id, member=member).first()
    if notification is None:
        raise NotFound()
    return notification


def notification_mark_all_read(*, member: Member, now: dt.datetime | None = None) -> int:
    """Mark all the member's unread notifications read; returns how many were unread."""
    return Notification.objects.filter(member=member, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def members_notify(
    *,
    members: Sequence[Member],
    kind: str,
    text: Callable[[], tuple[str, str]],
    now: dt.datetime | None = None,
) -> None:
    """Write one inbox entry of ``kind`` for each member, about no booking (a fault report,
    issue 10). ``text`` gives ``(title, body)`` and is called in each member's language."""
    now = now or timezone.now()
    rows = []
    for member in {m.pk: m for m in members}.values():
        with translation.override(messages.recipient_language(member)):
            title, body = text()
        rows.append(
            Notification(
                member=member,
                kind=kind,
                title=messages.shorten(title, messages.TITLE_MAX_LENGTH),
                body=messages.shorten(body, messages.BODY_MAX_LENGTH),
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows)


# --- Subscription credits ---------------------------------------------------------------


def subscription_credits_add(*, member: Member, template_ids: list[str]) -> None:
    """Count one more allowed message per template the member just accepted.

    ``template_ids`` are those ``wx.requestSubscribeMessage`` reported as accepted; each
    acceptance allows WeChat to deliver one message. Only configured templates are taken
    (``unknown_template`` otherwise, nothing written). Repeated ids in one report count
    once (one acceptance each). Concurrency-safe: insert-if-missing, then an F() update.
    """
    configured = messages.configured_template_ids()
    accepted = sorted(set(template_ids))
    if len(accepted) > TEMPLATE_IDS_MAX:
        raise ValidationFailed("invalid", fields={"template_ids": ["max_length"]})
    unknown = [template_id for template_id in accepted if template_id not in configured]
    if unknown:
        raise ValidationFailed(
            "unknown_template",
            params={"template_id": unknown[0]},
            fields={"template_ids": ["unknown_template"]},
        )
    if not accepted:
        return
    with transaction.atomic():
        SubscriptionCredit.objects.bulk_create(
            [SubscriptionCredit(member=member, template_id=t, credits=0) for t in accepted],
            ignore_conflicts=True,
        )
        SubscriptionCredit.objects.filter(member=member, template_id__in=accepted).update(
            credits=F("credits") + 1, updated_at=timezone.now()
        )


def _credit_spend(*, member: Member, template_id: str) -> bool:
    """Take one credit if there is one (a single conditional UPDATE: never below zero)."""
    return bool(
        SubscriptionCredit.objects.filter(
            member=member, template_id=template_id, credits__gt=0
        ).update(credits=F("credits") - 1, updated_at=timezone.now())
    )


# --- Booking events -------------------------------------------------------------------------


#: The events after which an assisted booking's session will not (or no longer) happen.
OPERATOR_FREED_BY = frozenset(
    {
        NotificationKind.CANCELLED,
        NotificationKind.REJECTED,
        NotificationKind.EXPIRED,
        NotificationKind.NO_SHOW,
    }
)


def booking_notify(
    *,
    booking: Booking,
    event: str,
    actor: Actor,
    reason: str = "",
    now: dt.datetime | None = None,
    alternatives: Sequence[Interval] = (),
) -> None:
    """Tell the people concerned that ``event`` happened to ``booking``.

    Precondition: called inside the transaction that changed the booking (RuntimeError
    otherwise), after the change, so that the notification commits or rolls back with it.

    - ``requested``: the deciders (secretariat, managers of the resource's unit) except
      the booker, in the inbox only.
    - ``approved``, ``rejected`` (``reason``), ``expired``, ``reminder``, ``no_show``: the
      booker; ``cancelled`` too, unless the booker cancelled it (``actor``) themselves.
      The booker also gets a WeChat subscription message when they have an openid, the
      event has a template and they have a credit for it (one credit is spent).
    - ``booked_for``: the member a manager or the secretariat (``actor``) booked for.
    - ``op_assigned``, ``op_cancelled``: the operator of an assisted booking (inbox only),
      unless they acted themselves; ``cancelled``, ``rejected``, ``expired`` and ``no_show``
      of an assisted booking also send ``op_cancelled``: the operator's time is free again.
    - ``alternatives``: free slots of the same resource, named in the inbox text (a closure
      cancelled the booking).

    Idempotent: one notification per (booking, event, member), so calling it again (a
    retried job) writes and sends nothing more. ``actor`` is who caused the event, a member
    or alliance.actors.SYSTEM (named in no message); None is refused (TypeError).
    """
    actor = actor_member(actor)
    if not connection.in_atomic_block:
        raise RuntimeError("booking_notify must run inside the booking's transaction")
    if event not in NotificationKind.values:
        raise ValueError(f"unknown booking event {event!r}")
    now = now or timezone.now()
    if event == NotificationKind.REQUESTED:
        _notifications_write_all(
            members=booking_deciders_get(booking=booking),
            booking=booking,
            event=event,
            actor=actor,
            reason=reason,
            now=now,
        )
        return
    if event in OPERATOR_FREED_BY:  # an assisted booking's operator is freed
        _operator_notify(
            booking=booking, event=NotificationKind.OPERATOR_CANCELLED, actor=actor, now=now
        )
    if event in (NotificationKind.OPERATOR_ASSIGNED, NotificationKind.OPERATOR_CANCELLED):
        _operator_notify(booking=booking, event=event, actor=actor, now=now)
        return
    if event == NotificationKind.CANCELLED and actor is not None and actor.pk == booking.member_id:
        return
    booker = booking.member
    notification = _notification_write(
        member=booker,
        booking=booking,
        event=event,
        actor=actor,
        reason=reason,
        now=now,
        alternatives=alternatives,
    )
    if notification is not None:
        _outbox_write(notification=notification, booking=booking, actor=actor, reason=reason)


def _operator_notify(
    *, booking: Booking, event: str, actor: Member | None, now: dt.datetime
) -> None:
    """Tell an assisted booking's operator (inbox only), unless they acted themselves."""
    if booking.operator_id is None or (actor is not None and actor.pk == booking.operator_id):
        return
    _notification_write(
        member=booking.operator, booking=booking, event=event, actor=actor, reason="", now=now
    )


def _notifications_write_all(
    *,
    members: list[Member],
    booking: Booking,
    event: str,
    actor: Member | None,
    reason: str,
    now: dt.datetime,
) -> None:
    """Write the inbox entry of each member in one INSERT; those already told of this event
    are skipped by the unique constraint (``ignore_conflicts``), so it is idempotent."""
    rows = []
    for member in members:
        title, body = messages.inbox_text(
            event=event,
            booking=booking,
            actor=actor,
            reason=reason,
            language=messages.recipient_language(member),
        )
        rows.append(
            Notification(
                member=member, kind=event, title=title, body=body, booking=booking, created_at=now
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _notification_write(
    *,
    member: Member,
    booking: Booking,
    event: str,
    actor: Member | None,
    reason: str,
    now: dt.datetime,
    alternatives: Sequence[Interval] = (),
) -> Notification | None:
    """Write the inbox entry, or return None if this member was already told of this event.

    The unique constraint decides under concurrency; the savepoint keeps the caller's
    transaction usable when it fires.
    """
    if Notification.objects.filter(booking=booking, kind=event, member=member).exists():
        return None
    title, body = messages.inbox_text(
        event=event,
        booking=booking,
        actor=actor,
        reason=reason,
        language=messages.recipient_language(member),
        alternatives=alternatives,
    )
    try:
        with transaction.atomic():
            return Notification.objects.create(
                member=member, kind=event, title=title, body=body, booking=booking, created_at=now
            )
    except IntegrityError:
        if Notification.objects.filter(booking=booking, kind=event, member=member).exists():
            return None
        raise


def _outbox_write(
    *, notification: Notification, booking: Booking, actor: Member | None, reason: str
) -> OutboxMessage | None:
    """Queue the WeChat message for an inbox entry, spending one credit; None if the member
    cannot receive one (no openid, no template, no credit)."""
    member = notification.member
    template_id = messages.template_id_for(notification.kind)
    if not template_id or not member.wechat_openid or not member.is_active:
        return None
    if not _credit_spend(member=member, template_id=template_id):
        return None
    message = OutboxMessage.objects.create(
        notification=notification,
        member=member,
        openid=member.wechat_openid,
        template_id=template_id,
        page=messages.wechat_page(booking),
        data=messages.wechat_data(
            event=notification.kind, booking=booking, actor=actor, reason=reason
        ),
        next_attempt_at=notification.created_at,
        created_at=notification.created_at,
    )
    if settings.NOTIFICATIONS_DELIVER_ON_COMMIT:
        # robust: a failure here must not turn the committed booking into an error answer.
        transaction.on_commit(partial(_outbox_deliver, only_ids=[message.pk]), robust=True)
    return message


# --- Outbox delivery ------------------------------------------------------------------------


def outbox_deliver_due(*, now: dt.datetime | None = None, limit: int = 50) -> int:
    """Send up to ``limit`` due WeChat messages; returns how many were attempted.

    Safe to run in several workers at once: each claims its rows in a short transaction
    (SELECT … FOR NO KEY UPDATE SKIP LOCKED, then a lease), sends outside any transaction,
    and records the outcome only if it still holds the claim. A message is sent at most
    once unless a worker dies between WeChat's answer and recording it. Call it outside a
    transaction. Never touches bookings.
    """
    return _outbox_deliver(now=now, limit=limit)


def _outbox_deliver(
    *, now: dt.datetime | None = None, limit: int = 50, only_ids: list[int] | None = None
) -> int:
    now = now or timezone.now()
    claim = uuid.uuid4()
    claimed = _outbox_claim(now=now, limit=limit, claim=claim, only_ids=only_ids)
    for message in OutboxMessage.objects.filter(pk__in=claimed, claim=claim).order_by("pk"):
        _outbox_attempt(message=message, claim=claim, now=now)
    return len(claimed)


def _outbox_claim(
    *, now: dt.datetime, limit: int, claim: uuid.UUID, only_ids: list[int] | None
) -> list[int]:
    """Claim due rows for this worker: rows other workers have locked are skipped, and
    claimed rows are not due again until the lease ends (``NOTIFICATIONS_CLAIM_SECONDS``)."""
    lease = dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(no_key=True, skip_locked=True).filter(
            status__in=OUTBOX_DUE_STATUSES, next_attempt_at__lte=now
        )
        if only_ids is not None:
            due = due.filter(pk__in=only_ids)
        claimed = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        OutboxMessage.objects.filter(pk__in=claimed).update(
            claim=claim, attempts=F("attempts") + 1, next_attempt_at=now + lease
        )
    return claimed


def _outbox_attempt(*, message: OutboxMessage, claim: uuid.UUID, now: dt.datetime) -> None:
    """Send one claimed message and record sent, retry later, or given up."""
    mine = OutboxMessage.objects.filter(pk=message.pk, claim=claim)
    try:
        subscribe_message_send(
            openid=message.openid,
            template_id=message.template_id,
            page=message.page,
            data=message.data,
        )
    except TRANSIENT_ERRORS as exc:
        error = _error_text(exc)
        if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            logger.warning("WeChat message %s given up after %s attempts", message.pk, error)
            mine.update(status=OutboxStatus.GIVEN_UP, claim=None, last_error=error)
            return
        delay = min(
            settings.NOTIFICATIONS_RETRY_SECONDS * 2 ** (message.attempts - 1),
            settings.NOTIFICATIONS_RETRY_MAX_SECONDS,
        )
        logger.info("WeChat message %s will be retried in %s s: %s", message.pk, delay, error)
        mine.update(
            status=OutboxStatus.FAILED,
            claim=None,
            last_error=error,
            next_attempt_at=now + dt.timedelta(seconds=delay),
        )
    except WeChatError as exc:
        error = _error_text(exc)
        logger.info("WeChat message %s given up: %s", message.pk, error)
        mine.update(status=OutboxStatus.GIVEN_UP, claim=None, last_error=error)
    else:
        if not mine.update(status=OutboxStatus.SENT, claim=None, sent_at=now, last_error=""):
            logger.warning("WeChat message %s was sent after its claim had lapsed", message.pk)


def _error_text(exc: WeChatError) -> str:
    """What went wrong, for the admin: the errcode and WeChat's message, never a URL or a
    token (alliance.wechat keeps both out of its errors)."""
    code = "" if exc.errcode is None else f" {exc.errcode}"
    return f"{type(exc).__name__}{code}: {exc.errmsg}"[:LAST_ERROR_MAX_LENGTH]


def outbox_retry(*, message_ids: list[int], now: dt.datetime | None = None) -> int:
    """Send given-up or failed messages again soon (the back office's "retry" action), with
    a fresh count of attempts. Sent messages are left alone. Returns how many."""
    return OutboxMessage.objects.filter(
        pk__in=message_ids, status__in=[OutboxStatus.FAILED, OutboxStatus.GIVEN_UP]
    ).update(
        status=OutboxStatus.PENDING,
        attempts=0,
        claim=None,
        next_attempt_at=now or timezone.now(),
    )
