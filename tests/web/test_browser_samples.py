"""A sample order in a real browser (issue 10): a member submits samples from the instrument's
page, and the owning unit's manager accepts the order from the staff queue."""

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from alliance.models import MemberRole
from bookings.models import SampleOrder, SampleStatus
from tests.factories import MemberFactory, ResourceFactory, UnitFactory
from tests.web.test_browser_resource import ALL_DAY, open_page, sign_in, tap, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_submits_samples_and_a_manager_accepts(browser, live_server, settings):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    researcher = MemberFactory(name="王研究员")
    instrument = ResourceFactory(
        name="液相色谱质谱联用仪",
        unit=UnitFactory(name="深圳湾实验室"),
        hours=ALL_DAY,
        offers_samples=True,
        sample_turnaround_days=5,
        sample_instructions="样品请用 2 mL 离心管密封。",
    )
    manager = MemberFactory(unit=instrument.unit, role=MemberRole.UNIT_MANAGER, name="张主任")

    sign_in(browser, live_server, researcher)
    open_page(browser, live_server, instrument)
    tap(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=submit-samples]"))
    assert "离心管" in wait_for(browser, "[data-testid=sample-instructions]").text
    count = browser.find_element(By.CSS_SELECTOR, "[data-testid=sample-count]")
    count.clear()
    count.send_keys("3")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=sample-description]").send_keys(
        "三份多肽样品，测分子量"
    )
    tap(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=sample-submit]"))

    status = wait_for(browser, "[data-testid=sample-status]")
    assert status.get_attribute("data-status") == "submitted"
    order = SampleOrder.objects.get()
    assert (order.requester, order.sample_count) == (researcher, 3)

    browser.delete_all_cookies()
    sign_in(browser, live_server, manager)
    browser.get(f"{live_server.url}/staff/samples/")
    wait_for(browser, f"[data-testid=staff-sample-{order.pk}]")
    tap(browser, browser.find_element(By.CSS_SELECTOR, f"[data-testid=sample-accept-{order.pk}]"))
    wait_for(browser, f"[data-testid=sample-receive-{order.pk}]")

    order.refresh_from_db()
    assert order.status == SampleStatus.ACCEPTED
    assert order.expected_completion == timezone.localdate() + dt.timedelta(days=5)
