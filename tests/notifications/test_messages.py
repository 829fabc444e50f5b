"""WeChat template data fits WeChat's limits; inbox texts stay short."""

import pytest

from notifications.messages import wechat_data, wechat_time, wechat_value
from tests.conftest import local

pytestmark = pytest.mark.django_db


def test_times_are_written_in_wechats_style_in_the_alliances_zone():
    assert wechat_time(local(2026, 11, 23, 9)) == "2026年11月23日 09:00"
    assert wechat_value("time2", local(2026, 1, 5, 18, 30)) == "2026年1月5日 18:30"


@pytest.mark.parametrize(
    ("keyword", "value", "expected"),
    [
        (
            "thing1",
            "国家超级计算深圳中心高性能计算平台预约使用",
            "国家超级计算深圳中心高性能计算平台预约…",
        ),
        ("thing4", "短", "短"),
        ("thing4", "  两行\n文字  ", "两行 文字"),
        ("thing4", "", "-"),
        ("thing4", None, "-"),
        ("phrase3", "审批未通过了", "审批未通…"),
        ("character_string5", "B-2026-" + "9" * 40, "B-2026-" + "9" * 25),
        ("character_string5", "编号12345", "12345"),
        ("number6", "共12人", "12"),
        ("name7", "欧阳诸葛长风大将军元帅", "欧阳诸葛长风大将军…"),
        ("unknown8", "不限长度" * 10, "不限长度" * 10),
    ],
)
def test_values_are_cut_cleanly_to_wechats_limits(keyword, value, expected):
    assert wechat_value(keyword, value) == expected


def test_a_template_layout_from_the_settings_is_followed(booking, settings):
    settings.WECHAT_TEMPLATE_FIELDS = {
        "rejected": {
            "character_string1": "booking_id",
            "thing2": "resource",
            "time3": "start",
            "time4": "end",
            "thing5": "reason",
            "thing6": "unit",
        }
    }
    data = wechat_data(
        event="rejected", booking=booking, actor=None, reason="当天设备需要校准维护请改约"
    )

    assert data == {
        "character_string1": {"value": str(booking.pk)},
        "thing2": {"value": "冷冻电镜"},
        "time3": {"value": "2026年11月24日 09:00"},
        "time4": {"value": "2026年11月24日 10:00"},
        "thing5": {"value": "当天设备需要校准维护请改约"},
        "thing6": {"value": "湾实验室"},
    }
