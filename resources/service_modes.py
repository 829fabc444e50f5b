"""A resource's service modes as its managers set them (issue 10): which modes it offers
(self-use, assisted, sample submission), the assisted lead time, the sample turnaround and
instructions, and the operators of assisted use. The scheduler's side is
bookings.service_modes; the why is docs/decisions/0011-service-modes.md."""

from __future__ import annotations

from collections.abc import Iterable

from alliance.errors import ValidationFailed
from alliance.models import Member
from resources.models import Resource, ServiceMode

#: The fields resources.services.resource_create and resource_update accept for the modes
#: (``operator_ids`` besides: the operators' member ids).
SERVICE_MODE_FIELDS = frozenset(
    {
        "offers_self_use",
        "offers_assisted",
        "assisted_min_notice_minutes",
        "offers_samples",
        "sample_turnaround_days",
        "sample_instructions",
    }
)


def bookable_modes(*, resource: Resource, qualified: bool) -> list[str]:
    """The booking modes a member may book, the first one a form's default: self-use when
    offered and ``qualified`` (the member passes the qualification gate: the resource
    requires none or they hold a valid one), then assisted when offered, which needs no
    qualification. No query. The per-caller predicates (``can_book``, the search, the
    resource page) all ask this, so that none refuses a member the scheduler would take."""
    offered = resource.service_modes
    modes = []
    if ServiceMode.SELF_USE in offered and qualified:
        modes.append(ServiceMode.SELF_USE.value)
    if ServiceMode.ASSISTED in offered:
        modes.append(ServiceMode.ASSISTED.value)
    return modes


#: What modes_refusal answers (the catalogue's ``cannot_book_reason`` lists them).
MODE_REFUSAL_CODES = ("not_qualified", "mode_not_offered")


def modes_refusal(*, resource: Resource, qualified: bool) -> str | None:
    """Why no booking mode is open to the member (an alliance.errors code), or None:
    ``not_qualified`` where self-use is offered but the gate is shut and assisted use is not
    offered, ``mode_not_offered`` where the resource takes sample orders only."""
    if bookable_modes(resource=resource, qualified=qualified):
        return None
    return "not_qualified" if ServiceMode.SELF_USE in resource.service_modes else "mode_not_offered"


def operators_clean(*, unit_id: int, operator_ids: Iterable[int]) -> list[int]:
    """The operators of a resource: active members of its owning unit (``operators_invalid``
    otherwise). The distinct ids, sorted; one query."""
    try:
        ids = sorted({int(pk) for pk in operator_ids})
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", fields={"operator_ids": ["invalid"]}) from None
    if not ids:
        return ids
    found = Member.objects.filter(pk__in=ids, is_active=True, unit_id=unit_id).count()
    if found != len(ids):
        raise ValidationFailed("operators_invalid", fields={"operator_ids": ["operators_invalid"]})
    return ids


def modes_check(resource: Resource) -> None:
    """A resource offers at least one service mode: the model's check, as a clear error."""
    if not resource.service_modes:
        raise ValidationFailed("no_service_mode", fields={"offers_self_use": ["no_service_mode"]})


def operators_set(*, resource: Resource, operator_ids: Iterable[int]) -> None:
    """Replace the operators of ``resource``; a change is a new version of its rules
    (``updated_at``, which the scheduler compares under the lock). Caller holds the
    resource's lock, inside resource_update's transaction."""
    wanted = operators_clean(unit_id=resource.unit_id, operator_ids=operator_ids)
    if wanted != sorted(resource.operators.values_list("pk", flat=True)):
        resource.operators.set(wanted)
        resource.save(update_fields=["updated_at"])
