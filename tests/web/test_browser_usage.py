"""Using an instrument in a real browser: a member with a booking due scans the resource's
QR code (opens its use page), starts a session, which switches the relay on, watches the
timer, stops it, which switches the relay off, and sees the recorded use."""

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from bookings.interlock import interlock_config_set
from bookings.models import BookingStatus, UsageSession
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.relay_standin import RelayStandIn
from tests.web.browser import browser_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 15


def visible(driver, selector):
    return WebDriverWait(driver, WAIT).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, selector))
    )


def test_a_member_starts_and_stops_a_session_from_the_qr_page(phone_browser, live_server):
    driver = phone_browser
    with RelayStandIn(secret="s3cret") as relay:
        lab = ResourceFactory(name="高分辨质谱仪")
        interlock_config_set(
            resource_id=lab.pk, driver="http_relay", relay_url=relay.url, secret="s3cret"
        )
        member = MemberFactory()
        start = timezone.now() + dt.timedelta(minutes=5)
        booking = BookingFactory(
            resource=lab, member=member, start=start, end=start + dt.timedelta(hours=1)
        )
        browser_sign_in(driver, live_server.url, member.user)

        driver.get(f"{live_server.url}/r/{lab.pk}/use/?code={lab.checkin_code}")
        visible(driver, '[data-testid="usage-start"]').click()
        stop = visible(driver, '[data-testid="usage-stop"]')
        assert stop.text == "结束使用"
        assert relay.asked() == ["on"]
        WebDriverWait(driver, WAIT).until(
            lambda d: (
                d.find_element(By.CSS_SELECTOR, '[data-testid="usage-timer"]').text != "00:00:00"
            )
        )

        stop.click()
        visible(driver, '[data-testid="usage-start"]')
        assert relay.asked() == ["on", "off"]

    recent = visible(driver, '[data-testid="usage-recent"]').text
    assert "预约签到" in recent
    session = UsageSession.objects.get()
    booking.refresh_from_db()
    assert session.booking_id == booking.pk
    assert session.power == "off"
    assert booking.status == BookingStatus.COMPLETED
