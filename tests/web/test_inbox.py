"""The inbox: the member's own notices, unread first, marked read one by one or all at once
(htmx), each linking to its booking, in a constant number of queries."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def a_booking(member):
    return BookingFactory(member=member, start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))


def notice(member, title, *, read=False, booking=None, kind=Notification.Kind.APPROVED):
    return Notification.objects.create(
        member=member,
        kind=kind,
        title=title,
        body=f"{title}的内容",
        booking=booking,
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def member():
    return MemberFactory()


def test_the_inbox_lists_own_notices_unread_first_with_a_link_to_the_booking(member):
    booking = a_booking(member)
    old_read = notice(member, "已读通知", read=True)
    unread = notice(member, "未读通知", booking=booking, kind=Notification.Kind.REMINDER)
    notice(MemberFactory(), "别人的通知")

    html = signed_in(member).get(reverse("web:inbox")).text

    assert html.index("未读通知") < html.index("已读通知")
    assert "别人的通知" not in html
    assert reverse("web:booking", args=[booking.pk]) in html
    assert f'data-testid="read-{unread.pk}"' in html
    assert f'data-testid="read-{old_read.pk}"' not in html
    assert 'data-testid="unread-badge">1<' in html


def test_marking_one_read_with_htmx_swaps_the_notice(member):
    item = notice(member, "未读通知")

    response = signed_in(member).post(reverse("web:inbox-read", args=[item.pk]), **HTMX)

    assert response.status_code == 200
    assert f'id="notification-{item.pk}"' in response.text
    assert 'data-testid="read-' not in response.text
    item.refresh_from_db()
    assert item.read_at is not None


def test_another_members_notice_cannot_be_marked(member):
    theirs = notice(MemberFactory(), "别人的通知")

    response = signed_in(member).post(reverse("web:inbox-read", args=[theirs.pk]), **HTMX)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_reloads_the_inbox_and_leaves_others_alone(member):
    mine = [notice(member, f"通知{i}") for i in range(3)]
    theirs = notice(MemberFactory(), "别人的通知")
    client = signed_in(member)

    response = client.post(reverse("web:inbox-read-all"), **HTMX)

    assert response.status_code == 200
    assert reverse("web:inbox") in response["HX-Location"]
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "unread-badge" not in client.get(reverse("web:inbox")).text


def test_marking_is_post_only(member):
    item = notice(member, "未读通知")
    client = signed_in(member)

    assert client.get(reverse("web:inbox-read", args=[item.pk])).status_code == 405
    assert client.get(reverse("web:inbox-read-all")).status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_the_inbox_reads_a_constant_number_of_queries(member, django_assert_num_queries):
    client = signed_in(member)
    client.get(reverse("web:inbox"))
    for i in range(2):
        notice(member, f"通知{i}", booking=a_booking(member))
    with django_assert_num_queries(6):
        client.get(reverse("web:inbox"))
    for i in range(15):
        notice(member, f"更多{i}", read=i % 2 == 0, booking=a_booking(member))
    with django_assert_num_queries(6):
        client.get(reverse("web:inbox"))
