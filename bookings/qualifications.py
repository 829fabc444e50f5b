"""Every write of qualifications (上机资格), and the jobs that remind and lapse them.

Here rather than in resources because each transition tells the other side through
notifications, which sits above resources. Every writer locks the qualification's row
inside a durable transaction, checks who acts and the status under the lock, writes the
change, one history entry (QualificationEvent) and the notices, so that a qualification
and its history and notices commit together or not at all.

States: requested → training_scheduled → granted | refused; granted → revoked (a manager)
| lapsed (the jobs, at ``lapses_at``); requested or scheduled → cancelled (the member).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.access import (
    member_can_decide_qualification,
    member_can_request_qualification,
    member_can_withdraw_qualification,
    member_refusal,
    member_unit_may_book,
)
from alliance.actors import SYSTEM, Actor, actor_member, actor_require
from alliance.errors import Conflict, DomainError, NotFound, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from notifications.models import NotificationKind
from notifications.qualification_notices import qualification_notify
from resources.models import (
    OPEN_STATUSES,
    Qualification,
    QualificationEvent,
    QualificationStatus,
    Resource,
)
from resources.qualification_models import UNDECIDED_STATUSES
from resources.qualifications import lapses_at_compute

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500
PLACE_MAX_LENGTH = 200
BATCH = 200
Action = QualificationEvent.Action


def _state_error(qualification: Qualification) -> Conflict:
    return Conflict(
        "qualification_state",
        params={"status": qualification.get_status_display()},
        status=qualification.status,
    )


def _lock(qualification_id: int) -> Qualification:
    """The qualification's row, locked until the transaction ends, with what access and the
    notices read (member and resource with their units)."""
    qualification = (
        Qualification.objects.select_for_update(of=("self",))
        .select_related("member", "member__unit", "resource", "resource__unit")
        .filter(pk=qualification_id)
        .first()
    )
    if qualification is None:
        raise NotFound()
    return qualification


def _record(
    qualification: Qualification,
    *,
    action: str,
    from_status: str,
    actor: Member | None,
    reason: str,
    now: dt.datetime,
) -> None:
    QualificationEvent.objects.create(
        qualification=qualification,
        action=action,
        from_status=from_status,
        to_status=qualification.status,
        actor=actor,
        reason=reason,
        at=now,
    )


def _transition(
    *,
    qualification_id: int,
    actor: Actor,
    may: Callable[[Actor, Qualification], bool],
    allowed_from: tuple[str, ...],
    to_status: str,
    action: str,
    notify: str | None,
    reason: str = "",
    now: dt.datetime,
    changes: Callable[[Qualification], dict] | None = None,
) -> Qualification:
    """Move one qualification from one of ``allowed_from`` to ``to_status`` under its lock,
    record who, when and why, and tell the other side (``notify``)."""
    actor_require(actor)
    with transaction.atomic(durable=True):
        qualification = _lock(qualification_id)
        if not may(actor, qualification):
            raise member_refusal(actor)
        if qualification.status not in allowed_from:
            raise _state_error(qualification)
        from_status = qualification.status
        qualification.status = to_status
        changed = changes(qualification) if changes is not None else {}
        for field, value in changed.items():
            setattr(qualification, field, value)
        qualification.save(update_fields=["status", "updated_at", *changed])
        member = actor_member(actor)
        _record(
            qualification,
            action=action,
            from_status=from_status,
            actor=member,
            reason=reason,
            now=now,
        )
        if notify:
            qualification_notify(
                qualification=qualification, event=notify, actor=member, reason=reason, now=now
            )
    return qualification


def _reason(reason: str) -> str:
    return text_clean(
        reason, field="reason", max_length=REASON_MAX_LENGTH, required=True, multiline=True
    )


# --- The member -----------------------------------------------------------------------------


def qualification_request(
    *, member: Member, resource_id: int, note: str = "", now: dt.datetime | None = None
) -> Qualification:
    """Ask for training on a resource that requires a qualification.

    Refused: ``qualification_not_required`` (the resource needs none), ``resource_retired``,
    ``not_allowed_for_unit`` (the member's unit may not book it at all),
    ``qualification_exists`` (the member already has an open one: the partial unique
    constraint decides under concurrency). The deciders are told."""
    now = now or timezone.now()
    actor_require(member)
    if not member_can_request_qualification(member):
        raise member_refusal(member)
    note = text_clean(
        note, field="note", max_length=NOTE_MAX_LENGTH, required=False, multiline=True
    )
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    if resource.is_retired:
        raise ValidationFailed("resource_retired")
    if not resource.requires_qualification:
        raise ValidationFailed("qualification_not_required")
    allowed_unit_ids = set(resource.allowed_units.values_list("pk", flat=True))
    if not member_unit_may_book(member, resource, allowed_unit_ids):
        raise ValidationFailed("not_allowed_for_unit")  # training for nothing
    if Qualification.objects.filter(
        member_id=member.pk, resource_id=resource.pk, status__in=OPEN_STATUSES
    ).exists():
        raise Conflict("qualification_exists")
    try:
        with transaction.atomic(durable=True):
            qualification = Qualification.objects.create(
                member=member, resource=resource, note=note, created_at=now
            )
            _record(
                qualification,
                action=Action.REQUESTED,
                from_status="",
                actor=member,
                reason="",
                now=now,
            )
            qualification_notify(
                qualification=qualification,
                event=NotificationKind.QUAL_REQUESTED,
                actor=member,
                reason="",
                now=now,
            )
    except IntegrityError:  # another request of the same member won the race
        if Qualification.objects.filter(
            member_id=member.pk, resource_id=resource.pk, status__in=OPEN_STATUSES
        ).exists():
            raise Conflict("qualification_exists") from None
        raise
    return qualification


def qualification_cancel(
    *, actor: Member, qualification_id: int, now: dt.datetime | None = None
) -> Qualification:
    """The member withdraws their request (before it is decided); the deciders are told."""
    return _transition(
        qualification_id=qualification_id,
        actor=actor,
        may=member_can_withdraw_qualification,
        allowed_from=UNDECIDED_STATUSES,
        to_status=QualificationStatus.CANCELLED,
        action=Action.CANCELLED,
        notify=NotificationKind.QUAL_CANCELLED,
        now=now or timezone.now(),
    )


# --- The managers ---------------------------------------------------------------------------


def qualification_schedule(
    *,
    actor: Member,
    qualification_id: int,
    training_at: dt.datetime,
    place: str = "",
    now: dt.datetime | None = None,
) -> Qualification:
    """Set (or move) the training's time and place; the member is told. The time must be
    aware and not in the past (``training_in_the_past``)."""
    now = now or timezone.now()
    if not isinstance(training_at, dt.datetime) or timezone.is_naive(training_at):
        raise ValidationFailed("naive_datetime", fields={"training_at": ["naive_datetime"]})
    if training_at < now:
        raise ValidationFailed("training_in_the_past", fields={"training_at": ["in_the_past"]})
    place = text_clean(place, field="place", max_length=PLACE_MAX_LENGTH, required=False)
    return _transition(
        qualification_id=qualification_id,
        actor=actor,
        may=member_can_decide_qualification,
        allowed_from=UNDECIDED_STATUSES,
        to_status=QualificationStatus.SCHEDULED,
        action=Action.SCHEDULED,
        notify=NotificationKind.QUAL_SCHEDULED,
        reason=place,
        now=now,
        changes=lambda q: {"training_at": training_at, "training_place": place},
    )


def qualification_grant(
    *, actor: Member, qualification_id: int, now: dt.datetime | None = None
) -> Qualification:
    """Grant it: valid from ``now`` for the resource's validity, lapsing after its idle days
    without use, whichever comes first (``lapses_at``); the member is told."""
    now = now or timezone.now()

    def granted(qualification: Qualification) -> dict:
        resource = qualification.resource
        expires_at = (
            now + dt.timedelta(days=resource.qualification_valid_days)
            if resource.qualification_valid_days is not None
            else None
        )
        return {
            "granted_at": now,
            "expires_at": expires_at,
            "last_used_at": None,
            "lapses_at": lapses_at_compute(resource=resource, expires_at=expires_at, used_at=now),
            "reminded_at": None,
            "reason": "",
        }

    return _transition(
        qualification_id=qualification_id,
        actor=actor,
        may=member_can_decide_qualification,
        allowed_from=UNDECIDED_STATUSES,
        to_status=QualificationStatus.GRANTED,
        action=Action.GRANTED,
        notify=NotificationKind.QUAL_GRANTED,
        now=now,
        changes=granted,
    )


def qualification_refuse(
    *, actor: Member, qualification_id: int, reason: str, now: dt.datetime | None = None
) -> Qualification:
    """Refuse the request with a reason (required); the member is told."""
    reason = _reason(reason)
    return _transition(
        qualification_id=qualification_id,
        actor=actor,
        may=member_can_decide_qualification,
        allowed_from=UNDECIDED_STATUSES,
        to_status=QualificationStatus.REFUSED,
        action=Action.REFUSED,
        notify=NotificationKind.QUAL_REFUSED,
        reason=reason,
        now=now or timezone.now(),
        changes=lambda q: {"reason": reason},
    )


def qualification_revoke(
    *, actor: Member, qualification_id: int, reason: str, now: dt.datetime | None = None
) -> Qualification:
    """Revoke a grant with a reason (required); the member is told. Bookings already made
    stay: the managers cancel them if they must."""
    reason = _reason(reason)
    return _transition(
        qualification_id=qualification_id,
        actor=actor,
        may=member_can_decide_qualification,
        allowed_from=(QualificationStatus.GRANTED,),
        to_status=QualificationStatus.REVOKED,
        action=Action.REVOKED,
        notify=NotificationKind.QUAL_REVOKED,
        reason=reason,
        now=now or timezone.now(),
        changes=lambda q: {"reason": reason},
    )


# --- The jobs -------------------------------------------------------------------------------


def _system_only(actor: Actor, qualification: Qualification) -> bool:
    return actor is SYSTEM


def qualification_lapse(
    *, actor: Actor, qualification_id: int, now: dt.datetime | None = None
) -> Qualification:
    """The system lapses a grant whose ``lapses_at`` has come (``not_due`` otherwise)."""
    now = now or timezone.now()

    def due(qualification: Qualification) -> dict:
        if qualification.lapses_at is None or qualification.lapses_at > now:
            raise Conflict("qualification_not_due")
        return {}

    return _transition(
        qualification_id=qualification_id,
        actor=actor,
        may=_system_only,
        allowed_from=(QualificationStatus.GRANTED,),
        to_status=QualificationStatus.LAPSED,
        action=Action.LAPSED,
        notify=NotificationKind.QUAL_LAPSED,
        now=now,
        changes=due,
    )


def lapse_reminder_lead() -> dt.timedelta:
    return dt.timedelta(days=settings.QUALIFICATION_REMINDER_DAYS)


def qualification_remind(
    *, actor: Actor, qualification_id: int, now: dt.datetime | None = None
) -> Qualification:
    """Tell the member, once per grant or use, that the grant lapses within the reminder
    lead (``QUALIFICATION_REMINDER_DAYS``)."""
    now = now or timezone.now()
    actor_require(actor)
    with transaction.atomic(durable=True):
        qualification = _lock(qualification_id)
        if actor is not SYSTEM:
            raise member_refusal(actor)
        if qualification.status != QualificationStatus.GRANTED:
            raise _state_error(qualification)
        lapses_at = qualification.lapses_at
        if (
            qualification.reminded_at is not None
            or lapses_at is None
            or not now < lapses_at <= now + lapse_reminder_lead()
        ):
            raise Conflict("qualification_not_due")
        qualification.reminded_at = now
        qualification.save(update_fields=["reminded_at", "updated_at"])
        _record(
            qualification,
            action=Action.REMINDED,
            from_status=qualification.status,
            actor=None,
            reason="",
            now=now,
        )
        qualification_notify(
            qualification=qualification,
            event=NotificationKind.QUAL_REMINDER,
            actor=None,
            reason="",
            now=now,
        )
    return qualification


def _run_each(ids: list[int], transition: Callable[..., Qualification], now: dt.datetime) -> int:
    done = 0
    for qualification_id in ids:
        try:
            transition(actor=SYSTEM, qualification_id=qualification_id, now=now)
        except DomainError as exc:  # moved on meanwhile (another worker, a use): skip
            logger.info("skipped qualification %s: %s", qualification_id, exc.code)
        else:
            done += 1
    return done


def qualifications_lapse_due(*, now: dt.datetime) -> int:
    """Lapse the grants whose validity ended or whose idle limit passed (bookings.jobs)."""
    ids = Qualification.objects.filter(
        status=QualificationStatus.GRANTED, lapses_at__lte=now
    ).values_list("pk", flat=True)[:BATCH]
    return _run_each(list(ids), qualification_lapse, now)


def qualifications_remind_due(*, now: dt.datetime) -> int:
    """Remind the members whose grants lapse within the lead, once (bookings.jobs)."""
    ids = Qualification.objects.filter(
        status=QualificationStatus.GRANTED,
        reminded_at__isnull=True,
        lapses_at__gt=now,
        lapses_at__lte=now + lapse_reminder_lead(),
    ).values_list("pk", flat=True)[:BATCH]
    return _run_each(list(ids), qualification_remind, now)
