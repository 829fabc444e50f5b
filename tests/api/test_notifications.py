"""The notification endpoints: the inbox, the unread badge and WeChat subscription credits."""

import pytest
from django.db import transaction

from alliance.actors import SYSTEM
from notifications.models import Notification, SubscriptionCredit
from notifications.services import booking_notify
from tests.api.helpers import api_client
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, MemberFactory
from tests.notifications.conftest import TEMPLATES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BASE = "/api/v1/notifications/"
ENDPOINTS = [
    ("get", BASE),
    ("post", f"{BASE}1/read/"),
    ("post", f"{BASE}read-all/"),
    ("get", f"{BASE}unread-count/"),
    ("get", f"{BASE}subscriptions/"),
    ("post", f"{BASE}subscriptions/"),
]


@pytest.fixture(autouse=True)
def _templates(settings):
    for event, template_id in TEMPLATES.items():
        setattr(settings, f"WECHAT_TEMPLATE_BOOKING_{event.upper()}", template_id)
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def member():
    return MemberFactory(name="李明", wechat_openid="o-li-ming")


def inbox_entry(member, title="提醒", created_at=FROZEN_NOW, read_at=None):
    return Notification.objects.create(
        member=member,
        kind="reminder",
        title=title,
        body="…",
        created_at=created_at,
        read_at=read_at,
    )


# --- Who may call -------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_must_sign_in(method, url):
    answer = getattr(api_client(), method)(url, format="json")

    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_unbound_wechat_users_have_no_inbox(method, url):
    answer = getattr(api_client(openid="o-not-yet-bound"), method)(url, format="json")

    assert answer.status_code == 403
    assert answer.json()["code"] == "not_bound"


# --- The inbox ----------------------------------------------------------------------------


def test_a_booking_decision_reaches_the_bookers_inbox(member):
    booking = BookingFactory(
        member=member,
        resource__name="冷冻电镜",
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
    )
    with transaction.atomic():
        booking_notify(booking=booking, event="approved", actor=SYSTEM)

    answer = api_client(member).get(BASE)

    assert answer.status_code == 200
    assert answer.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": Notification.objects.get().pk,
                "kind": "approved",
                "title": "Booking approved",
                "body": "Your booking of 冷冻电镜 for 2026-11-24 09:00–10:00 is approved.",
                "booking": booking.pk,
                "qualification": None,
                "created_at": "2026-11-23T08:00:00+08:00",
                "read_at": None,
                "is_read": False,
            }
        ],
    }


def test_the_inbox_shows_unread_first_then_newest_and_only_ones_own(
    member, django_assert_max_num_queries
):
    inbox_entry(member, "old unread", created_at=local(2026, 11, 20, 9))
    inbox_entry(member, "new read", created_at=local(2026, 11, 22, 9), read_at=FROZEN_NOW)
    inbox_entry(member, "new unread", created_at=local(2026, 11, 21, 9))
    inbox_entry(MemberFactory(), "someone else's")
    client = api_client(member)

    with django_assert_max_num_queries(4):
        answer = client.get(BASE)

    assert [n["title"] for n in answer.json()["results"]] == [
        "new unread",
        "old unread",
        "new read",
    ]
    assert answer.json()["results"][2]["read_at"] == "2026-11-23T08:00:00+08:00"


def test_the_inbox_is_paginated(member):
    for hour in range(8, 20):
        inbox_entry(member, f"{hour}", created_at=local(2026, 11, 20, hour))
        inbox_entry(member, f"{hour}:30", created_at=local(2026, 11, 20, hour, 30))

    first = api_client(member).get(BASE).json()
    second = api_client(member).get(BASE, {"page": 2}).json()

    assert first["count"] == 24
    assert len(first["results"]) == 20
    assert first["next"].endswith("/api/v1/notifications/?page=2")
    assert [n["title"] for n in second["results"]] == ["9:30", "9", "8:30", "8"]


def test_reading_a_notification_marks_it_read(member):
    notification = inbox_entry(member)

    answer = api_client(member).post(f"{BASE}{notification.pk}/read/")

    assert answer.status_code == 200
    assert answer.json()["is_read"] is True
    assert answer.json()["read_at"] == "2026-11-23T08:00:00+08:00"
    notification.refresh_from_db()
    assert notification.read_at == FROZEN_NOW


@pytest.mark.parametrize("whose", ["another member's", "unknown", "absurd"])
def test_reading_a_notification_that_is_not_ones_own_is_not_found(member, whose):
    others = inbox_entry(MemberFactory())
    notification_id = {"another member's": others.pk, "unknown": 999_999, "absurd": 10**30}[whose]

    answer = api_client(member).post(f"{BASE}{notification_id}/read/")

    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    others.refresh_from_db()
    assert others.read_at is None


def test_read_all_and_the_badge(member):
    inbox_entry(member)
    inbox_entry(member)
    inbox_entry(member, read_at=local(2026, 11, 22, 9))
    inbox_entry(MemberFactory())
    client = api_client(member)

    assert client.get(f"{BASE}unread-count/").json() == {"unread": 2}
    assert client.post(f"{BASE}read-all/").json() == {"marked": 2}
    assert client.get(f"{BASE}unread-count/").json() == {"unread": 0}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


# --- Subscription credits -----------------------------------------------------------------


def test_accepted_templates_are_counted(member):
    client = api_client(member)

    client.post(
        f"{BASE}subscriptions/",
        {"template_ids": [TEMPLATES["approved"], TEMPLATES["rejected"]]},
        format="json",
    )
    answer = client.post(
        f"{BASE}subscriptions/", {"accepted": [TEMPLATES["approved"]]}, format="json"
    )

    assert answer.status_code == 200
    credits = {t["template_id"]: (t["events"], t["credits"]) for t in answer.json()["templates"]}
    assert credits[TEMPLATES["approved"]] == (["approved", "booked_for", "waitlist_offered"], 2)
    assert credits[TEMPLATES["rejected"]] == (["rejected"], 1)
    assert credits[TEMPLATES["reminder"]] == (["reminder"], 0)
    assert client.get(f"{BASE}subscriptions/").json() == answer.json()
    assert dict(SubscriptionCredit.objects.values_list("template_id", "credits")) == {
        TEMPLATES["approved"]: 2,
        TEMPLATES["rejected"]: 1,
    }


def test_an_empty_report_counts_nothing(member):
    answer = api_client(member).post(f"{BASE}subscriptions/", {"accepted": []}, format="json")

    assert answer.status_code == 200
    assert not SubscriptionCredit.objects.exists()


def test_a_template_the_alliance_does_not_use_is_refused(member):
    answer = api_client(member).post(
        f"{BASE}subscriptions/",
        {"template_ids": [TEMPLATES["approved"], "tpl-of-another-app"]},
        format="json",
        headers={"Accept-Language": "en"},
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "unknown_template"
    assert answer.json()["message"] == (
        "The alliance sends no messages with template tpl-of-another-app."
    )
    assert answer.json()["fields"]["template_ids"][0]["code"] == "unknown_template"
    assert not SubscriptionCredit.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"template_ids": TEMPLATES["approved"]},
        {"template_ids": [["nested"]]},
        {"template_ids": ["x" * 129]},
        {"template_ids": [f"tpl-{n}" for n in range(21)]},
    ],
    ids=["empty", "not-a-list", "nested", "too-long", "too-many"],
)
def test_malformed_reports_are_refused(member, body):
    answer = api_client(member).post(f"{BASE}subscriptions/", body, format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert "template_ids" in answer.json()["fields"]
    assert not SubscriptionCredit.objects.exists()


def test_a_report_under_a_wrong_key_is_refused_naming_the_key(member):
    body = {"templates": [TEMPLATES["approved"]]}

    answer = api_client(member).post(f"{BASE}subscriptions/", body, format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "unknown_field"
    assert list(answer.json()["fields"]) == ["templates"]
    assert not SubscriptionCredit.objects.exists()


def test_a_report_that_is_not_json_is_refused(member):
    answer = api_client(member).post(
        f"{BASE}subscriptions/", "{not json", content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "parse_error"
