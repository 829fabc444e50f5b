"""The approval queue in a real browser: a unit manager approves one pending booking and
rejects another with a reason from the staff area; the researcher who asked then finds both
decisions, and the reason, in their own bookings."""

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from alliance.models import MemberRole
from bookings.models import Booking, BookingStatus
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.web.browser import browser_sign_in, tap

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10


def by_testid(value: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{value}"]')


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_manager_approves_and_rejects_from_the_queue_and_the_researcher_sees_it(
    request, live_server, fixture
):
    browser = request.getfixturevalue(fixture)
    resource = ResourceFactory(name="冷冻电镜", requires_approval=True)
    manager = MemberFactory(name="王管理员", unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    researcher = MemberFactory(name="李研究员")
    tomorrow = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    approve_me, reject_me = (
        BookingFactory(
            resource=resource,
            member=researcher,
            start=tomorrow + dt.timedelta(hours=hours),
            end=tomorrow + dt.timedelta(hours=hours + 1),
            status=BookingStatus.PENDING,
        )
        for hours in (0, 3)
    )
    wait = WebDriverWait(browser, WAIT)

    browser_sign_in(browser, live_server.url, manager.user)
    browser.get(live_server.url + "/me/")
    badge = wait.until(ec.visibility_of_element_located(by_testid("pending-decisions-badge")))
    assert badge.text == "2"
    tap(browser, browser.find_element(*by_testid("staff-approvals-link")))

    wait.until(ec.element_to_be_clickable(by_testid(f"pending-{approve_me.pk}"))).click()
    assert browser.find_element(*by_testid(f"select-{approve_me.pk}")).is_selected()
    browser.find_element(*by_testid("approve-selected")).click()
    done = wait.until(ec.visibility_of_element_located(by_testid(f"outcome-{approve_me.pk}")))
    assert "已批准" in done.text
    wait.until(ec.text_to_be_present_in_element(by_testid("pending-decisions-badge"), "1"))

    width = browser.execute_script("return document.documentElement.clientWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    row = wait.until(ec.element_to_be_clickable(by_testid(f"pending-{reject_me.pk}")))
    assert not browser.find_elements(*by_testid(f"pending-{approve_me.pk}"))
    row.click()
    browser.find_element(*by_testid("decision-reason")).send_keys("设备年检")
    browser.find_element(*by_testid("reject-selected")).click()
    done = wait.until(ec.visibility_of_element_located(by_testid(f"outcome-{reject_me.pk}")))
    assert "已驳回" in done.text
    wait.until(ec.visibility_of_element_located(by_testid("queue-empty")))
    assert not browser.find_elements(*by_testid("pending-decisions-badge"))
    assert Booking.objects.get(pk=approve_me.pk).status == BookingStatus.APPROVED
    assert Booking.objects.get(pk=reject_me.pk).status == BookingStatus.REJECTED

    browser.delete_all_cookies()
    browser_sign_in(browser, live_server.url, researcher.user)
    browser.get(live_server.url + "/bookings/")
    approved = wait.until(ec.visibility_of_element_located(by_testid(f"booking-{approve_me.pk}")))
    assert "已批准" in approved.text
    rejected = browser.find_element(*by_testid(f"booking-{reject_me.pk}"))
    assert "已驳回" in rejected.text
    assert "设备年检" in rejected.text
