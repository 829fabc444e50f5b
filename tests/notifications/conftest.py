"""Fixtures for notifications: configured templates, a booker who uses WeChat, bookings."""

import pytest
from django.core.cache import cache

from alliance.models import MemberRole
from bookings.models import BookingStatus
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory
from tests.wechat_fake import wechat_server  # noqa: F401 - the loopback WeChat fixture

TEMPLATES = {
    "approved": "tpl-approved-0001",
    "rejected": "tpl-rejected-0002",
    "expired": "tpl-expired-0003",
    "cancelled": "tpl-cancelled-0004",
    "reminder": "tpl-reminder-0005",
    "no_show": "tpl-no-show-0006",
}
OPENID = "o-booker-openid-0001"


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    """Every event has a template; texts in English (the source language) so that tests do
    not depend on the state of the zh_Hans catalogue; no delivery on commit."""
    for event, template_id in TEMPLATES.items():
        setattr(settings, f"WECHAT_TEMPLATE_BOOKING_{event.upper()}", template_id)
    settings.WECHAT_TEMPLATE_FIELDS = {}
    settings.WECHAT_MINIPROGRAM_STATE = "trial"
    settings.WECHAT_MESSAGE_PAGE = "pages/booking/detail?id={booking_id}"
    settings.WECHAT_ACCESS_TOKEN_ENDPOINT = "stable_token"
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    settings.NOTIFICATIONS_RETRY_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室", short_name="湾实验室")


@pytest.fixture
def resource(unit):
    return ResourceFactory(unit=unit, name="冷冻电镜", building="A栋201", requires_approval=True)


@pytest.fixture
def booker():
    return MemberFactory(
        name="李明", unit=UnitFactory(name="中山大学", short_name="中大"), wechat_openid=OPENID
    )


@pytest.fixture
def manager(unit):
    return MemberFactory(name="王经理", unit=unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def secretary():
    return MemberFactory(
        name="张秘书",
        unit=UnitFactory(name="光明科学城党建联合体秘书处"),
        role=MemberRole.SECRETARIAT,
    )


@pytest.fixture
def booking(resource, booker):
    """A pending request for Tuesday 09:00–10:00 (the clock is frozen on Monday 08:00)."""
    return BookingFactory(
        resource=resource,
        member=booker,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
        purpose="蛋白质结构解析",
        status=BookingStatus.PENDING,
    )
