"""What the two sides of a qualification are told, in the inbox only.

Called by the qualification services (bookings.qualifications) inside the transaction of
the transition, after it, so that a notice exists exactly when its transition committed.
The member's requests and withdrawals go to the resource's deciders (the secretariat and
the managers of the owning unit); every decision and the jobs' reminders and lapses go to
the member. WeChat subscription messages are not sent for qualifications (yet).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.access import member_can_decide_qualification
from alliance.models import Member, MemberRole
from notifications.messages import (
    BODY_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    recipient_language,
    shorten,
)
from notifications.models import Notification, NotificationKind
from resources.models import Qualification

#: Events told to the deciders; every other one is told to the member.
TO_DECIDERS = (NotificationKind.QUAL_REQUESTED, NotificationKind.QUAL_CANCELLED)


def qualification_deciders_get(*, qualification: Qualification) -> list[Member]:
    """Who may schedule, grant or refuse it (alliance.access decides), except its member."""
    candidates = (
        Member.objects.filter(is_active=True)
        .filter(
            Q(role=MemberRole.SECRETARIAT)
            | Q(role=MemberRole.UNIT_MANAGER, unit_id=qualification.resource.unit_id)
        )
        .exclude(pk=qualification.member_id)
        .select_related("unit")
        .order_by("pk")
    )
    return [m for m in candidates if member_can_decide_qualification(m, qualification)]


def qualification_notify(
    *, qualification: Qualification, event: str, actor: Member | None, reason: str, now
) -> None:
    """Write the inbox entries of ``event`` (a ``qual_*`` NotificationKind) in one INSERT.

    Precondition: inside the transition's transaction (RuntimeError otherwise)."""
    if not connection.in_atomic_block:
        raise RuntimeError("qualification_notify must run inside the qualification's transaction")
    if event in TO_DECIDERS:
        recipients = qualification_deciders_get(qualification=qualification)
    else:
        recipients = [qualification.member]
    rows = []
    for member in recipients:
        title, body = inbox_text(
            event=event,
            qualification=qualification,
            actor=actor,
            reason=reason,
            language=recipient_language(member),
        )
        rows.append(
            Notification(
                member=member,
                kind=event,
                title=title,
                body=body,
                qualification=qualification,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows)


def inbox_text(
    *,
    event: str,
    qualification: Qualification,
    actor: Member | None,
    reason: str,
    language: str,
) -> tuple[str, str]:
    """``(title, body)`` of a qualification event's inbox entry, in ``language``."""
    with translation.override(language):
        values = {
            "resource": qualification.resource.name,
            "member": qualification.member.name,
            "reason": shorten(reason, QUOTE_MAX_LENGTH),
            "note": shorten(qualification.note, QUOTE_MAX_LENGTH),
            "actor": actor.name if actor is not None else "",
            "training_at": (
                f"{timezone.localtime(qualification.training_at):%Y-%m-%d %H:%M}"
                if qualification.training_at
                else ""
            ),
            "place": qualification.training_place,
            "lapses_at": (
                f"{timezone.localtime(qualification.lapses_at):%Y-%m-%d}"
                if qualification.lapses_at
                else ""
            ),
        }
        title = str(NotificationKind(event).label)
        body = _body(event, values) % values
    return shorten(title, TITLE_MAX_LENGTH), shorten(body, BODY_MAX_LENGTH)


def _body(event: str, values: dict[str, str]) -> str:
    if event == NotificationKind.QUAL_REQUESTED:
        if values["note"]:
            return _("%(member)s asks for training on %(resource)s: %(note)s")
        return _("%(member)s asks for training on %(resource)s.")
    if event == NotificationKind.QUAL_CANCELLED:
        return _("%(member)s withdrew their request for training on %(resource)s.")
    if event == NotificationKind.QUAL_SCHEDULED:
        if values["place"]:
            return _("Your training on %(resource)s is at %(training_at)s, %(place)s.")
        return _("Your training on %(resource)s is at %(training_at)s.")
    if event == NotificationKind.QUAL_GRANTED:
        return _("You may now book %(resource)s for your own use.")
    if event == NotificationKind.QUAL_REFUSED:
        return _("Your request for a qualification on %(resource)s was refused: %(reason)s")
    if event == NotificationKind.QUAL_REVOKED:
        return _("Your qualification on %(resource)s was revoked: %(reason)s")
    if event == NotificationKind.QUAL_REMINDER:
        return _(
            "Your qualification on %(resource)s lapses on %(lapses_at)s unless you use the "
            "instrument before then."
        )
    if event == NotificationKind.QUAL_LAPSED:
        return _("Your qualification on %(resource)s has lapsed; ask for training again.")
    raise ValueError(f"unknown qualification event {event!r}")
