"""Fault reports (报修, issue 10): every write and the reads that decide who sees what.

Who may report (:func:`member_may_report_fault`): the managers of the resource's unit and
the secretariat always; any other active member who booked the resource and whose booking
has begun, within the last FAULT_REPORT_WINDOW_DAYS (an approved or completed one: they
used it or were due to). Recorded use (usage sessions) can be added to the same predicate.

A stopping report takes the resource out of service at once through the closure flow
(bookings.closures.closure_create_with_cancellations, confirmed): a closure from now until
FAULT_DEFAULT_OUT_OF_SERVICE_DAYS later, made by the SYSTEM actor (the reporter may not
close a resource; the report and its history name them), in the same transaction as the
report. The bookings it hits are cancelled with "设备故障报修停机：<what happened>" and their
bookers offered free slots. When a manager sets the expected return date, the closure ends
at the start of that day (local time); an extension cancels what it newly hits the same way.
Resolving or dismissing the report lifts the closure (it ends now); the bookings it
cancelled stay cancelled. A stopping report on a resource already out of service for
another unresolved report makes no second closure.

Steps: open → acknowledged → in_repair → resolved, or dismissed before it is resolved; by the
managers of the resource's unit and the secretariat. Every step is one FaultEvent row and an
inbox notice to the reporter (the unit's managers are told of a new report).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.access import member_acts, member_manages_unit, member_refusal
from alliance.actors import SYSTEM, Actor, actor_require
from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import Member, MemberRole
from alliance.services import text_clean
from bookings.closures import (
    CLOSURE_REASON_MAX_LENGTH,
    closure_create_with_cancellations,
    closure_end_move,
)
from bookings.fault_models import (
    FAULT_UNRESOLVED,
    FaultEvent,
    FaultReport,
    FaultStatus,
    FaultUrgency,
)
from bookings.models import Booking, BookingStatus
from notifications.models import NotificationKind
from notifications.services import members_notify
from resources.images import photo_process, photo_size_check
from resources.models import Resource
from resources.selectors import local_midnight

DESCRIPTION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 1000
#: Bookings that show the member used the resource or was due to.
USED_STATUSES = (BookingStatus.APPROVED, BookingStatus.COMPLETED)
#: Where each step may lead (a manager's update moves between the middle statuses).
TRANSITIONS = {
    FaultStatus.OPEN: {FaultStatus.ACKNOWLEDGED, FaultStatus.IN_REPAIR},
    FaultStatus.ACKNOWLEDGED: {FaultStatus.ACKNOWLEDGED, FaultStatus.IN_REPAIR},
    FaultStatus.IN_REPAIR: {FaultStatus.IN_REPAIR, FaultStatus.ACKNOWLEDGED},
}


# --- Who may ------------------------------------------------------------------------------


def member_may_report_fault(
    member: Member | None, resource: Resource, now: dt.datetime | None = None
) -> bool:
    """See the module. One query for a member who does not manage the resource's unit."""
    if not isinstance(member, Member) or not member.is_active:
        return False
    if member_manages_unit(member, resource.unit_id):
        return True
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.FAULT_REPORT_WINDOW_DAYS)
    return Booking.objects.filter(
        member=member,
        resource_id=resource.pk,
        status__in=USED_STATUSES,
        start__lte=now,
        end__gte=since,
    ).exists()


def _manage_require(actor: Actor, report: FaultReport) -> None:
    if actor is SYSTEM or member_manages_unit(actor, report.resource.unit_id):
        return
    raise member_refusal(actor)


# --- Reads --------------------------------------------------------------------------------


def faults_visible_to(member: Member | None) -> Q:
    """Reports a member sees: their own, and those of the resources their unit shares (all,
    for the secretariat)."""
    if not isinstance(member, Member):
        return Q(pk__in=[])
    visible = Q(reporter=member)
    if member_acts(member) and member.role == MemberRole.SECRETARIAT:
        return Q()
    if member_acts(member) and member.role == MemberRole.UNIT_MANAGER:
        visible |= Q(resource__unit_id=member.unit_id)
    return visible


def fault_list(*, member: Member, mine: bool = False) -> QuerySet[FaultReport]:
    """Reports the member sees (only their own with ``mine``), newest first, with what a
    list shows joined."""
    condition = Q(reporter=member) if mine else faults_visible_to(member)
    return (
        FaultReport.objects.filter(condition)
        .select_related("resource", "resource__unit", "reporter", "closure")
        .order_by("-created_at", "-pk")
    )


def fault_get(*, member: Member, fault_id: int) -> FaultReport:
    """One report the member sees, with its history; NotFound otherwise."""
    report = fault_list(member=member).prefetch_related("events__actor").filter(pk=fault_id).first()
    if report is None:
        raise NotFound()
    return report


def resource_out_of_service(resource_id: int) -> FaultReport | None:
    """The unresolved stopping report that keeps the resource closed, or None. One query."""
    return (
        FaultReport.objects.filter(
            resource_id=resource_id,
            status__in=FAULT_UNRESOLVED,
            stop_instrument=True,
            closure__isnull=False,
        )
        .select_related("closure")
        .order_by("-created_at", "-pk")
        .first()
    )


def expected_back(report: FaultReport) -> dt.date | None:
    """The date the resource is expected back: the managers' date, else the closure's end."""
    if report.expected_return is not None:
        return report.expected_return
    if report.closure is not None:
        return timezone.localdate(report.closure.end)
    return None


# --- Writes -------------------------------------------------------------------------------


def _choice(value: object, choices: type, field: str) -> str:
    if not isinstance(value, str) or value not in choices.values:
        raise ValidationFailed("invalid", fields={field: ["invalid_choice"]})
    return value


def _stop_reason(description: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        prefix = _("Out of service after a fault report: ")
    return (prefix + " ".join(description.split()))[:CLOSURE_REASON_MAX_LENGTH]


def _managers_of(resource: Resource) -> list[Member]:
    return list(
        Member.objects.filter(
            is_active=True, role=MemberRole.UNIT_MANAGER, unit_id=resource.unit_id
        ).select_related("unit")
    )


def fault_report_check(*, actor: Actor, resource_id: int, now: dt.datetime | None = None):
    """The resource, if ``actor`` may report a fault on it; NotFound or AccessDenied
    (``fault_report_not_allowed``). The API asks before it reads a photo."""
    actor_require(actor)
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    if not member_may_report_fault(actor, resource, now):
        raise AccessDenied("fault_report_not_allowed")
    if resource.is_retired:
        raise ValidationFailed("resource_retired")
    return resource


def fault_report_create(
    *,
    actor: Member,
    resource_id: int,
    description: str,
    urgency: str = FaultUrgency.NORMAL,
    stop_instrument: bool = False,
    photo: IO[bytes] | None = None,
    photo_size: int = 0,
    now: dt.datetime | None = None,
) -> FaultReport:
    """Report a fault (see the module). The photo, if any, passes the resource photos'
    checks (resources.images) and is kept upright and without metadata."""
    now = now or timezone.now()
    resource = fault_report_check(actor=actor, resource_id=resource_id, now=now)
    description = text_clean(
        description,
        field="description",
        max_length=DESCRIPTION_MAX_LENGTH,
        required=True,
        multiline=True,
    )
    urgency = _choice(urgency, FaultUrgency, "urgency")
    if not isinstance(stop_instrument, bool):
        raise ValidationFailed("invalid", fields={"stop_instrument": ["invalid"]})
    report = FaultReport(
        resource=resource,
        reporter=actor,
        description=description,
        urgency=urgency,
        stop_instrument=stop_instrument,
        created_at=now,
        updated_at=now,
    )
    if photo is not None:
        photo_size_check(photo_size)
        original = photo_process(photo).original
        report.photo.save(
            f"{secrets.token_hex(8)}.{original.extension}",
            ContentFile(original.content),
            save=False,
        )
    try:
        if stop_instrument and resource_out_of_service(resource.pk) is None:
            end = now + dt.timedelta(days=settings.FAULT_DEFAULT_OUT_OF_SERVICE_DAYS)
            closure_create_with_cancellations(
                actor=SYSTEM,
                resource_id=resource.pk,
                start=now,
                end=end,
                reason=_stop_reason(description),
                confirm=True,
                now=now,
                then=lambda outcome: _report_write(report, closure=outcome.closure, now=now),
            )
        else:
            with transaction.atomic():
                _report_write(report, closure=None, now=now)
    except BaseException:
        if report.photo:
            report.photo.storage.delete(report.photo.name)
        raise
    return report


def _report_write(report: FaultReport, *, closure, now: dt.datetime) -> None:
    report.closure = closure
    report.save()
    FaultEvent.objects.create(
        report=report,
        action=FaultEvent.Action.REPORTED,
        actor=report.reporter,
        to_status=report.status,
        note="",
        at=now,
    )
    managers = [m for m in _managers_of(report.resource) if m.pk != report.reporter_id]
    members_notify(
        members=managers,
        kind=NotificationKind.FAULT_REPORTED,
        text=lambda: (
            _("Fault reported: %(resource)s") % {"resource": report.resource.name},
            (
                _("%(reporter)s reported a fault%(stopped)s: %(what)s")
                % {
                    "reporter": report.reporter.name,
                    "stopped": _(" and stopped the instrument") if closure else "",
                    "what": report.description,
                }
            ),
        ),
        now=now,
    )


def _locked_report(fault_id: int) -> FaultReport:
    report = (
        FaultReport.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__unit", "reporter", "closure")
        .filter(pk=fault_id)
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def _return_end(day: dt.date) -> dt.datetime:
    return local_midnight(day)


def _step(
    *,
    actor: Actor,
    fault_id: int,
    action: str,
    to_status: str | None,
    note: str,
    note_required: bool,
    expected_return: dt.date | None,
    now: dt.datetime | None,
) -> FaultReport:
    actor_require(actor)
    now = now or timezone.now()
    note = text_clean(
        note, field="note", max_length=NOTE_MAX_LENGTH, required=note_required, multiline=True
    )
    if expected_return is not None:
        if not isinstance(expected_return, dt.date) or isinstance(expected_return, dt.datetime):
            raise ValidationFailed("invalid", fields={"expected_return": ["invalid"]})
        if expected_return <= timezone.localdate(now):
            raise ValidationFailed(
                "fault_expected_return_past", fields={"expected_return": ["invalid"]}
            )
    with transaction.atomic():
        report = _locked_report(fault_id)
        if (
            actor is not SYSTEM
            and report.reporter_id != actor.pk
            and not member_manages_unit(actor, report.resource.unit_id)
        ):
            raise NotFound()  # out of their view, as the list shows it
        _manage_require(actor, report)
        if not report.is_unresolved:
            raise Conflict("fault_report_closed")
        from_status = report.status
        final = to_status in (FaultStatus.RESOLVED, FaultStatus.DISMISSED)
        if to_status is None:
            to_status = from_status
        elif not final and to_status not in TRANSITIONS[from_status]:
            raise Conflict(
                "fault_status_invalid",
                params={
                    "from": FaultStatus(from_status).label,
                    "to": FaultStatus(to_status).label,
                },
            )
        manager = actor if isinstance(actor, Member) else SYSTEM
        if report.closure_id is not None:
            reason = _stop_reason(report.description)
            end = now if final else expected_return and _return_end(expected_return)
            if end is not None:
                moved = closure_end_move(
                    actor=manager, closure_id=report.closure_id, end=end, reason=reason, now=now
                )
                report.closure = moved.closure  # None: lifted before it began, so deleted
        report.status = to_status
        if expected_return is not None:
            report.expected_return = expected_return
        report.updated_at = now
        if final:
            report.resolved_at = now
        report.save()
        FaultEvent.objects.create(
            report=report,
            action=action,
            actor=actor if isinstance(actor, Member) else None,
            from_status=from_status,
            to_status=to_status,
            expected_return=expected_return,
            note=note,
            at=now,
        )
        _tell_reporter(report, action=action, note=note, now=now)
    return report


def _tell_reporter(report: FaultReport, *, action: str, note: str, now: dt.datetime) -> None:
    kind = {
        FaultEvent.Action.ACKNOWLEDGED: NotificationKind.FAULT_ACKNOWLEDGED,
        FaultEvent.Action.UPDATED: NotificationKind.FAULT_UPDATED,
        FaultEvent.Action.RESOLVED: NotificationKind.FAULT_RESOLVED,
        FaultEvent.Action.DISMISSED: NotificationKind.FAULT_DISMISSED,
    }[action]

    def text() -> tuple[str, str]:
        values = {
            "resource": report.resource.name,
            "status": report.get_status_display(),
            "note": note,
        }
        title = _("Your fault report on %(resource)s: %(status)s") % values
        body = _("Status: %(status)s.") % values
        back = expected_back(report) if report.is_unresolved and report.closure_id else None
        if report.expected_return or back:
            body += " " + _("Expected back in service: %(date)s.") % {
                "date": f"{report.expected_return or back:%Y-%m-%d}"
            }
        if note:
            body += " " + note
        return title, body

    members_notify(members=[report.reporter], kind=kind, text=text, now=now)


def fault_acknowledge(
    *,
    actor: Actor,
    fault_id: int,
    note: str = "",
    expected_return: dt.date | None = None,
    now: dt.datetime | None = None,
) -> FaultReport:
    """Say the report was seen: open → acknowledged (optionally with the expected date)."""
    return _step(
        actor=actor,
        fault_id=fault_id,
        action=FaultEvent.Action.ACKNOWLEDGED,
        to_status=FaultStatus.ACKNOWLEDGED,
        note=note,
        note_required=False,
        expected_return=expected_return,
        now=now,
    )


def fault_update(
    *,
    actor: Actor,
    fault_id: int,
    status: str | None = None,
    expected_return: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> FaultReport:
    """Change the status (acknowledged or in_repair), the expected return date (which moves
    a stopping report's closure) or add a note; at least one of them."""
    if status is not None:
        status = _choice(status, FaultStatus, "status")
        if status in (FaultStatus.RESOLVED, FaultStatus.DISMISSED, FaultStatus.OPEN):
            raise ValidationFailed("invalid", fields={"status": ["invalid_choice"]})
    if status is None and expected_return is None and not (note or "").strip():
        raise ValidationFailed("invalid", fields={"note": ["required"]})
    return _step(
        actor=actor,
        fault_id=fault_id,
        action=FaultEvent.Action.UPDATED,
        to_status=status,
        note=note,
        note_required=False,
        expected_return=expected_return,
        now=now,
    )


def fault_resolve(
    *, actor: Actor, fault_id: int, note: str, now: dt.datetime | None = None
) -> FaultReport:
    """Close the report as repaired, with a note; a stopping report's closure ends now."""
    return _step(
        actor=actor,
        fault_id=fault_id,
        action=FaultEvent.Action.RESOLVED,
        to_status=FaultStatus.RESOLVED,
        note=note,
        note_required=True,
        expected_return=None,
        now=now,
    )


def fault_dismiss(
    *, actor: Actor, fault_id: int, note: str, now: dt.datetime | None = None
) -> FaultReport:
    """Close the report as no fault (with why); a stopping report's closure ends now."""
    return _step(
        actor=actor,
        fault_id=fault_id,
        action=FaultEvent.Action.DISMISSED,
        to_status=FaultStatus.DISMISSED,
        note=note,
        note_required=True,
        expected_return=None,
        now=now,
    )
