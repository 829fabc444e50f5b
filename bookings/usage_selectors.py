"""Reads of recorded use: a member's sessions, the sessions a manager looks after, and the
running session on an instrument."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from alliance.access import member_acts
from alliance.errors import NotFound
from alliance.models import Member, MemberRole
from bookings.usage_models import UsageSession


def sessions_visible_to(member: Member | None) -> Q:
    """Own sessions; a unit manager's also those of their unit's resources; all for the
    secretariat (the same rule as bookings_visible_to for the resource side)."""
    if not isinstance(member, Member) or not member.is_active:
        return Q(pk__in=[])
    visible = Q(member_id=member.pk)
    if not member_acts(member):
        return visible
    if member.role == MemberRole.SECRETARIAT:
        return Q()
    if member.role == MemberRole.UNIT_MANAGER:
        visible |= Q(resource__unit_id=member.unit_id)
    return visible


def session_list_for_member(
    *, member: Member | None, running: bool | None = None, managed: bool = False
) -> QuerySet[UsageSession]:
    """The sessions ``member`` may see, latest first; ``managed`` keeps those of resources
    the member manages (not their own use), ``running`` those still running (or stopped)."""
    sessions = UsageSession.objects.filter(sessions_visible_to(member))
    if managed:
        if not member_acts(member) or member.role == MemberRole.RESEARCHER:
            return sessions.none()
        if member.role == MemberRole.UNIT_MANAGER:
            sessions = sessions.filter(resource__unit_id=member.unit_id)
    if running is not None:
        sessions = sessions.filter(stopped_at__isnull=running)
    return sessions.select_related("resource", "resource__unit", "member", "operator").order_by(
        "-started_at", "-pk"
    )


def session_get_for_member(*, member: Member | None, session_id: int) -> UsageSession:
    session = session_list_for_member(member=member).filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    return session


def session_running_on(*, resource_id: int) -> UsageSession | None:
    return (
        UsageSession.objects.select_related("member")
        .filter(resource_id=resource_id, stopped_at__isnull=True)
        .first()
    )
