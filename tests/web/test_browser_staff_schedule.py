"""The staff schedule in a real browser (issue 9): the secretariat books on behalf of a
member from a free cell of the grid; a manager closes a resource for repair over a booking
(the confirmation step shows it), and the booker then sees the cancellation and its reason
in their own bookings."""

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from alliance.models import MemberRole
from bookings.models import Booking, BookingEvent, BookingStatus
from resources.models import Closure
from tests.factories import BookingFactory, MemberFactory, ResourceFactory
from tests.web.browser import browser_sign_in, new_driver

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10
ALWAYS_OPEN = [(d, "00:00", "00:00") for d in range(7)]


def by_testid(value: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{value}"]')


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def free_cell(resource, day: dt.date, hour: int) -> tuple[str, str]:
    start = f"{day.isoformat()}T{hour:02d}:00"
    return (
        By.CSS_SELECTOR,
        f'tr[data-resource="{resource.pk}"] td[data-start^="{start}"] '
        '[data-testid="schedule-free"]',
    )


def test_the_secretariat_books_on_behalf_of_a_member_from_the_grid(browser, live_server):
    resource = ResourceFactory(name="流式细胞仪", hours=ALWAYS_OPEN, requires_approval=False)
    researcher = MemberFactory(name="孙研究员")
    secretariat = MemberFactory(name="赵秘书", role=MemberRole.SECRETARIAT)
    day = tomorrow()
    browser_sign_in(browser, live_server.url, secretariat.user)

    browser.get(f"{live_server.url}/staff/schedule/")  # today, then on to tomorrow
    wait = WebDriverWait(browser, WAIT)
    wait.until(ec.element_to_be_clickable(by_testid("schedule-next"))).click()
    wait.until(ec.text_to_be_present_in_element(by_testid("schedule-title"), day.isoformat()))
    assert browser.current_url.endswith(f"day={day.isoformat()}&kind=&unit=&q=")
    wait.until(ec.element_to_be_clickable(free_cell(resource, day, 10))).click()

    dialog = wait.until(ec.visibility_of_element_located(by_testid("book-on-behalf")))
    dialog.find_element(*by_testid("member-search")).send_keys("孙")
    choice = (By.CSS_SELECTOR, f'[data-testid="member-choice"][data-name="{researcher.name}"]')
    wait.until(ec.element_to_be_clickable(choice)).click()
    dialog.find_element(*by_testid("book-purpose")).send_keys("代为预约的样品分析")
    dialog.find_element(*by_testid("book-submit")).click()

    wait.until(ec.visibility_of_element_located(by_testid("booked-on-behalf")))
    booking = Booking.objects.get(purpose="代为预约的样品分析")
    chip = (By.CSS_SELECTOR, f'[data-testid="schedule-booking"][data-booking="{booking.pk}"]')
    assert "孙研究员" in wait.until(ec.visibility_of_element_located(chip)).text  # grid reloaded
    assert day.isoformat() in browser.find_element(*by_testid("schedule-title")).text
    assert booking.member == researcher
    assert (booking.start, booking.end) == (at(day, 10), at(day, 11))
    assert booking.status == BookingStatus.APPROVED
    event = booking.events.get()
    assert (event.action, event.actor) == (BookingEvent.Action.CREATED_ON_BEHALF, secretariat)


def test_a_manager_closes_over_a_booking_and_the_booker_sees_why(browser, live_server):
    resource = ResourceFactory(name="透射电镜", hours=ALWAYS_OPEN)
    manager = MemberFactory(name="王主任", unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    researcher = MemberFactory(name="钱研究员")
    day = tomorrow()
    booking = BookingFactory(
        resource=resource, member=researcher, start=at(day, 10), end=at(day, 11)
    )
    browser_sign_in(browser, live_server.url, manager.user)

    browser.get(f"{live_server.url}/staff/schedule/?day={day.isoformat()}")
    wait = WebDriverWait(browser, WAIT)
    wait.until(ec.element_to_be_clickable(free_cell(resource, day, 9))).click()
    wait.until(ec.element_to_be_clickable(by_testid("close-instead"))).click()
    form = wait.until(ec.visibility_of_element_located(by_testid("close-form")))
    end = form.find_element(*by_testid("close-end"))
    browser.execute_script("arguments[0].value = arguments[1]", end, f"{day.isoformat()}T12:00")
    form.find_element(*by_testid("close-reason")).send_keys("设备维修")
    form.find_element(*by_testid("close-preview")).click()

    confirm = wait.until(ec.visibility_of_element_located(by_testid("close-confirm")))
    hit = confirm.find_element(*by_testid("close-hit"))
    assert hit.get_attribute("data-booking") == str(booking.pk)
    assert "钱研究员" in hit.text
    assert not Closure.objects.exists()  # nothing written before confirming
    confirm.find_element(*by_testid("close-confirm-submit")).click()
    wait.until(ec.visibility_of_element_located(by_testid("closed")))
    wait.until(ec.visibility_of_element_located(by_testid("schedule-closure")))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    booker = new_driver()
    try:
        browser_sign_in(booker, live_server.url, researcher.user)
        booker.get(live_server.url + "/bookings/")
        entry = WebDriverWait(booker, WAIT).until(
            ec.visibility_of_element_located(by_testid(f"booking-{booking.pk}"))
        )
        assert "已取消" in entry.text
        assert "设备维修" in entry.text
    finally:
        booker.quit()
