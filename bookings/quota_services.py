"""Setting and removing quotas (issue 12): the only writes of Quota (the back office calls
them; bookings.quotas is the scheduler's check).

Who: a resource's quota is set by its unit's managers or the secretariat, a kind's quota
(every resource of a kind, across units) by the secretariat only
(alliance.access.member_can_set_quota), and by alliance.actors.SYSTEM for seed_demo and
other commands. A refusal writes nothing.

Concurrency: a resource's quota is written under that resource's row lock (the old and the
new resource's, in pk order, when a quota moves), the lock booking_create holds while it
checks the quotas, so that a booking is checked entirely against the quotas before the
change or entirely against those after. A kind's quota takes no resource lock: a booking
being made at that moment on a resource of the kind counts the quotas it read, and the
change holds from the next booking on.

Callers may be inside an outer transaction (the admin wraps each save in one), so these
open a plain ``transaction.atomic``.
"""

from __future__ import annotations

from django.db import transaction

from alliance.access import member_can_set_quota, member_refusal
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.services import model_validate
from bookings.quota_models import Quota, QuotaMeasure, QuotaPeriod
from resources.locking import resource_lock
from resources.models import Resource


def _unit_of(resource_id: int | None) -> int | None:
    """The owning unit of ``resource_id`` (None for a kind's quota); NotFound if unknown."""
    if resource_id is None:
        return None
    unit_id = Resource.objects.filter(pk=resource_id).values_list("unit_id", flat=True).first()
    if unit_id is None:
        raise NotFound()
    return unit_id


def _may_set(actor: Actor, resource_id: int | None) -> None:
    unit_id = _unit_of(resource_id)
    if actor_is_system(actor) or member_can_set_quota(actor, resource_unit_id=unit_id):
        return
    raise member_refusal(actor)


def _lock_resources(*resource_ids: int | None) -> None:
    """The row locks of the resources a quota change touches, in pk order."""
    for resource_id in sorted({pk for pk in resource_ids if pk is not None}):
        resource_lock(resource_id)


def _validate(quota: Quota) -> None:
    """Field validators (choices, types) and the rules the model's constraints keep, as
    ``invalid`` with the offending fields; the constraints stay the final word."""
    if isinstance(quota.limit, bool) or not isinstance(quota.limit, int):
        raise ValidationFailed("invalid", fields={"limit": ["invalid"]})
    model_validate(quota, exclude=["resource"])
    fields: dict[str, list[str]] = {}
    if (quota.resource_id is None) == (quota.kind == ""):  # quota_exactly_one_target
        fields["kind"] = ["one_target"]
    if (quota.measure == QuotaMeasure.HOURS_AHEAD) != (quota.period == QuotaPeriod.NONE):
        fields["period"] = ["period_fits_measure"]  # quota_period_fits_measure
    if quota.limit < 1:  # quota_limit_positive
        fields["limit"] = ["min_value"]
    if fields:
        raise ValidationFailed("invalid", fields=fields)


def quota_save(
    *,
    actor: Actor,
    resource_id: int | None,
    kind: str,
    scope: str,
    measure: str,
    period: str,
    limit: int,
    quota_id: int | None = None,
) -> Quota:
    """Add a quota, or change ``quota_id``, on one resource (``kind`` "") or on every resource
    of ``kind`` (``resource_id`` None). The actor must be allowed both the quota as it was
    and as it will be. Refusals: ``invalid`` (with the fields), NotFound, permission."""
    actor_require(actor)
    _may_set(actor, resource_id)
    with transaction.atomic():
        old_resource_id = None
        if quota_id is not None:
            current = Quota.objects.filter(pk=quota_id).values_list("resource_id", flat=True)
            if not current.exists():
                raise NotFound()
            old_resource_id = current.get()
            _may_set(actor, old_resource_id)
        _lock_resources(resource_id, old_resource_id)
        if quota_id is None:
            quota = Quota()
        else:
            quota = Quota.objects.select_for_update().filter(pk=quota_id).order_by("pk").first()
            if quota is None:  # removed while we waited
                raise NotFound()
        quota.resource_id = resource_id
        quota.kind = kind or ""
        quota.scope = scope
        quota.measure = measure
        quota.period = period
        quota.limit = limit
        _validate(quota)
        quota.save()
    return quota


def quota_delete(*, actor: Actor, quota_id: int) -> None:
    """Remove a quota; bookings made under it stand."""
    actor_require(actor)
    with transaction.atomic():
        resource_id = Quota.objects.filter(pk=quota_id).values_list("resource_id", flat=True)
        if not resource_id.exists():
            raise NotFound()
        resource_id = resource_id.get()
        _may_set(actor, resource_id)
        _lock_resources(resource_id)
        Quota.objects.filter(pk=quota_id).delete()
