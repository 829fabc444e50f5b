"""Telling people about a usage session's power control: the member and the resource's
managers learn at once when the relay failed, so that nobody waits at a dark instrument."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from alliance.models import Member, MemberRole
from bookings.usage_models import InterlockAction, UsageSession
from notifications.models import NotificationKind
from notifications.services import members_notify


def session_managers_get(*, resource_unit_id: int) -> list[Member]:
    """The active unit managers of the resource's unit (the secretariat when it has none)."""
    managers = list(
        Member.objects.filter(
            is_active=True, role=MemberRole.UNIT_MANAGER, unit_id=resource_unit_id
        ).order_by("pk")
    )
    if managers:
        return managers
    return list(Member.objects.filter(is_active=True, role=MemberRole.SECRETARIAT).order_by("pk"))


def interlock_failure_notify(
    *, session: UsageSession, action: str, error: str, now: dt.datetime
) -> None:
    recipients = {session.member_id: session.member}
    for manager in session_managers_get(resource_unit_id=session.resource.unit_id):
        recipients.setdefault(manager.pk, manager)

    def text() -> tuple[str, str]:
        """In each recipient's language (notifications.services.members_notify)."""
        if action == InterlockAction.UNLOCK:
            title = _("Power-on failed")
            body = _(
                "The session on %(resource)s is recorded, but its power could not be switched "
                "on (%(error)s). Please ask the instrument's managers."
            )
        else:
            title = _("Power-off failed")
            body = _(
                "The session on %(resource)s is stopped, but its power could not be switched "
                "off (%(error)s). The managers should switch it off by hand."
            )
        return title, body % {"resource": session.resource.name, "error": error}

    members_notify(
        members=list(recipients.values()),
        kind=NotificationKind.POWER_FAILED,
        text=text,
        now=now,
    )
