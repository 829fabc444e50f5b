"""The back office's booking list in a real browser at 1400 px: every column, the status
included, fits beside the filters without scrolling sideways."""

import pytest
from selenium.webdriver.common.by import By

from alliance.models import MemberRole
from bookings.models import BookingStatus
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    MemberFactory,
    ResourceFactory,
    UnitFactory,
    UserFactory,
)
from tests.web.browser import browser_sign_in, new_driver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wide_browser():
    driver = new_driver((1400, 900))
    yield driver
    driver.quit()


def test_the_status_column_is_on_screen_at_1400_pixels(wide_browser, live_server):
    office = UnitFactory(name="光明区委组织部")
    secretariat = MemberFactory(
        user=UserFactory(is_staff=True), unit=office, role=MemberRole.SECRETARIAT
    )
    resource = ResourceFactory(name="光明科学城党建联合体主阵地·多功能厅（大会议室）")
    booker = MemberFactory(name="欧阳晓明", unit=UnitFactory(name="中国科学院深圳先进技术研究院"))
    for day in range(1, 6):
        BookingFactory(
            resource=resource,
            member=booker,
            start=local(2026, 12, day, 9),
            end=local(2026, 12, day, 12),
            purpose="新党员入党宣誓暨“院士进光明”系列讲座与青年科研人员交流沙龙",
            status=BookingStatus.PENDING,
        )
    browser_sign_in(wide_browser, live_server.url, secretariat.user)
    wide_browser.get(live_server.url + "/admin/bookings/booking/")
    status = wide_browser.find_element(By.CSS_SELECTOR, "#result_list th.column-coloured_status")
    results = wide_browser.find_element(By.CSS_SELECTOR, ".results")
    overflow = wide_browser.execute_script(
        "return arguments[0].scrollWidth - arguments[0].clientWidth", results
    )
    assert overflow <= 0, "the booking list scrolls sideways"
    viewport = wide_browser.execute_script("return document.documentElement.clientWidth")
    assert status.rect["x"] + status.rect["width"] <= viewport
