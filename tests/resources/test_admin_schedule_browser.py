"""The back office's schedule in a real browser: each hour's label sits on its hour line.

The labels once used a smaller font whose ``em`` made every axis row shorter than the day
columns' hour rows, so that 17:00 was printed beside the 15:00 line by the end of the day."""

import pytest
from selenium.webdriver.common.by import By

from alliance.models import MemberRole
from tests.factories import MemberFactory, ResourceFactory, UnitFactory, UserFactory
from tests.web.browser import DESKTOP, browser_sign_in, new_driver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_browser():
    driver = new_driver((1400, DESKTOP[1]))
    yield driver
    driver.quit()


def test_every_hour_label_lines_up_with_its_hour_row(admin_browser, live_server):
    unit = UnitFactory(name="深圳湾实验室")
    manager = MemberFactory(
        user=UserFactory(is_staff=True), unit=unit, role=MemberRole.UNIT_MANAGER
    )
    resource = ResourceFactory(unit=unit, hours=[(d, "08:00", "20:00") for d in range(5)])
    browser_sign_in(admin_browser, live_server.url, manager.user)
    admin_browser.get(
        f"{live_server.url}/admin/resources/resource/{resource.pk}/schedule/"
        "?view=week&date=2026-11-24"
    )
    labels = admin_browser.find_elements(By.CSS_SELECTOR, ".schedule .axis > div")
    day = admin_browser.find_element(By.CSS_SELECTOR, ".schedule .day")
    assert len(labels) == 12  # 08:00 to 19:00
    assert labels[0].text == "08:00"
    day_top, day_height = day.rect["y"], day.rect["height"]
    hour_height = day_height / len(labels)
    for index, label in enumerate(labels):
        assert abs(label.rect["y"] - (day_top + index * hour_height)) < 1.5, label.text
        assert abs(label.rect["height"] - hour_height) < 1.5, label.text
