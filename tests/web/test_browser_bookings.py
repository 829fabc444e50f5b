"""My bookings and check-in in a real browser, on a desktop and on a phone: a signed-in
researcher sees their bookings, cancels one through the confirm dialog and sees the status
and reason change, then opens the check-in URL of a due booking and is checked in."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from bookings.models import Booking, BookingStatus
from resources.qr import checkin_path
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10


def sign_in(driver, live_server, member) -> None:
    """Force a session for ``member`` and hand its cookie to the browser."""
    client = Client()
    client.force_login(member.user)
    driver.get(live_server.url + "/")
    driver.add_cookie(
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"}
    )


def by_testid(value: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{value}"]')


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_researcher_cancels_a_booking_through_the_confirm_dialog(request, live_server, fixture):
    driver = request.getfixturevalue(fixture)
    now = timezone.now()
    researcher = MemberFactory(name="陈研究员")
    booking = BookingFactory(
        resource=ResourceFactory(name="共聚焦显微镜"),
        member=researcher,
        start=now + dt.timedelta(hours=3),
        end=now + dt.timedelta(hours=4),
    )
    sign_in(driver, live_server, researcher)

    driver.get(live_server.url + "/bookings/")
    wait = WebDriverWait(driver, WAIT)
    entry = wait.until(ec.element_to_be_clickable(by_testid(f"booking-{booking.pk}")))
    assert "共聚焦显微镜" in entry.text
    assert "已批准" in entry.text
    entry.click()

    wait.until(ec.element_to_be_clickable(by_testid("cancel-open"))).click()
    dialog = wait.until(ec.visibility_of_element_located((By.ID, "cancel-dialog")))
    assert dialog.find_element(*by_testid("late-warning")).is_displayed()  # 3 h < 24 h
    dialog.find_element(*by_testid("cancel-reason")).send_keys("实验改期")
    dialog.find_element(*by_testid("cancel-confirm")).click()

    wait.until(ec.text_to_be_present_in_element(by_testid("status"), "已取消"))
    assert driver.find_element(*by_testid("reason")).text == "实验改期"
    assert not driver.find_elements(*by_testid("cancel-open"))
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_researcher_opens_the_check_in_url_of_a_due_booking_and_is_checked_in(
    request, live_server, fixture
):
    driver = request.getfixturevalue(fixture)
    now = timezone.now()
    resource = ResourceFactory(name="核磁共振波谱仪", building="A栋", room="2层")
    researcher = MemberFactory(name="赵研究员")
    booking = BookingFactory(
        resource=resource,
        member=researcher,
        start=now + dt.timedelta(minutes=5),
        end=now + dt.timedelta(minutes=65),
    )
    sign_in(driver, live_server, researcher)

    driver.get(live_server.url + checkin_path(resource))
    wait = WebDriverWait(driver, WAIT)
    assert Booking.objects.get(pk=booking.pk).checked_in_at is None  # the GET changed nothing
    wait.until(ec.element_to_be_clickable(by_testid("check-in-button"))).click()

    done = wait.until(ec.visibility_of_element_located(by_testid("checked-in")))
    assert "核磁共振波谱仪" in done.text
    assert Booking.objects.get(pk=booking.pk).checked_in_at is not None
