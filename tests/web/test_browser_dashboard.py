"""The staff dashboard in a real browser (issue 11): its four charts are drawn by ECharts
(each container holds a canvas and its chart has series), at a desktop's and a phone's
size, and changing a filter redraws them for the new figures without a page load."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from alliance.models import MemberRole
from bookings.models import UsageSession
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory
from tests.web.browser import DESKTOP, browser_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 15
CHARTS = ("heatmap", "balance", "trend", "instruments")
QUERY = "?from=2026-01-01&to=2026-11-22"

#: For each chart container: whether ECharts drew it (a canvas inside, an instance with
#: series) and how many series its option has.
DRAWN = """
return Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var chart = window.echarts && window.echarts.getInstanceByDom(el);
  var option = chart ? chart.getOption() : null;
  return {
    key: el.dataset.testid,
    canvas: el.querySelectorAll('canvas, svg').length > 0,
    series: option ? option.series.length : 0,
    points: option ? option.series.reduce(function (n, s) { return n + s.data.length; }, 0) : 0,
    width: el.getBoundingClientRect().width,
  };
});
"""


@pytest.fixture
def secretariat():
    """Use of two units' instruments in 2026, so that every chart has something to draw."""
    unit_a = UnitFactory(name="深圳湾实验室")
    unit_b = UnitFactory(name="光明实验室")
    microscope = ResourceFactory(name="冷冻电镜", unit=unit_a)
    spectrometer = ResourceFactory(name="质谱仪", unit=unit_b)
    for day, resource, member in (
        (local(2026, 3, 2, 10), microscope, MemberFactory(unit=unit_b)),
        (local(2026, 6, 9, 14), spectrometer, MemberFactory(unit=unit_a)),
        (local(2026, 9, 15, 9), microscope, MemberFactory(unit=unit_a)),
    ):
        UsageSession.objects.create(
            resource=resource,
            member=member,
            started_at=day,
            stopped_at=day + dt.timedelta(hours=3),
            source="qr_scan",
        )
    return MemberFactory(name="秘书处", unit=unit_a, role=MemberRole.SECRETARIAT)


def charts_drawn(driver) -> list[dict] | bool:
    charts = driver.execute_script(DRAWN)
    done = len(charts) == len(CHARTS) and all(c["canvas"] and c["series"] for c in charts)
    return charts if done else False


def open_dashboard(driver, live_server, member) -> list[dict]:
    browser_sign_in(driver, live_server.url, member.user)
    driver.get(f"{live_server.url}/staff/dashboard/{QUERY}")
    return WebDriverWait(driver, WAIT).until(charts_drawn)


def test_the_dashboard_draws_its_charts_on_a_desktop(browser, live_server, secretariat):
    charts = open_dashboard(browser, live_server, secretariat)
    assert [c["key"] for c in charts] == [f"chart-{key}" for key in CHARTS]
    assert all(c["points"] > 0 for c in charts)
    for key in CHARTS:  # each chart's table is on the page too
        assert browser.find_element(By.CSS_SELECTOR, f'[data-testid="table-{key}"]')


def test_the_dashboard_draws_its_charts_on_a_phone(phone_browser, live_server, secretariat):
    charts = open_dashboard(phone_browser, live_server, secretariat)
    # Headless Chromium keeps a window at least 500 pixels wide; the page's own width counts.
    width = phone_browser.execute_script("return document.documentElement.clientWidth")
    assert width < DESKTOP[0] / 2
    assert all(0 < c["width"] <= width for c in charts)  # each chart fits the screen
    # The 26-column heat map table scrolls inside its own box, not the page.
    assert phone_browser.execute_script("return document.documentElement.scrollWidth") <= width


def test_a_filter_redraws_the_charts_in_place(browser, live_server, secretariat):
    open_dashboard(browser, live_server, secretariat)
    browser.execute_script("document.body.dataset.marker = 'same-page'")
    Select(browser.find_element(By.CSS_SELECTOR, '[data-testid="dashboard-kind"]')).select_by_value(
        "venue"
    )
    browser.find_element(By.CSS_SELECTOR, '[data-testid="dashboard-apply"]').click()
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: "kind=venue" in d.current_url)
    charts = wait.until(charts_drawn)
    instruments = next(c for c in charts if c["key"] == "chart-instruments")
    assert instruments["points"] == 0  # no instruments among venues
    assert browser.execute_script("return document.body.dataset.marker") == "same-page"
