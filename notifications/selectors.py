"""Reads of the inbox and of subscription credits, always scoped to one member."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from alliance.access import member_can_decide_booking
from alliance.models import Member, MemberRole
from notifications.messages import configured_template_ids
from notifications.models import Notification, SubscriptionCredit

if TYPE_CHECKING:
    from bookings.models import Booking


def notification_list_for_member(*, member: Member) -> QuerySet[Notification]:
    """The member's own notifications: unread first, then newest first."""
    return (
        Notification.objects.filter(member=member)
        .annotate(
            unread=Case(
                When(read_at__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-unread", "-created_at", "-pk")
    )


def notification_unread_count(*, member: Member) -> int:
    """The mini-program's badge: the member's unread notifications."""
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def subscription_credits_for_member(*, member: Member) -> list[dict]:
    """Each configured template with its events and the member's remaining credits, so the
    mini-program knows which templates to ask for again."""
    templates = configured_template_ids()
    credits = dict(
        SubscriptionCredit.objects.filter(
            member=member, template_id__in=list(templates)
        ).values_list("template_id", "credits")
    )
    return [
        {"template_id": template_id, "events": events, "credits": credits.get(template_id, 0)}
        for template_id, events in sorted(templates.items())
    ]


def booking_deciders_get(*, booking: Booking) -> list[Member]:
    """Who may approve or reject the booking (alliance.access decides), except its booker."""
    candidates = (
        Member.objects.filter(is_active=True)
        .filter(
            Q(role=MemberRole.SECRETARIAT)
            | Q(role=MemberRole.UNIT_MANAGER, unit_id=booking.resource.unit_id)
        )
        .exclude(pk=booking.member_id)
        .select_related("unit")  # whether each decider's unit is active: alliance.access asks
        .order_by("pk")
    )
    return [member for member in candidates if member_can_decide_booking(member, booking)]
