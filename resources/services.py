"""Every write to shared resources; their opening hours, closures and the working calendar
are resources.calendar_services'.

Each service takes keyword-only arguments, checks access with alliance.access, validates its
input into a domain error with a code from alliance.errors, and writes inside one
``transaction.atomic`` block, so that a refused call writes nothing.

``actor`` is the acting member, or alliance.actors.SYSTEM for seed_demo and other management
commands; never None (TypeError), so that a forgotten actor cannot pass for the system.

Writes that change what the scheduler reads (rules, opening hours) take the resource's row
lock, the same lock booking writers take (bookings.services), so that a booking is checked
either entirely against the old rules or entirely against the new ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from alliance.access import member_can_manage_resource, member_refusal
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Unit
from alliance.services import changes_check, model_validate, text_clean
from resources.locking import resource_lock
from resources.models import (
    Resource,
    ResourceKind,
    new_checkin_code,
)
from resources.service_modes import (
    SERVICE_MODE_FIELDS,
    modes_check,
    operators_clean,
    operators_set,
)

DAY_MINUTES = 24 * 60
MAX_DAYS_AHEAD = 366
MAX_CAPACITY = 10_000

#: Integer rules of a resource and their bounds (inclusive).
RULE_BOUNDS = {
    "capacity": (1, MAX_CAPACITY),
    "slot_minutes": (5, DAY_MINUTES),
    "min_duration_minutes": (5, 7 * DAY_MINUTES),
    "max_duration_minutes": (5, 31 * DAY_MINUTES),
    "min_notice_minutes": (0, MAX_DAYS_AHEAD * DAY_MINUTES),
    "max_days_ahead": (1, MAX_DAYS_AHEAD),
    "buffer_minutes": (0, DAY_MINUTES),
}
BOOLEAN_RULES = ("requires_approval", "requires_checkin")
RULE_DEFAULTS = {
    "capacity": 1,
    "slot_minutes": 30,
    "min_duration_minutes": 30,
    "max_duration_minutes": 4 * 60,
    "min_notice_minutes": 60,
    "max_days_ahead": 30,
    "buffer_minutes": 0,
    "requires_approval": True,
    "requires_checkin": True,
}
#: Text fields: (max length, required); MULTILINE_FIELDS may hold line breaks.
TEXT_FIELDS = {
    "name": (100, True),
    "building": (100, False),
    "room": (50, False),
    "address": (200, False),
    "directions": (2000, False),
    "contact_name": (50, False),
    "contact_phone": (30, False),
    "description": (5000, False),
    "asset_number": (64, False),
    "classification_name": (100, False),
    "sample_instructions": (2000, False),
}
MULTILINE_FIELDS = frozenset({"description", "directions", "sample_instructions"})
#: Qualification settings and asset data (issue 10), checked by the model's validators.
QUALIFICATION_AND_ASSET_FIELDS = frozenset(
    {
        "requires_qualification",
        "qualification_valid_days",
        "qualification_idle_days",
        "original_value",
        "purchase_date",
        "classification_code",
        "specialised",
        "yearly_hours_override",
    }
)
ASSET_FIELDS = QUALIFICATION_AND_ASSET_FIELDS | {"asset_number", "classification_name"}
RESOURCE_FIELDS = frozenset(
    {
        *RULE_BOUNDS,
        *TEXT_FIELDS,
        "kind",
        *BOOLEAN_RULES,
        "allowed_unit_ids",
        *QUALIFICATION_AND_ASSET_FIELDS,
        *SERVICE_MODE_FIELDS,
        "operator_ids",
    }
)


# --- Validation ---------------------------------------------------------------------------


def rules_validate(rules: dict[str, Any]) -> None:
    """Check that a resource's booking rules fit together, or raise ``invalid_rules``.

    ``rules`` holds every key of RULE_DEFAULTS. ``fields`` in the error names each broken
    rule: slots divide the day (they count from local midnight), the minimum and maximum
    durations are whole slots with min <= max, and the notice leaves some bookable days.
    """
    errors: dict[str, list[str]] = {}
    for field, (low, high) in RULE_BOUNDS.items():
        value = rules[field]
        if not isinstance(value, int) or isinstance(value, bool):
            errors[field] = ["not_an_integer"]
        elif not low <= value <= high:
            errors[field] = ["out_of_range"]
    for field in BOOLEAN_RULES:
        if not isinstance(rules[field], bool):
            errors[field] = ["not_a_boolean"]
    if errors:
        raise ValidationFailed("invalid_rules", fields=errors)
    slot = rules["slot_minutes"]
    minimum = rules["min_duration_minutes"]
    maximum = rules["max_duration_minutes"]
    if DAY_MINUTES % slot:
        errors["slot_minutes"] = ["must_divide_day"]
    if minimum < slot:
        errors["min_duration_minutes"] = ["below_slot"]
    elif minimum % slot:
        errors["min_duration_minutes"] = ["not_a_multiple_of_slot"]
    if maximum < minimum:
        errors["max_duration_minutes"] = ["below_min_duration"]
    elif maximum % slot:
        errors["max_duration_minutes"] = ["not_a_multiple_of_slot"]
    if rules["min_notice_minutes"] >= rules["max_days_ahead"] * DAY_MINUTES:
        errors["min_notice_minutes"] = ["beyond_booking_horizon"]
    if errors:
        raise ValidationFailed("invalid_rules", fields=errors)


def _text_values_clean(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    for field, (length, required) in TEXT_FIELDS.items():
        if field in clean:
            clean[field] = text_clean(
                clean[field],
                field=field,
                max_length=length,
                required=required,
                multiline=field in MULTILINE_FIELDS,
            )
    if "kind" in clean and clean["kind"] not in ResourceKind.values:
        raise ValidationFailed("invalid", fields={"kind": ["invalid_choice"]})
    return clean


def _allowed_units_clean(unit_ids: Iterable[int] | None) -> list[int]:
    """The allow-list as sorted unit ids; every id must name an existing unit."""
    ids = list(unit_ids or ())
    if any(not isinstance(i, int) or isinstance(i, bool) for i in ids):
        raise ValidationFailed("invalid", fields={"allowed_unit_ids": ["invalid"]})
    ids = sorted(set(ids))
    if ids and Unit.objects.filter(pk__in=ids).count() != len(ids):
        raise ValidationFailed("invalid", fields={"allowed_unit_ids": ["unknown_unit"]})
    return ids


def _name_free(*, unit_id: int, name: str, exclude_pk: int | None = None) -> None:
    taken = Resource.objects.filter(unit_id=unit_id, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed("resource_name_taken", fields={"name": ["unique"]})


def resource_manage_require(actor: Actor, resource: Resource) -> None:
    """SYSTEM, or a member who may manage the resource (its unit's managers, the
    secretariat, both of an active unit); anyone else is refused. Also for its photos
    (resources.photos)."""
    actor_require(actor)
    if actor_is_system(actor) or member_can_manage_resource(actor, resource):
        return
    raise member_refusal(actor)


# --- Resources ----------------------------------------------------------------------------


def resource_create(
    *,
    actor: Actor,
    unit_id: int,
    kind: str,
    name: str,
    building: str = "",
    room: str = "",
    address: str = "",
    directions: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    description: str = "",
    capacity: int = RULE_DEFAULTS["capacity"],
    slot_minutes: int = RULE_DEFAULTS["slot_minutes"],
    min_duration_minutes: int = RULE_DEFAULTS["min_duration_minutes"],
    max_duration_minutes: int = RULE_DEFAULTS["max_duration_minutes"],
    min_notice_minutes: int = RULE_DEFAULTS["min_notice_minutes"],
    max_days_ahead: int = RULE_DEFAULTS["max_days_ahead"],
    buffer_minutes: int = RULE_DEFAULTS["buffer_minutes"],
    requires_approval: bool = RULE_DEFAULTS["requires_approval"],
    requires_checkin: bool = RULE_DEFAULTS["requires_checkin"],
    allowed_unit_ids: Iterable[int] | None = None,
    **assets: Any,
) -> Resource:
    """Share a new resource of ``unit_id``. Access: the unit's managers or the secretariat.

    ``assets``: its qualification settings and asset data (ASSET_FIELDS), its service modes
    (SERVICE_MODE_FIELDS) and ``operator_ids``, if any.

    The resource starts with no opening hours (so nobody can book it yet): set them with
    opening_hours_set. An empty ``allowed_unit_ids`` lets every member unit book it. A
    deactivated unit shares nothing new (``unit_inactive``).
    """
    resource_manage_require(actor, Resource(unit_id=unit_id))
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    if not unit.is_active:
        raise ValidationFailed("unit_inactive")
    changes_check(assets, ASSET_FIELDS | SERVICE_MODE_FIELDS | {"operator_ids"})
    operator_ids = assets.pop("operator_ids", None) or []
    values = _text_values_clean(
        {
            "kind": kind,
            "name": name,
            "building": building,
            "room": room,
            "address": address,
            "directions": directions,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "description": description,
            **assets,
        }
    )
    rules = {
        "capacity": capacity,
        "slot_minutes": slot_minutes,
        "min_duration_minutes": min_duration_minutes,
        "max_duration_minutes": max_duration_minutes,
        "min_notice_minutes": min_notice_minutes,
        "max_days_ahead": max_days_ahead,
        "buffer_minutes": buffer_minutes,
        "requires_approval": requires_approval,
        "requires_checkin": requires_checkin,
    }
    rules_validate(rules)
    resource = Resource(unit_id=unit_id, **values, **rules)
    model_validate(resource, exclude=["unit"])
    modes_check(resource)
    try:
        with transaction.atomic():
            allowed = _allowed_units_clean(allowed_unit_ids)
            operators = operators_clean(unit_id=unit_id, operator_ids=operator_ids)
            _name_free(unit_id=unit_id, name=resource.name)
            resource.save()
            if allowed:
                resource.allowed_units.set(allowed)
            if operators:
                resource.operators.set(operators)
    except IntegrityError:  # A concurrent writer took the name.
        raise ValidationFailed("resource_name_taken", fields={"name": ["unique"]}) from None
    return resource


def resource_update(*, actor: Actor, resource_id: int, **changes: Any) -> Resource:
    """Change a resource's description or booking rules (any of RESOURCE_FIELDS).

    The rules are checked as a whole after the change (``invalid_rules``). Existing
    bookings keep the rules they were made under. Writes nothing when nothing changes.
    """
    actor_require(actor)
    changes_check(changes, RESOURCE_FIELDS)
    try:
        with transaction.atomic():
            resource = resource_lock(resource_id)
            resource_manage_require(actor, resource)
            values = _text_values_clean(changes)
            allowed = values.pop("allowed_unit_ids", None)
            operator_ids = values.pop("operator_ids", None)
            rules = {key: values.get(key, getattr(resource, key)) for key in RULE_DEFAULTS}
            rules_validate(rules)
            changed = [key for key, value in values.items() if getattr(resource, key) != value]
            for key in changed:
                setattr(resource, key, values[key])
            if changed:
                model_validate(resource, exclude=["unit"])
                modes_check(resource)
                if "name" in changed:
                    _name_free(unit_id=resource.unit_id, name=resource.name, exclude_pk=resource.pk)
                resource.save(update_fields=[*changed, "updated_at"])
            if "allowed_unit_ids" in changes:
                wanted = _allowed_units_clean(allowed)
                current = sorted(resource.allowed_units.values_list("pk", flat=True))
                if wanted != current:
                    resource.allowed_units.set(wanted)
                    resource.save(update_fields=["updated_at"])  # a new version of its rules
            if operator_ids is not None:
                operators_set(resource=resource, operator_ids=operator_ids)
    except IntegrityError:
        raise ValidationFailed("resource_name_taken", fields={"name": ["unique"]}) from None
    return resource


def resource_retire(*, actor: Actor, resource_id: int) -> Resource:
    """Stop new bookings of a resource for good; its history stays.

    Bookings already made are left as they are (their bookers or managers cancel them).
    Retiring a retired resource changes nothing.
    """
    with transaction.atomic():
        resource = resource_lock(resource_id)
        resource_manage_require(actor, resource)
        if not resource.is_retired:
            resource.is_retired = True
            resource.save(update_fields=["is_retired", "updated_at"])
    return resource


def resource_checkin_code_reset(*, actor: Actor, resource_id: int) -> Resource:
    """Give the resource a new check-in code, so that every QR code printed before (say, a
    photo of the sign taken away) stops proving presence. Access: the unit's managers or the
    secretariat. Each call draws a new code."""
    with transaction.atomic():
        resource = resource_lock(resource_id)
        resource_manage_require(actor, resource)
        resource.checkin_code = new_checkin_code()
        resource.save(update_fields=["checkin_code", "updated_at"])
    return resource
