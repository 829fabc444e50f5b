"""A fault report in a real browser (issue 10): a researcher who booked the instrument reports
a stopping fault from its page and then sees it "维修中", with the expected return date."""

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from bookings.models import Booking, BookingStatus, FaultReport
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.web.test_browser_resource import ALL_DAY, open_page, sign_in, tap, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_booker_stops_the_instrument_from_its_page(browser, live_server, settings):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    researcher = MemberFactory(name="王研究员")
    instrument = ResourceFactory(name="质谱仪", hours=ALL_DAY, requires_approval=False)
    now = timezone.now()
    BookingFactory(
        resource=instrument,
        member=researcher,
        start=now - dt.timedelta(days=2),
        end=now - dt.timedelta(days=2) + dt.timedelta(hours=1),
        status=BookingStatus.COMPLETED,
    )
    upcoming = BookingFactory(
        resource=instrument,
        member=MemberFactory(),
        start=now + dt.timedelta(days=1),
        end=now + dt.timedelta(days=1, hours=1),
    )
    sign_in(browser, live_server, researcher)
    open_page(browser, live_server, instrument)
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=out-of-service]")

    tap(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=report-fault]"))
    wait_for(browser, "[data-testid=fault-form]")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=fault-description]").send_keys("真空泵异响")
    tap(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=fault-stop]"))
    tap(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=fault-submit]"))

    banner = wait_for(browser, "[data-testid=out-of-service]")
    back = timezone.localdate(now + dt.timedelta(days=settings.FAULT_DEFAULT_OUT_OF_SERVICE_DAYS))
    assert "维修中" in banner.text
    assert f"{back:%Y-%m-%d}" in banner.text
    report = FaultReport.objects.get()
    assert report.reporter == researcher
    assert report.stop_instrument
    assert Booking.objects.get(pk=upcoming.pk).status == BookingStatus.CANCELLED
