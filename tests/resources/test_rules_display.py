"""Specification of resources.rules_display: the booking rules in plain words, the one
wording the API, the web pages and the back office share."""

import pytest
from django.utils import translation

from resources.models import Resource
from resources.rules_display import duration_text, rules_display, rules_display_text


def in_language(language, function, *args):
    with translation.override(language):
        return function(*args)


@pytest.mark.parametrize(
    ("minutes", "english", "chinese"),
    [
        (0, "0 minutes", "0 分钟"),
        (1, "1 minute", "1 分钟"),
        (30, "30 minutes", "30 分钟"),
        (60, "1 hour", "1 小时"),
        (90, "1 hour 30 minutes", "1 小时 30 分钟"),
        (120, "2 hours", "2 小时"),
        (24 * 60, "1 day", "1 天"),
        (3 * 24 * 60, "3 days", "3 天"),
        (24 * 60 + 60, "1 day 1 hour", "1 天 1 小时"),
        (2 * 24 * 60 + 5, "2 days 5 minutes", "2 天 5 分钟"),
    ],
)
def test_durations_read_in_days_hours_and_minutes(minutes, english, chinese):
    assert in_language("en", duration_text, minutes) == english
    assert in_language("zh-hans", duration_text, minutes) == chinese


def resource(**rules):
    values = {
        "capacity": 1,
        "slot_minutes": 30,
        "min_duration_minutes": 30,
        "max_duration_minutes": 240,
        "min_notice_minutes": 60,
        "max_days_ahead": 3,
        "buffer_minutes": 0,
        "requires_approval": True,
        "requires_checkin": True,
    }
    return Resource(**{**values, **rules})  # never saved: the wording reads fields only


def texts(language, res):
    return {line.rule: line.text for line in in_language(language, rules_display, res)}


def test_the_rules_read_as_chinese_sentences():
    assert texts("zh-hans", resource()) == {
        "max_days_ahead": "最多提前 3 天预约",
        "min_notice_minutes": "至少提前 1 小时",
        "duration": "每次 30 分钟至 4 小时",
        "slot_minutes": "以 30 分钟为单位预约",
        "capacity": "最多 1 人",
        "requires_approval": "需审批",
        "requires_checkin": "需扫码签到",
    }


def test_the_rules_read_as_english_sentences_with_singular_and_plural():
    assert texts("en", resource(max_days_ahead=1, capacity=1)) == {
        "max_days_ahead": "Book up to 1 day ahead",
        "min_notice_minutes": "At least 1 hour ahead",
        "duration": "30 minutes to 4 hours per booking",
        "slot_minutes": "Booked in steps of 30 minutes",
        "capacity": "Up to 1 person",
        "requires_approval": "Requires approval",
        "requires_checkin": "Check in by scanning the QR code",
    }
    assert texts("en", resource(max_days_ahead=30, capacity=12))["capacity"] == "Up to 12 people"
    assert texts("en", resource(max_days_ahead=30))["max_days_ahead"] == "Book up to 30 days ahead"


def test_optional_rules_appear_only_when_they_apply():
    relaxed = texts(
        "en",
        resource(
            min_notice_minutes=0,
            min_duration_minutes=120,
            max_duration_minutes=120,
            buffer_minutes=30,
            requires_approval=False,
            requires_checkin=False,
        ),
    )

    assert relaxed["min_notice_minutes"] == "No notice needed"
    assert relaxed["duration"] == "2 hours per booking"
    assert relaxed["buffer_minutes"] == "30 minutes kept free after each booking"
    assert relaxed["requires_approval"] == "No approval needed"
    assert relaxed["requires_checkin"] == "No check-in needed"
    assert "buffer_minutes" not in texts("en", resource())


def test_notice_of_days_reads_in_days():
    assert (
        texts("zh-hans", resource(min_notice_minutes=3 * 24 * 60, max_days_ahead=60))[
            "min_notice_minutes"
        ]
        == "至少提前 3 天"
    )


def test_the_back_office_line_joins_the_sentences():
    line = in_language("zh-hans", rules_display_text, resource())

    assert line.startswith("最多提前 3 天预约；至少提前 1 小时；")
