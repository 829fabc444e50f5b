"""Every write to member units and members.

Each service takes keyword-only arguments, checks access with alliance.access, validates its
input into a domain error with a code from alliance.errors, and writes inside one
``transaction.atomic`` block, so that a refused call writes nothing.

``actor`` is the acting member, or alliance.actors.SYSTEM for seed_demo and other management
commands; never None (TypeError), so that a forgotten actor cannot pass for the system. The
API and the admin always pass the signed-in member.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction

from alliance.access import (
    member_can_create_member,
    member_can_update_member,
    member_is_secretariat,
    member_refusal,
)
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import Conflict, NotFound, ValidationFailed
from alliance.models import Member, MemberRole, Unit, UnitKind

#: Roles that work in the back office (the Django admin) and so get ``User.is_staff``.
BACK_OFFICE_ROLES = frozenset({MemberRole.UNIT_MANAGER, MemberRole.SECRETARIAT})

UNIT_FIELDS = frozenset(
    {"name", "short_name", "kind", "contact_name", "contact_phone", "contact_email", "is_active"}
)
MEMBER_FIELDS = frozenset({"name", "phone", "role", "unit_id", "is_active"})


# --- Validation helpers shared by the administrative services -----------------------------


#: Characters no free text may hold: C0 and C1 controls (NUL included) and DEL, which
#: corrupt lists, exports and terminals, and the bidirectional embedding, override and
#: isolate controls (U+202A–U+202E, U+2066–U+2069), which make text display in another
#: order than it is stored ("Trojan Source", CVE-2021-42574). The direction marks U+200E,
#: U+200F and U+061C stay allowed: they reorder nothing by themselves and mixed-script
#: names use them.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The same, less tab, line feed and carriage return, for text that may span lines.
FORBIDDEN_CHARACTERS_MULTILINE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def text_clean(
    value: Any, *, field: str, max_length: int, required: bool, multiline: bool = False
) -> str:
    """Strip a text input and check its characters and length; ``field`` names it in the
    error. Every free-text input of every interface passes through here.

    Refuses FORBIDDEN_CHARACTERS with ``invalid_characters``; ``multiline`` text (a
    description, a reason) may also hold tabs and line breaks.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed("invalid", fields={field: ["invalid"]})
    value = value.strip()
    forbidden = FORBIDDEN_CHARACTERS_MULTILINE if multiline else FORBIDDEN_CHARACTERS
    if forbidden.search(value):
        raise ValidationFailed("invalid_characters", fields={field: ["invalid_characters"]})
    if required and not value:
        raise ValidationFailed("invalid", fields={field: ["required"]})
    if len(value) > max_length:
        raise ValidationFailed("invalid", fields={field: ["max_length"]})
    return value


#: The largest sum of yuan a price or a fee may state (twelve digits before the point).
YUAN_MAX = Decimal("999999999999.99")


def yuan_clean(value: Any, *, field: str, maximum: Decimal = YUAN_MAX) -> Decimal:
    """A sum of money in yuan (a price, a fee): a Decimal, an int or a numeric string from
    0 to ``maximum`` with at most two decimal places; ``invalid`` naming ``field`` otherwise.
    Floats are refused: they cannot say 0.1 exactly."""
    if isinstance(value, bool | float) or value is None:
        raise ValidationFailed("invalid", fields={field: ["invalid"]})
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed("invalid", fields={field: ["invalid"]}) from None
    if not amount.is_finite() or not 0 <= amount <= maximum:
        raise ValidationFailed("invalid", fields={field: ["invalid"]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("invalid", fields={field: ["invalid"]})
    return amount.quantize(Decimal("0.01"))


def model_validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's field validators (choices, lengths, e-mail) as a domain error.

    Uniqueness and constraints are left to the caller, which reports them with their own
    codes; ``fields`` carries Django's error codes per field, never the submitted values.
    """
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        fields = {
            field: [error.code or "invalid" for error in errors]
            for field, errors in exc.error_dict.items()
        }
        raise ValidationFailed("invalid", fields=fields) from None


def changes_check(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed("invalid", fields={key: ["unknown_field"] for key in unknown})


def _system_or_secretariat_require(actor: Actor) -> None:
    """SYSTEM (management commands) or the secretariat; anyone else is refused."""
    actor_require(actor)
    if actor_is_system(actor) or member_is_secretariat(actor):
        return
    raise member_refusal(actor)


def _unit_get(unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


# --- Units --------------------------------------------------------------------------------


def _unit_has_secretariat(unit_id: int) -> bool:
    return Member.objects.filter(
        unit_id=unit_id, role=MemberRole.SECRETARIAT, is_active=True
    ).exists()


def _unit_values_clean(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    if "name" in clean:
        clean["name"] = text_clean(clean["name"], field="name", max_length=100, required=True)
    if "short_name" in clean:
        clean["short_name"] = text_clean(
            clean["short_name"], field="short_name", max_length=30, required=False
        )
    for field, length in (("contact_name", 50), ("contact_phone", 30), ("contact_email", 254)):
        if field in clean:
            clean[field] = text_clean(clean[field], field=field, max_length=length, required=False)
    if "kind" in clean and clean["kind"] not in UnitKind.values:
        raise ValidationFailed("invalid", fields={"kind": ["invalid_choice"]})
    if "is_active" in clean and not isinstance(clean["is_active"], bool):
        raise ValidationFailed("invalid", fields={"is_active": ["invalid"]})
    return clean


def _unit_name_free(name: str, *, exclude_pk: int | None = None) -> None:
    taken = Unit.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed("unit_name_taken", fields={"name": ["unique"]})


def unit_deactivate(*, actor: Actor, unit_id: int) -> Unit:
    """Deactivate a member unit (see unit_update). Again: no change."""
    return unit_update(actor=actor, unit_id=unit_id, is_active=False)


def unit_reactivate(*, actor: Actor, unit_id: int) -> Unit:
    """Give a deactivated member unit its rights back. Again: no change."""
    return unit_update(actor=actor, unit_id=unit_id, is_active=True)


def unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    short_name: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Unit:
    """Admit a member unit to the alliance. Secretariat only (or the system).

    Unit names are unique: a taken name is refused with ``unit_name_taken``.
    """
    _system_or_secretariat_require(actor)
    values = _unit_values_clean(
        {
            "name": name,
            "kind": kind,
            "short_name": short_name,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_email": contact_email,
        }
    )
    unit = Unit(**values)
    model_validate(unit)
    try:
        with transaction.atomic():
            _unit_name_free(unit.name)
            unit.save()
    except IntegrityError:  # A concurrent writer took the name between check and insert.
        raise ValidationFailed("unit_name_taken", fields={"name": ["unique"]}) from None
    return unit


def unit_update(*, actor: Actor, unit_id: int, **changes: Any) -> Unit:
    """Change a unit's name, short name, kind, contact or active flag. Secretariat only.

    Accepts any of UNIT_FIELDS; an unknown field is refused. Writes nothing when nothing
    changes.

    Deactivating a unit (``is_active=False``) takes every right over others from its members
    (alliance.access.member_acts) and stops bookings by them or of its resources
    (bookings.rules.booking_units_check); they still see and cancel their own bookings.
    Bookings already made are left as they are: approved ones stand, pending ones can no
    longer be approved and expire at their start unless rejected or cancelled first. A
    unit with active secretariat members is not deactivated (``unit_has_secretariat``), so
    that the secretariat can always act, reactivate it included.
    """
    _system_or_secretariat_require(actor)
    changes_check(changes, UNIT_FIELDS)
    values = _unit_values_clean(changes)
    try:
        with transaction.atomic():
            unit = Unit.objects.select_for_update(no_key=True).filter(pk=unit_id).first()
            if unit is None:
                raise NotFound()
            changed = [field for field, value in values.items() if getattr(unit, field) != value]
            if not changed:
                return unit
            if values.get("is_active") is False and _unit_has_secretariat(unit.pk):
                raise Conflict("unit_has_secretariat")
            for field in changed:
                setattr(unit, field, values[field])
            model_validate(unit)
            if "name" in changed:
                _unit_name_free(unit.name, exclude_pk=unit.pk)
            unit.save(update_fields=changed)
    except IntegrityError:
        raise ValidationFailed("unit_name_taken", fields={"name": ["unique"]}) from None
    return unit


# --- Members ------------------------------------------------------------------------------


def _username_clean(username: str | None) -> str:
    user_model = get_user_model()
    if username is None:
        return f"m{secrets.token_hex(6)}"
    username = text_clean(username, field="username", max_length=150, required=True)
    username = user_model.normalize_username(username)
    try:
        user_model.username_validator(username)
    except DjangoValidationError:
        raise ValidationFailed("invalid", fields={"username": ["invalid"]}) from None
    return username


def _password_check(password: str, user: Any) -> None:
    """Apply AUTH_PASSWORD_VALIDATORS; the error lists the validators' codes, never the
    password itself."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        codes = [error.code or "invalid" for error in exc.error_list]
        raise ValidationFailed("weak_password", fields={"password": codes}) from None


def password_hash_make(*, password: str) -> str:
    """Check a password against AUTH_PASSWORD_VALIDATORS and hash it once.

    For the system only: seed_demo hashes the one demo password once and passes the hash
    to member_create for every demo account, as hashing costs most of a second each.
    """
    _password_check(password, None)
    return make_password(password)


def member_create(
    *,
    actor: Actor,
    unit_id: int,
    name: str,
    role: str,
    phone: str = "",
    username: str | None = None,
    password: str | None = None,
    password_hash: str | None = None,
) -> Member:
    """Create a member of a unit together with their Django user account.

    Without a password the account gets an unusable one (the member signs in through
    WeChat, or is given a password later). Secretariat and unit managers get
    ``is_staff`` so that they can open the back office. Access: the secretariat creates
    anyone; a unit manager creates researchers of their own unit only.

    ``password_hash`` (from password_hash_make) is for SYSTEM only, instead of ``password``.
    """
    actor_require(actor)
    if password_hash is not None and (not actor_is_system(actor) or password is not None):
        raise ValueError("password_hash is for the system only, instead of a password")
    if not member_can_create_member(actor, unit_id=unit_id, role=role):
        raise member_refusal(actor)
    if role not in MemberRole.values:
        raise ValidationFailed("invalid", fields={"role": ["invalid_choice"]})
    name = text_clean(name, field="name", max_length=50, required=True)
    phone = text_clean(phone, field="phone", max_length=30, required=False)
    username = _username_clean(username)
    unit = _unit_get(unit_id)
    if not unit.is_active:
        raise ValidationFailed("unit_inactive")
    user_model = get_user_model()
    user = user_model(username=username, is_staff=role in BACK_OFFICE_ROLES)
    if password_hash is not None:
        user.password = password_hash
    elif password is None:
        user.set_unusable_password()
    else:
        _password_check(password, user)
        user.set_password(password)
    try:
        with transaction.atomic():
            if user_model.objects.filter(username__iexact=username).exists():
                raise ValidationFailed("username_taken", fields={"username": ["unique"]})
            user.save()
            member = Member.objects.create(user=user, unit=unit, name=name, role=role, phone=phone)
    except IntegrityError:  # A concurrent writer took the username.
        raise ValidationFailed("username_taken", fields={"username": ["unique"]}) from None
    return member


def member_update(*, actor: Actor, member_id: int, **changes: Any) -> Member:
    """Change a member's name, phone, role, unit or active flag (MEMBER_FIELDS).

    Keeps the user account in step: ``is_staff`` follows the role and ``is_active`` the
    member's. The last active secretariat member cannot be demoted or deactivated
    (``last_secretariat``), so that someone can always run the alliance; nobody becomes an
    active secretariat member of a deactivated unit (``unit_inactive``).
    """
    actor_require(actor)
    changes_check(changes, MEMBER_FIELDS)
    with transaction.atomic():
        if "role" in changes or "is_active" in changes:
            # Lock the active secretariat first, in pk order, so that two concurrent
            # demotions cannot both see the other as "still there", nor deadlock.
            list(
                Member.objects.select_for_update(no_key=True)
                .filter(role=MemberRole.SECRETARIAT, is_active=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        member = (
            Member.objects.select_for_update(no_key=True, of=("self",))
            .select_related("user")
            .filter(pk=member_id)
            .first()
        )
        if member is None:
            raise NotFound()
        if not member_can_update_member(actor, member, changes):
            raise member_refusal(actor)
        values = dict(changes)
        if "name" in values:
            values["name"] = text_clean(values["name"], field="name", max_length=50, required=True)
        if "phone" in values:
            values["phone"] = text_clean(
                values["phone"], field="phone", max_length=30, required=False
            )
        if "role" in values and values["role"] not in MemberRole.values:
            raise ValidationFailed("invalid", fields={"role": ["invalid_choice"]})
        if "is_active" in values and not isinstance(values["is_active"], bool):
            raise ValidationFailed("invalid", fields={"is_active": ["invalid"]})
        if "unit_id" in values and values["unit_id"] != member.unit_id:
            unit = _unit_get(values["unit_id"])
            if not unit.is_active:
                raise ValidationFailed("unit_inactive")
        changed = [field for field, value in values.items() if getattr(member, field) != value]
        if not changed:
            return member
        stays_secretariat = values.get(
            "role", member.role
        ) == MemberRole.SECRETARIAT and values.get("is_active", member.is_active)
        if stays_secretariat and {"role", "is_active"} & set(changed):
            unit_id = values.get("unit_id", member.unit_id)
            if not Unit.objects.filter(pk=unit_id, is_active=True).exists():
                raise ValidationFailed("unit_inactive")
        if member_is_secretariat(member) and not stays_secretariat:
            others = Member.objects.filter(
                role=MemberRole.SECRETARIAT, is_active=True, unit__is_active=True
            ).exclude(pk=member.pk)
            if not others.exists():
                raise Conflict("last_secretariat")
        for field in changed:
            setattr(member, field, values[field])
        member.save(update_fields=changed)
        user = member.user
        user.is_staff = member.role in BACK_OFFICE_ROLES
        user.is_active = member.is_active
        user.save(update_fields=["is_staff", "is_active"])
    return member
