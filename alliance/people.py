"""The staff's people: a unit's members as its managers see them, and the changes they make
to them (deactivate, reactivate, change role). Who may: alliance.access, "People" block.

Each change goes through alliance.services.member_update, which keeps the user account in
step and guards the last secretariat member; the helpers here add the staff's own rules
(nobody changes themselves, roles are the secretariat's).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from alliance.access import (
    member_can_change_role,
    member_can_manage_people,
    member_can_set_member_active,
    member_is_secretariat,
    member_refusal,
)
from alliance.actors import Actor, actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.models import InviteCode, Member, MemberRole, Unit
from alliance.services import member_update

#: What the invite QR code holds: this prefix and the invite code. The mini-program, scanning
#: it, sends the part after the prefix to ``POST /api/v1/auth/bind/`` as ``invite_code``.
INVITE_QR_PREFIX = "alliance-share:invite:"


def invite_qr_payload(code: str) -> str:
    """The text of the QR code a new member scans with the mini-program to bind."""
    return f"{INVITE_QR_PREFIX}{code}"


# --- Reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitPeople:
    unit: Unit
    members: list[Member]


def people_units(*, actor: Member | None) -> QuerySet[Unit]:
    """The units whose people ``actor`` manages: every unit for the secretariat, their own
    for a unit manager, none for anyone else."""
    if member_is_secretariat(actor):
        return Unit.objects.order_by("name", "pk")
    if actor is not None and member_can_manage_people(actor, actor.unit_id):
        return Unit.objects.filter(pk=actor.unit_id)
    return Unit.objects.none()


def unit_people(*, actor: Member | None, unit_id: int) -> UnitPeople:
    """A unit's members, active first, each with ``invite_pending`` (an unused, unexpired
    invite code) beside ``wechat_openid`` (bound). Two queries whatever the unit's size."""
    if not member_can_manage_people(actor, unit_id):
        raise member_refusal(actor)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    members = list(_people().filter(unit_id=unit_id).order_by("-is_active", "name", "pk"))
    for member in members:
        member.unit = unit  # one unit: no query per row when a page names it
    return UnitPeople(unit=unit, members=members)


def unit_person(*, actor: Member | None, member_id: int) -> Member:
    """One row of unit_people (after a change to it), with its unit: one query."""
    member = _people().select_related("unit").filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    if not member_can_manage_people(actor, member.unit_id):
        raise member_refusal(actor)
    return member


def _people() -> QuerySet[Member]:
    pending = InviteCode.objects.filter(
        member_id=OuterRef("pk"), used_at__isnull=True, expires_at__gt=timezone.now()
    )
    return Member.objects.annotate(invite_pending=Exists(pending))


# --- Changes ------------------------------------------------------------------------------


def _member_get(member_id: int) -> Member:
    member = Member.objects.select_related("unit").filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    return member


def member_deactivate(*, actor: Actor, member_id: int) -> Member:
    """Take a member's access away (their tokens stop working, their user cannot sign in).
    Again: no change. 409 ``last_secretariat`` for the last active secretariat member."""
    return _member_active_set(actor=actor, member_id=member_id, active=False)


def member_reactivate(*, actor: Actor, member_id: int) -> Member:
    """Give a deactivated member their access back. Again: no change."""
    return _member_active_set(actor=actor, member_id=member_id, active=True)


def _member_active_set(*, actor: Actor, member_id: int, active: bool) -> Member:
    actor_require(actor)
    member = _member_get(member_id)
    if not member_can_set_member_active(actor, member):
        raise member_refusal(actor)
    return member_update(actor=actor, member_id=member_id, is_active=active)


def member_role_change(*, actor: Actor, member_id: int, role: str) -> Member:
    """Give a member another role (the secretariat, never for themselves). ``is_staff``
    follows; 409 ``last_secretariat`` when it would leave the alliance without one."""
    actor_require(actor)
    member = _member_get(member_id)
    if not member_can_change_role(actor, member):
        raise member_refusal(actor)
    if role not in MemberRole.values:
        raise ValidationFailed("invalid", fields={"role": ["invalid_choice"]})
    return member_update(actor=actor, member_id=member_id, role=role)
