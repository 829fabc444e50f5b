"""Self-use and assisted bookings (issue 10, docs/decisions/0011-service-modes.md).

A resource says which modes it offers (resources.models.Resource ``offers_*``). A booking
is self-use (the member runs the instrument: the qualification gate applies) or assisted
(委托上机: an operator of the owning unit runs it for the member: no qualification needed,
the resource's own lead time ``assisted_min_notice_minutes``). Sample submission is an
order, not a booking, and lives elsewhere.

The operator of an assisted booking is named in the resource's ``operators``, active, of
the owning unit, and free: an operator is never booked for two overlapping sessions on any
resource. The scheduler (bookings.services.booking_create) checks it before and again under
the resource's lock; on PostgreSQL the exclusion constraint ``booking_operator_no_overlap``
is the final word (two resources' locks do not serialise one operator's bookings), and its
violation is answered ``operator_busy``. On SQLite writers are serialised, so the re-check
inside the transaction is the guarantee.

A self-use booking costs no query here: the mode checks read the resource already loaded.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, OuterRef

from alliance.errors import Conflict, ValidationFailed
from alliance.models import Member
from bookings.models import BLOCKING_STATUSES, BOOKING_MODES, Booking
from resources.models import Resource, ServiceMode

ASSISTED = ServiceMode.ASSISTED
SELF_USE = ServiceMode.SELF_USE
#: (value, label) of the modes a booking can have, for forms.
BOOKING_MODE_CHOICES = [(m.value, m.label) for m in BOOKING_MODES]


def mode_parse(mode: object) -> str:
    """A booking's mode from input: ``self_use`` (the default for None) or ``assisted``."""
    if mode is None or mode == "":
        return SELF_USE
    if not isinstance(mode, str) or mode not in BOOKING_MODES:
        raise ValidationFailed("invalid", fields={"mode": ["invalid_choice"]})
    return str(mode)


def operator_id_parse(*, mode: str, operator_id: object) -> int | None:
    """The operator asked for: only an assisted booking names one (optional)."""
    if operator_id is None or operator_id == "":
        return None
    if mode != ASSISTED:
        raise ValidationFailed("operator_not_for_self_use")
    if isinstance(operator_id, bool) or not isinstance(operator_id, int) or operator_id < 1:
        raise ValidationFailed("invalid", fields={"operator_id": ["invalid"]})
    return operator_id


def mode_check(*, resource: Resource, mode: str) -> None:
    """The resource offers ``mode`` (``mode_not_offered``)."""
    if mode not in resource.service_modes:
        raise ValidationFailed("mode_not_offered", params={"mode": mode})


def mode_min_notice_minutes(*, resource: Resource, mode: str) -> int:
    """The lead time of a booking in ``mode``: the operators need their own for assisted."""
    if mode == ASSISTED:
        return resource.assisted_min_notice_minutes
    return resource.min_notice_minutes


def mode_qualified(*, mode: str, qualified: bool) -> bool:
    """The qualification gate is self-use's: an assisted member is run for, not trusted."""
    return qualified or mode == ASSISTED


def operators_eligible(*, resource: Resource):
    """The members who may operate ``resource``: named, active, of the owning unit."""
    return Member.objects.filter(
        operated_resources=resource.pk, is_active=True, unit_id=resource.unit_id
    ).order_by("name", "pk")


def operator_busy_q(*, start: dt.datetime, end: dt.datetime):
    """Blocking bookings of the outer member as operator overlapping [start, end)."""
    return Booking.objects.filter(
        operator=OuterRef("pk"), status__in=BLOCKING_STATUSES, start__lt=end, end__gt=start
    )


def operator_candidates_get(
    *, resource: Resource, start: dt.datetime, end: dt.datetime
) -> list[Member]:
    """The eligible operators, each with ``busy`` (booked for part of [start, end)), in the
    order the scheduler picks them (by name): one query."""
    return list(
        operators_eligible(resource=resource).annotate(
            busy=Exists(operator_busy_q(start=start, end=end))
        )
    )


def operator_choose(
    *, resource: Resource, operator_id: int | None, start: dt.datetime, end: dt.datetime
) -> Member:
    """The operator of an assisted booking of [start, end): the one named (refused with
    ``operator_not_eligible`` or ``operator_busy``), or the first free eligible one by
    name (``no_operator_free``). One query; called before the lock and again under it."""
    candidates = operator_candidates_get(resource=resource, start=start, end=end)
    if operator_id is not None:
        named = next((m for m in candidates if m.pk == operator_id), None)
        if named is None:
            raise ValidationFailed("operator_not_eligible")
        if named.busy:
            raise Conflict("operator_busy")
        return named
    free = next((m for m in candidates if not m.busy), None)
    if free is None:
        raise Conflict("no_operator_free")
    return free


def operator_choose_locked(
    *, resource: Resource, operator_id: int | None, start: dt.datetime, end: dt.datetime
) -> Member:
    """operator_choose again, inside booking_create's transaction (caller holds the
    resource's lock): what committed since the first read counts. On SQLite the writers
    are serialised, which makes this the guarantee; on PostgreSQL the exclusion constraint
    catches the writers this read cannot see yet."""
    if not connection.in_atomic_block:
        raise RuntimeError("operator_choose_locked must run inside the booking's transaction")
    return operator_choose(resource=resource, operator_id=operator_id, start=start, end=end)


def operator_busy_error(*, named: bool) -> Conflict:
    """The answer when the database refused the operator (a writer won the race): the
    operator asked for is busy, or the one the scheduler picked was taken meanwhile."""
    return Conflict("operator_busy" if named else "no_operator_free")


def operator_sessions_get(*, operator: Member, since: dt.datetime, limit: int = 50):
    """An operator's assisted bookings still blocking and ending after ``since``, soonest
    first (the /me/operating/ page): one query with resource, booker and unit."""
    return list(
        Booking.objects.select_related("resource", "member", "unit")
        .filter(operator=operator, status__in=BLOCKING_STATUSES, end__gt=since)
        .order_by("start", "pk")[:limit]
    )
