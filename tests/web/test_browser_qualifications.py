"""Training in a real browser: a researcher asks for training from an instrument's page, a
manager of the owning unit grants it from the training requests page, and the researcher
can then book the instrument from its week grid."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from alliance.models import MemberRole
from bookings.models import Booking
from resources.models import Qualification, QualificationStatus
from tests.factories import MemberFactory, ResourceFactory
from tests.web.browser import browser_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ALL_DAY = [(d, "00:00", "00:00") for d in range(7)]
WAIT = 15


def open_page(driver, url):
    driver.get(url)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return !!window.htmx && document.readyState === 'complete'")
    )


def tap(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    WebDriverWait(driver, WAIT).until(EC.element_to_be_clickable(element))
    element.click()


def wait_for(driver, selector):
    return WebDriverWait(driver, WAIT).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, selector))
    )


def sign_in_as(driver, live_server, member):
    driver.delete_all_cookies()
    browser_sign_in(driver, live_server.url, member.user)


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_request_training_get_it_granted_then_book(request, live_server, fixture):
    driver = request.getfixturevalue(fixture)
    krios = ResourceFactory(
        name="冷冻电镜", hours=ALL_DAY, requires_approval=False, requires_qualification=True
    )
    researcher = MemberFactory(name="王研究员")
    manager = MemberFactory(unit=krios.unit, role=MemberRole.UNIT_MANAGER, name="张主任")
    page = f"{live_server.url}/r/{krios.pk}/"

    # The researcher may not book yet: the page says why and offers training instead.
    sign_in_as(driver, live_server, researcher)
    open_page(driver, page)
    assert wait_for(driver, "[data-code=not_qualified]")
    assert not driver.find_elements(By.CSS_SELECTOR, "td[data-state=free] button")
    driver.find_element(By.ID, "qualification-note").send_keys("需要采集单颗粒数据")
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=request-training]"))
    wait_for(driver, "[data-testid=qualification][data-status=requested]")
    qualification = Qualification.objects.get()
    assert (qualification.member, qualification.note) == (researcher, "需要采集单颗粒数据")

    # The manager grants it from the training requests page, in place.
    sign_in_as(driver, live_server, manager)
    open_page(driver, f"{live_server.url}/staff/qualifications/")
    row = f"[data-testid=staff-row][data-id='{qualification.pk}']"
    tap(driver, driver.find_element(By.CSS_SELECTOR, f"{row} [data-testid=grant]"))
    wait_for(driver, f"{row}[data-status=granted]")
    qualification.refresh_from_db()
    assert qualification.status == QualificationStatus.GRANTED

    # The researcher now books from the week grid.
    sign_in_as(driver, live_server, researcher)
    open_page(driver, page)
    wait_for(driver, "[data-testid=qualified]")
    tap(driver, driver.find_element(By.CSS_SELECTOR, "td[data-state=free] button"))
    wait_for(driver, "[data-testid=book-form]")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=purpose]").send_keys("单颗粒数据采集")
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=confirm-booking]"))
    wait_for(driver, "[data-testid=booked]")
    assert Booking.objects.get().member == researcher
