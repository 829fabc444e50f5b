"""Joining and claiming from a waitlist in a real browser (issue 12): a researcher's slot is
taken meanwhile; from the conflict answer they join its waitlist; the holder cancels, the
time is held for the researcher (on commit), and they claim it on My waitlist."""

import datetime as dt

import pytest
from selenium.webdriver.common.by import By

from bookings.models import Booking
from bookings.services import booking_cancel, booking_create
from bookings.waitlist_models import WaitlistEntry
from tests.factories import MemberFactory, ResourceFactory
from tests.web.test_browser_resource import (
    ALL_DAY,
    book_in_the_form,
    first_free_slot,
    open_page,
    sign_in,
    tap,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def researcher():
    return MemberFactory(name="孙候补")


@pytest.fixture
def instrument():
    return ResourceFactory(name="质谱仪", hours=ALL_DAY, requires_approval=False)


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_join_the_waitlist_of_a_taken_slot_and_claim_the_hold(
    request, live_server, fixture, researcher, instrument
):
    driver = request.getfixturevalue(fixture)
    sign_in(driver, live_server, researcher)
    open_page(driver, live_server, instrument)
    button, start = first_free_slot(driver)
    holder = MemberFactory(unit=researcher.unit, name="钱先到")
    taken = booking_create(
        member=holder,
        resource_id=instrument.pk,
        start=start,
        end=start + dt.timedelta(minutes=instrument.min_duration_minutes),
        purpose="抢先一步",
    )
    tap(driver, button)
    book_in_the_form(driver, purpose="质谱测样")
    wait_for(driver, "[data-testid=conflict]")
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=waitlist-join]"))
    wait_for(driver, "[data-testid=waitlist-joined]")
    entry = WaitlistEntry.objects.get()
    assert (entry.member, entry.start, entry.status) == (researcher, start, "waiting")

    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=my-waitlist-link]"))
    assert wait_for(driver, "[data-testid=waitlist-entry]").get_attribute("data-status") == (
        "waiting"
    )
    booking_cancel(actor=holder, booking_id=taken.pk)  # commits: the time is offered

    driver.refresh()
    hold = wait_for(driver, "[data-testid=waitlist-hold]")
    assert hold.text  # held until …, with the time left
    tap(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=waitlist-claim]"))
    claimed = wait_for(driver, "[data-testid=waitlist-entry][data-status=claimed]")
    assert claimed
    mine = Booking.objects.get(member=researcher)
    assert (mine.start, mine.status, mine.purpose) == (start, "approved", "质谱测样")
