"""The frame in a real browser: WeUI's styles apply (so the static files load), on a phone and
on a desktop, with Chinese text rendered."""

import pytest
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_the_home_page_is_styled_by_weui_in_a_real_browser(request, live_server, fixture):
    driver = request.getfixturevalue(fixture)
    driver.get(live_server.url + "/")
    tabbar = driver.find_element(By.CSS_SELECTOR, ".weui-tabbar")
    # weui.min.css makes the tab bar a flex box; unstyled it would be a block.
    assert tabbar.value_of_css_property("display") == "flex"
    assert tabbar.value_of_css_property("position") == "fixed"
    width = driver.execute_script("return document.documentElement.clientWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, "the page scrolls sideways"
    assert driver.execute_script("return typeof htmx") == "object"
