"""Booking a weekly series in a real browser (issue 12): a researcher taps a free slot,
chooses to repeat it weekly three times, sees in the preview that the second week is taken,
and books the free ones, skipping the clash."""

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from bookings.models import Booking, BookingSeries
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.web.test_browser_resource import (
    ALL_DAY,
    first_free_slot,
    open_page,
    sign_in,
    tap,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_weekly_series_with_a_clash_skipped(request, live_server, fixture):
    driver = request.getfixturevalue(fixture)
    researcher = MemberFactory(name="周研究员")
    room = ResourceFactory(name="研讨室", hours=ALL_DAY, max_days_ahead=60)
    sign_in(driver, live_server, researcher)
    open_page(driver, live_server, room)
    button, start = first_free_slot(driver)
    clash = BookingFactory(
        resource=room,
        start=start + dt.timedelta(weeks=1),
        end=start + dt.timedelta(weeks=1, minutes=30),
    )
    tap(driver, button)

    wait_for(driver, "[data-testid=book-form]")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=purpose]").send_keys("课题组周会")
    Select(driver.find_element(By.CSS_SELECTOR, "[data-testid=repeat]")).select_by_value("weekly")
    count = driver.find_element(By.CSS_SELECTOR, "[data-testid=repeat-count]")
    count.clear()
    count.send_keys("3")
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=repeat-preview]"))

    preview = wait_for(driver, "[data-testid=series-preview]")
    rows = preview.find_elements(By.CSS_SELECTOR, "[data-testid=occurrence]")
    assert [r.get_attribute("data-free") for r in rows] == ["true", "false", "true"]
    assert not BookingSeries.objects.exists()  # the preview writes nothing
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=series-book-skip]"))

    booked = wait_for(driver, "[data-testid=series-booked]")
    assert "1" in booked.find_element(By.CSS_SELECTOR, "[data-testid=series-skipped]").text
    series = BookingSeries.objects.get()
    starts = list(
        Booking.objects.filter(series=series).order_by("start").values_list("start", flat=True)
    )
    assert starts == [start, start + dt.timedelta(weeks=2)]
    assert Booking.objects.get(pk=clash.pk).series is None

    tap(driver, wait_for(driver, "[data-testid=my-series-link]"))
    page = wait_for(driver, "[data-testid=series]")
    assert len(page.find_elements(By.CSS_SELECTOR, "[data-testid=series-occurrence]")) == 2
