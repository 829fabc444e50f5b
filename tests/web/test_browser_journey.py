"""The researcher's journey in a real browser, on a desktop and on a phone: sign in by
scanning (the test plays the mini-program over the API), search by time on ``/``, tap a
result's slot, meet a conflict (another member takes the slot while the sheet is open) and
take an alternative, cancel it from My bookings, and check in by opening the resource's QR
URL for a due booking. Explicit waits only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from alliance.models import SignInChannel
from alliance.tokens import api_token_issue
from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from resources.qr import checkin_path
from resources.selectors import alliance_zone
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.web.test_browser_sign_in import _confirm_over_the_api

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 15


def by_testid(value: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{value}"]')


def tap(driver, element) -> None:
    """Scroll the element to the middle of the screen (clear of the fixed tab bar), tap it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def a_weekday_ahead() -> dt.date:
    """A weekday at least two days ahead: past any notice, open in the factory's hours."""
    day = timezone.localdate(timezone.now(), alliance_zone()) + dt.timedelta(days=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_researcher_signs_in_searches_books_meets_a_conflict_cancels_and_checks_in(
    request, live_server, fixture
):
    driver = request.getfixturevalue(fixture)
    wait = WebDriverWait(driver, WAIT)
    researcher = MemberFactory(name="林研究员")
    rival = MemberFactory(name="周研究员")
    microscope = ResourceFactory(name="冷冻电镜", building="科研楼A栋", room="301")
    _, raw_token = api_token_issue(member=researcher, channel=SignInChannel.WECHAT)

    # Sign in by scanning: the page shows the payload, the "mini-program" confirms it.
    driver.get(f"{live_server.url}/sign-in/?next=/")
    payload = wait.until(ec.presence_of_element_located(by_testid("sign-in-payload")))
    _confirm_over_the_api(live_server.url, raw_token, payload.get_attribute("value"))
    wait.until(ec.url_to_be(f"{live_server.url}/"))
    assert "林研究员" in driver.find_element(By.CSS_SELECTOR, ".app-header__who").text

    # Search by time: a weekday morning, one hour.
    day = a_weekday_ahead()
    form = wait.until(ec.presence_of_element_located(by_testid("search-form")))
    for name, value in (("date", day.isoformat()), ("from", "09:00"), ("to", "12:00")):
        field = form.find_element(*by_testid(name))
        driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            field,
            value,
        )
    assert form.find_element(*by_testid("when-custom")).is_selected()
    tap(driver, form.find_element(By.XPATH, './/input[@data-testid="minutes-60"]/..'))
    tap(driver, form.find_element(*by_testid("search")))
    wait.until(ec.url_contains(f"date={day.isoformat()}"))  # the search is shareable
    slot = wait.until(ec.element_to_be_clickable(by_testid("slot")))
    result = driver.find_element(*by_testid("result"))
    assert "冷冻电镜" in result.text
    wanted = f"{day.isoformat()}T09:00"
    assert slot.get_attribute("data-start") == wanted

    # Tap the first slot: the booking sheet opens with it; meanwhile someone else takes it.
    tap(driver, slot)
    sheet = wait.until(ec.visibility_of_element_located(by_testid("book-form")))
    assert sheet.find_element(By.NAME, "start").get_attribute("value") == wanted
    zone = alliance_zone()
    taken_start = dt.datetime.combine(day, dt.time(9), tzinfo=zone)
    booking_create(
        member=rival,
        resource_id=microscope.pk,
        start=taken_start,
        end=taken_start + dt.timedelta(hours=1),
        purpose="抢先一步",
    )
    sheet.find_element(*by_testid("purpose")).send_keys("蛋白结构解析")
    tap(driver, sheet.find_element(*by_testid("confirm-booking")))

    # The conflict offers alternatives; take the first one.
    conflict = wait.until(ec.visibility_of_element_located(by_testid("conflict")))
    alternative = conflict.find_element(*by_testid("alternative"))
    alternative_start = alternative.get_attribute("data-start")
    assert alternative_start != wanted
    tap(driver, alternative)
    booked = wait.until(ec.visibility_of_element_located(by_testid("booked")))
    assert "冷冻电镜" in booked.text
    mine = Booking.objects.get(member=researcher, resource=microscope)
    assert timezone.localtime(mine.start, zone).strftime("%Y-%m-%dT%H:%M") == alternative_start
    assert mine.purpose == "蛋白结构解析"

    # Cancel it from My bookings.
    tap(driver, booked.find_element(*by_testid("my-bookings-link")))
    tap(driver, wait.until(ec.element_to_be_clickable(by_testid(f"booking-{mine.pk}"))))
    tap(driver, wait.until(ec.element_to_be_clickable(by_testid("cancel-open"))))
    dialog = wait.until(ec.visibility_of_element_located((By.ID, "cancel-dialog")))
    dialog.find_element(*by_testid("cancel-reason")).send_keys("改用其他时段")
    dialog.find_element(*by_testid("cancel-confirm")).click()
    wait.until(ec.text_to_be_present_in_element(by_testid("status"), "已取消"))
    mine.refresh_from_db()
    assert mine.status == BookingStatus.CANCELLED

    # Check in by opening the printed QR code's URL for a booking that is due now.
    now = timezone.now()
    due = BookingFactory(
        resource=microscope,
        member=researcher,
        start=now + dt.timedelta(minutes=5),
        end=now + dt.timedelta(minutes=65),
    )
    driver.get(live_server.url + checkin_path(microscope))
    tap(driver, wait.until(ec.element_to_be_clickable(by_testid("check-in-button"))))
    done = wait.until(ec.visibility_of_element_located(by_testid("checked-in")))
    assert "冷冻电镜" in done.text
    due.refresh_from_db()
    assert due.checked_in_at is not None

    width = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
