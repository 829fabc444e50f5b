"""Inbox order, the unread badge and the credits a member has left."""

import pytest

from notifications.models import Notification, SubscriptionCredit
from notifications.selectors import (
    notification_list_for_member,
    notification_unread_count,
    subscription_credits_for_member,
)
from tests.conftest import local
from tests.factories import MemberFactory
from tests.notifications.conftest import TEMPLATES

pytestmark = pytest.mark.django_db


def inbox_entry(member, title, created_at, read_at=None):
    return Notification.objects.create(
        member=member,
        kind="reminder",
        title=title,
        body="…",
        created_at=created_at,
        read_at=read_at,
    )


def test_the_inbox_lists_unread_first_then_newest_first(booker):
    inbox_entry(booker, "old unread", local(2026, 11, 20, 9))
    inbox_entry(booker, "new read", local(2026, 11, 22, 9), read_at=local(2026, 11, 22, 10))
    inbox_entry(booker, "new unread", local(2026, 11, 21, 9))
    inbox_entry(booker, "old read", local(2026, 11, 19, 9), read_at=local(2026, 11, 23, 7))
    inbox_entry(MemberFactory(), "someone else's", local(2026, 11, 23, 7))

    titles = [n.title for n in notification_list_for_member(member=booker)]

    assert titles == ["new unread", "old unread", "new read", "old read"]


def test_the_badge_counts_the_members_unread_only(booker):
    inbox_entry(booker, "unread", local(2026, 11, 20, 9))
    inbox_entry(booker, "read", local(2026, 11, 20, 9), read_at=local(2026, 11, 21, 9))
    inbox_entry(MemberFactory(), "someone else's", local(2026, 11, 20, 9))

    assert notification_unread_count(member=booker) == 1


def test_credits_are_listed_for_every_configured_template(booker, settings):
    settings.WECHAT_TEMPLATE_BOOKING_EXPIRED = TEMPLATES["rejected"]  # one template, two events
    SubscriptionCredit.objects.create(member=booker, template_id=TEMPLATES["approved"], credits=2)
    SubscriptionCredit.objects.create(member=booker, template_id="tpl-retired", credits=5)

    credits = subscription_credits_for_member(member=booker)

    assert credits == [
        {
            "template_id": TEMPLATES["approved"],
            "events": ["approved", "booked_for", "waitlist_offered"],
            "credits": 2,
        },
        {"template_id": TEMPLATES["cancelled"], "events": ["cancelled"], "credits": 0},
        {"template_id": TEMPLATES["no_show"], "events": ["no_show"], "credits": 0},
        {"template_id": TEMPLATES["rejected"], "events": ["rejected", "expired"], "credits": 0},
        {"template_id": TEMPLATES["reminder"], "events": ["reminder"], "credits": 0},
    ]
