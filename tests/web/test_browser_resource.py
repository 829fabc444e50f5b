"""A resource's page in a real browser, on a desktop and on a phone: a signed-in researcher
taps a free slot and gets a booking; when someone else took the slot first, the tap meets
the conflict, and one tap on an alternative books that instead."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from resources.selectors import alliance_zone
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

ALL_DAY = [(d, "00:00", "00:00") for d in range(7)]
WAIT = 15


def sign_in(driver, live_server, member):
    """Force a session for ``member`` and hand its cookie to the browser."""
    client = Client()
    client.force_login(member.user)
    driver.get(live_server.url + "/no-such-page/")  # any page of the site, to own its cookies
    driver.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "path": "/",
        }
    )


def open_page(driver, live_server, resource):
    driver.get(f"{live_server.url}/r/{resource.pk}/")
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return !!window.htmx && document.readyState === 'complete'")
    )


def tap(driver, element):
    """Bring ``element`` to the middle of the screen (clear of the tab bar) and tap it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    WebDriverWait(driver, WAIT).until(EC.element_to_be_clickable(element))
    element.click()


def wait_for(driver, selector):
    return WebDriverWait(driver, WAIT).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, selector))
    )


def first_free_slot(driver):
    """The first free cell's button and the local start it books."""
    button = driver.find_element(By.CSS_SELECTOR, "td[data-state=free] button")
    start = button.get_attribute("hx-get").split("start=")[1]
    return button, dt.datetime.fromisoformat(start).replace(tzinfo=alliance_zone())


def book_in_the_form(driver, purpose="样品测试"):
    wait_for(driver, "[data-testid=book-form]")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=purpose]").send_keys(purpose)
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=confirm-booking]"))


@pytest.fixture
def researcher():
    return MemberFactory(name="王研究员")


@pytest.fixture
def instrument():
    return ResourceFactory(name="质谱仪", hours=ALL_DAY, requires_approval=False)


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_researcher_taps_a_free_slot_and_gets_a_booking(
    request, live_server, fixture, researcher, instrument
):
    driver = request.getfixturevalue(fixture)
    sign_in(driver, live_server, researcher)
    open_page(driver, live_server, instrument)
    # Readable on a phone: the grid scrolls inside itself, never the page sideways.
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    button, start = first_free_slot(driver)
    tap(driver, button)
    book_in_the_form(driver)
    booked = wait_for(driver, "[data-testid=booked]")
    assert "预约成功" in booked.text
    assert (
        wait_for(driver, "[data-testid=my-bookings-link]")
        .get_attribute("href")
        .endswith("/bookings/")
    )
    booking = Booking.objects.get()
    assert (booking.member, booking.start) == (researcher, start)
    assert booking.status == BookingStatus.APPROVED
    # The week behind the sheet was refreshed: the slot is now the researcher's own.
    local = start.strftime("%Y-%m-%dT%H:%M")
    WebDriverWait(driver, WAIT).until(
        lambda d: (
            d.find_element(By.CSS_SELECTOR, f'td[data-start="{local}"]').get_attribute("data-state")
            == "own"
        )
    )


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_slot_taken_meanwhile_meets_a_conflict_and_an_alternative_is_one_tap(
    request, live_server, fixture, researcher, instrument
):
    driver = request.getfixturevalue(fixture)
    sign_in(driver, live_server, researcher)
    open_page(driver, live_server, instrument)
    button, start = first_free_slot(driver)
    rival = MemberFactory(unit=researcher.unit, name="赵竞争")
    booking_create(
        member=rival,
        resource_id=instrument.pk,
        start=start,
        end=start + dt.timedelta(minutes=instrument.min_duration_minutes),
        purpose="抢先一步",
    )
    tap(driver, button)
    book_in_the_form(driver)
    conflict = wait_for(driver, "[data-testid=conflict]")
    assert "该资源此时段已被预约。" in conflict.text
    assert "赵竞争" not in driver.page_source
    alternatives = driver.find_elements(By.CSS_SELECTOR, "[data-testid=alternative]")
    assert alternatives
    chosen = alternatives[0].get_attribute("data-start")
    tap(driver, alternatives[0])
    wait_for(driver, "[data-testid=booked]")
    mine = Booking.objects.get(member=researcher)
    assert mine.start == dt.datetime.fromisoformat(chosen).replace(tzinfo=alliance_zone())
    assert mine.purpose == "样品测试"
    assert Booking.objects.count() == 2


def test_the_next_week_comes_without_reloading_the_page(live_server, phone_browser, instrument):
    driver = phone_browser
    open_page(driver, live_server, instrument)
    driver.execute_script("window.samePage = true")
    before = driver.find_element(By.CSS_SELECTOR, "[data-testid=week-range]").text
    first_day = driver.find_element(By.CSS_SELECTOR, "thead th[data-date]").get_attribute(
        "data-date"
    )
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=next-week]"))
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=week-range]").text != before
    )
    assert driver.execute_script("return window.samePage") is True
    shown = driver.find_element(By.CSS_SELECTOR, "thead th[data-date]").get_attribute("data-date")
    assert dt.date.fromisoformat(shown) == dt.date.fromisoformat(first_day) + dt.timedelta(days=7)
    assert driver.current_url.endswith(f"?from={shown}")
    # A visitor's free time leads to sign-in.
    link = driver.find_element(By.CSS_SELECTOR, "td[data-state=free] a")
    assert "/sign-in/?next=" in link.get_attribute("href")
