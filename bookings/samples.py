"""Sample orders (送样检测, issue 10): every write. The reads that decide who sees what are
bookings.sample_selectors'.

Each step opens ``transaction.atomic(durable=True)``, locks the order's row (late: after
the input is checked and report files are read), checks who acts and the status under the
lock, writes the order, one SampleOrderEvent and the other side's inbox notices, so that an
order, its history and its notices commit together or not at all. Report files are written
to their storage inside the transaction and deleted again if it fails.

Sides (alliance.access): the requester submits, cancels (until the samples are received)
and confirms the report; the managers of the resource's unit and the secretariat accept
(with an expected completion date, by default today + the resource's turnaround) or
refuse (with a reason), receive the samples, start testing and upload the report. A
member who can see an order but is on the wrong side gets 403 ``permission_denied``; one
who cannot see it 404. A step from the wrong status is 409 ``sample_order_state``
(``sample_cancel_too_late`` for a cancel after the samples arrived).

Submitting needs a resource that takes samples (``mode_not_offered``) and a
requester whose unit may use it (resources.eligibility.booking_refusal, the rule a
booking is held to: active member and units, resource in service, allow-list).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.access import (
    member_can_handle_sample_order,
    member_can_view_sample_order,
    member_is_sample_requester,
    member_refusal,
)
from alliance.actors import actor_require
from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import Member, MemberRole
from alliance.services import text_clean
from bookings.sample_files import CheckedFile, report_file_check
from bookings.sample_models import (
    REPORT_CONTENT_TYPES,
    SAMPLE_CANCELLABLE,
    SAMPLE_OPEN,
    SampleHazard,
    SampleOrder,
    SampleOrderEvent,
    SampleReportFile,
    SampleStatus,
)
from bookings.sample_selectors import sample_resource_check
from notifications.models import NotificationKind
from notifications.services import members_notify

DESCRIPTION_MAX_LENGTH = 2000
HAZARD_DETAILS_MAX_LENGTH = 500
REASON_MAX_LENGTH = 1000
SAMPLE_COUNT_MAX = 1000


@dataclass(frozen=True)
class ReportUpload:
    """One uploaded report file as the interfaces hand it over: its name and its bytes."""

    name: str
    content: bytes


# --- Notices ------------------------------------------------------------------------------


def _handlers_of(order: SampleOrder) -> list[Member]:
    return list(
        Member.objects.filter(
            is_active=True, role=MemberRole.UNIT_MANAGER, unit_id=order.resource.unit_id
        ).select_related("unit")
    )


KIND = {
    SampleStatus.SUBMITTED: NotificationKind.SAMPLE_SUBMITTED,
    SampleStatus.ACCEPTED: NotificationKind.SAMPLE_ACCEPTED,
    SampleStatus.REFUSED: NotificationKind.SAMPLE_REFUSED,
    SampleStatus.RECEIVED: NotificationKind.SAMPLE_RECEIVED,
    SampleStatus.TESTING: NotificationKind.SAMPLE_TESTING,
    SampleStatus.REPORTED: NotificationKind.SAMPLE_REPORTED,
    SampleStatus.CONFIRMED: NotificationKind.SAMPLE_CONFIRMED,
    SampleStatus.CANCELLED: NotificationKind.SAMPLE_CANCELLED,
}


def _tell(order: SampleOrder, *, actor: Member, note: str, now: dt.datetime) -> None:
    """Tell the other side: the requester of a handler's step, the resource's unit managers
    (not the actor) of the requester's."""
    if order.requester_id == actor.pk and order.status in (
        SampleStatus.SUBMITTED,
        SampleStatus.CANCELLED,
        SampleStatus.CONFIRMED,
    ):
        members = [m for m in _handlers_of(order) if m.pk != actor.pk]
    else:
        members = [order.requester]

    def text() -> tuple[str, str]:
        values = {
            "number": order.pk,
            "resource": order.resource.name,
            "status": order.get_status_display(),
            "who": actor.name,
            "count": order.sample_count,
        }
        title = _("Sample order #%(number)s (%(resource)s): %(status)s") % values
        if order.status == SampleStatus.SUBMITTED:
            body = _("%(who)s submitted %(count)s samples for testing.") % values
        else:
            body = _("%(who)s: %(status)s.") % values
        if order.status == SampleStatus.ACCEPTED and order.expected_completion:
            body += " " + _("Expected completion: %(date)s.") % {
                "date": f"{order.expected_completion:%Y-%m-%d}"
            }
        if note:
            body += " " + note
        return title, body

    members_notify(members=members, kind=KIND[order.status], text=text, now=now)


# --- Writes -------------------------------------------------------------------------------


def _reason(value: object, *, field: str, required: bool) -> str:
    return text_clean(
        value, field=field, max_length=REASON_MAX_LENGTH, required=required, multiline=True
    )


def sample_order_submit(
    *,
    actor: Member,
    resource_id: int,
    sample_count: int,
    description: str,
    hazard: str = SampleHazard.NONE,
    hazard_details: str = "",
    now: dt.datetime | None = None,
) -> SampleOrder:
    """Submit samples for testing on the resource (see the module); its unit's managers are
    told."""
    now = now or timezone.now()
    actor_require(actor)
    if (
        not isinstance(sample_count, int)
        or isinstance(sample_count, bool)
        or not 1 <= sample_count <= SAMPLE_COUNT_MAX
    ):
        raise ValidationFailed("invalid", fields={"sample_count": ["invalid"]})
    description = text_clean(
        description,
        field="description",
        max_length=DESCRIPTION_MAX_LENGTH,
        required=True,
        multiline=True,
    )
    if not isinstance(hazard, str) or hazard not in SampleHazard.values:
        raise ValidationFailed("invalid", fields={"hazard": ["invalid_choice"]})
    hazard_details = text_clean(
        hazard_details,
        field="hazard_details",
        max_length=HAZARD_DETAILS_MAX_LENGTH,
        required=hazard != SampleHazard.NONE,
        multiline=True,
    )
    with transaction.atomic(durable=True):
        resource = sample_resource_check(actor=actor, resource_id=resource_id)
        order = SampleOrder.objects.create(
            resource=resource,
            requester=actor,
            unit_id=actor.unit_id,
            sample_count=sample_count,
            description=description,
            hazard=hazard,
            hazard_details=hazard_details,
            submitted_at=now,
            updated_at=now,
        )
        SampleOrderEvent.objects.create(
            order=order, actor=actor, to_status=order.status, note="", at=now
        )
        _tell(order, actor=actor, note="", now=now)
    return order


def _lock(order_id: int) -> SampleOrder:
    order = (
        SampleOrder.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__unit", "requester", "requester__unit")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def _state_error(order: SampleOrder) -> Conflict:
    return Conflict(
        "sample_order_state", params={"status": order.get_status_display()}, status=order.status
    )


def _step(
    *,
    actor: Member,
    order_id: int,
    side: Callable[[Member, SampleOrder], bool],
    from_statuses: Sequence[str],
    to_status: str,
    note: str,
    now: dt.datetime,
    change: Callable[[SampleOrder], None] | None = None,
    late_error: Callable[[SampleOrder], Conflict] | None = None,
) -> SampleOrder:
    """Move the order to ``to_status``; see the module. Caller checked the input."""
    with transaction.atomic(durable=True):
        order = _lock(order_id)
        if not member_can_view_sample_order(actor, order):
            raise NotFound()
        if not side(actor, order):
            raise member_refusal(actor) if isinstance(actor, Member) else AccessDenied()
        if order.status not in from_statuses:
            raise (late_error or _state_error)(order)
        from_status = order.status
        order.status = to_status
        order.updated_at = now
        setattr(order, f"{_STAMP[to_status]}", now)
        if change is not None:
            change(order)
        order.save()
        SampleOrderEvent.objects.create(
            order=order,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
            at=now,
        )
        _tell(order, actor=actor, note=note, now=now)
    return order


_STAMP = {
    SampleStatus.ACCEPTED: "accepted_at",
    SampleStatus.REFUSED: "refused_at",
    SampleStatus.RECEIVED: "received_at",
    SampleStatus.TESTING: "testing_at",
    SampleStatus.REPORTED: "reported_at",
    SampleStatus.CONFIRMED: "confirmed_at",
    SampleStatus.CANCELLED: "cancelled_at",
}


def sample_order_accept(
    *,
    actor: Member,
    order_id: int,
    expected_completion: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SampleOrder:
    """Accept a submitted order, with the expected completion date (by default today plus
    the resource's turnaround; not before today)."""
    now = now or timezone.now()
    actor_require(actor)
    note = _reason(note, field="note", required=False)
    today = timezone.localdate(now)
    if expected_completion is not None:
        if not isinstance(expected_completion, dt.date) or isinstance(
            expected_completion, dt.datetime
        ):
            raise ValidationFailed("invalid", fields={"expected_completion": ["invalid"]})
        if expected_completion < today:
            raise ValidationFailed(
                "sample_completion_past", fields={"expected_completion": ["invalid"]}
            )

    def change(order: SampleOrder) -> None:
        order.expected_completion = expected_completion or today + dt.timedelta(
            days=order.resource.sample_turnaround_days
        )

    return _step(
        actor=actor,
        order_id=order_id,
        side=member_can_handle_sample_order,
        from_statuses=(SampleStatus.SUBMITTED,),
        to_status=SampleStatus.ACCEPTED,
        note=note,
        now=now,
        change=change,
    )


def sample_order_refuse(
    *, actor: Member, order_id: int, reason: str, now: dt.datetime | None = None
) -> SampleOrder:
    """Refuse a submitted order, saying why (required)."""
    now = now or timezone.now()
    actor_require(actor)
    reason = _reason(reason, field="reason", required=True)

    def change(order: SampleOrder) -> None:
        order.refusal_reason = reason

    return _step(
        actor=actor,
        order_id=order_id,
        side=member_can_handle_sample_order,
        from_statuses=(SampleStatus.SUBMITTED,),
        to_status=SampleStatus.REFUSED,
        note=reason,
        now=now,
        change=change,
    )


def sample_order_receive(
    *, actor: Member, order_id: int, note: str = "", now: dt.datetime | None = None
) -> SampleOrder:
    """The samples of an accepted order arrived; from now on it cannot be cancelled."""
    return _handler_note_step(
        actor=actor,
        order_id=order_id,
        note=note,
        now=now,
        from_status=SampleStatus.ACCEPTED,
        to_status=SampleStatus.RECEIVED,
    )


def sample_order_start_testing(
    *, actor: Member, order_id: int, note: str = "", now: dt.datetime | None = None
) -> SampleOrder:
    """Testing of the received samples began."""
    return _handler_note_step(
        actor=actor,
        order_id=order_id,
        note=note,
        now=now,
        from_status=SampleStatus.RECEIVED,
        to_status=SampleStatus.TESTING,
    )


def _handler_note_step(
    *,
    actor: Member,
    order_id: int,
    note: str,
    now: dt.datetime | None,
    from_status: str,
    to_status: str,
) -> SampleOrder:
    """A handler's step that only moves the order on, with an optional note."""
    now = now or timezone.now()
    actor_require(actor)
    return _step(
        actor=actor,
        order_id=order_id,
        side=member_can_handle_sample_order,
        from_statuses=(from_status,),
        to_status=to_status,
        note=_reason(note, field="note", required=False),
        now=now,
    )


def report_files_check(files: Sequence[ReportUpload]) -> list[CheckedFile]:
    """Every file's type and size (bookings.sample_files), and their number."""
    if not files:
        raise ValidationFailed("sample_report_missing", fields={"files": ["required"]})
    if len(files) > settings.SAMPLE_REPORT_MAX_FILES:
        raise ValidationFailed(
            "sample_report_too_many",
            params={"count": settings.SAMPLE_REPORT_MAX_FILES},
            fields={"files": ["max_length"]},
        )
    return [report_file_check(name=f.name, content=f.content) for f in files]


def sample_order_report(
    *,
    actor: Member,
    order_id: int,
    files: Sequence[ReportUpload],
    note: str = "",
    now: dt.datetime | None = None,
) -> SampleOrder:
    """Upload the report (one or more files, checked first) of an order under test."""
    now = now or timezone.now()
    actor_require(actor)
    note = _reason(note, field="note", required=False)
    checked = report_files_check(files)
    stored: list[SampleReportFile] = []

    def change(order: SampleOrder) -> None:
        for item in checked:
            row = SampleReportFile(
                order=order,
                original_name=item.name,
                content_type=item.content_type,
                size=len(item.content),
                uploaded_by=actor,
                uploaded_at=now,
            )
            extension = REPORT_CONTENT_TYPES[item.content_type]
            row.file.save(
                f"{secrets.token_hex(12)}.{extension}", ContentFile(item.content), save=False
            )
            stored.append(row)
            row.save()

    try:
        return _step(
            actor=actor,
            order_id=order_id,
            side=member_can_handle_sample_order,
            from_statuses=(SampleStatus.TESTING,),
            to_status=SampleStatus.REPORTED,
            note=note,
            now=now,
            change=change,
        )
    except BaseException:
        for row in stored:
            row.file.storage.delete(row.file.name)
        raise


def sample_order_confirm(
    *, actor: Member, order_id: int, note: str = "", now: dt.datetime | None = None
) -> SampleOrder:
    """The requester confirms they received the report."""
    now = now or timezone.now()
    actor_require(actor)
    return _step(
        actor=actor,
        order_id=order_id,
        side=member_is_sample_requester,
        from_statuses=(SampleStatus.REPORTED,),
        to_status=SampleStatus.CONFIRMED,
        note=_reason(note, field="note", required=False),
        now=now,
    )


def _cancel_error(order: SampleOrder) -> Conflict:
    if order.status in SAMPLE_OPEN:  # received or later: the samples are with the unit
        return Conflict("sample_cancel_too_late", status=order.status)
    return _state_error(order)


def sample_order_cancel(
    *, actor: Member, order_id: int, reason: str = "", now: dt.datetime | None = None
) -> SampleOrder:
    """The requester withdraws the order, until the samples are received."""
    now = now or timezone.now()
    actor_require(actor)
    reason = _reason(reason, field="reason", required=False)

    def change(order: SampleOrder) -> None:
        order.cancel_reason = reason

    return _step(
        actor=actor,
        order_id=order_id,
        side=member_is_sample_requester,
        from_statuses=SAMPLE_CANCELLABLE,
        to_status=SampleStatus.CANCELLED,
        note=reason,
        now=now,
        change=change,
        late_error=_cancel_error,
    )
