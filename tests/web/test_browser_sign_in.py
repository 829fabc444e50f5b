"""Signing in by scanning, in a real browser: the test plays the mini-program over the API
(it reads the payload the page shows and confirms it with a bearer token), and the page
signs itself in and lands on ``next``; on a desktop and on a phone."""

from __future__ import annotations

import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from alliance.models import SignInChannel
from alliance.tokens import api_token_issue
from alliance.web_sign_in import challenge_payload_parse
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _confirm_over_the_api(base_url: str, raw_token: str, payload: str) -> dict:
    """What the mini-program does after scanning: one HTTP POST with its bearer token."""
    challenge_id, secret = challenge_payload_parse(payload)
    request = urllib.request.Request(  # noqa: S310 - the live test server's http URL
        f"{base_url}/api/v1/auth/web-challenges/{challenge_id}/confirm/",
        data=json.dumps({"secret": secret}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {raw_token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.mark.parametrize("fixture", ["browser", "phone_browser"])
def test_a_researcher_signs_in_by_scanning_and_lands_on_next(request, live_server, fixture):
    driver = request.getfixturevalue(fixture)
    member = MemberFactory(name="张研究员")
    _, raw_token = api_token_issue(member=member, channel=SignInChannel.WECHAT)

    driver.get(f"{live_server.url}/sign-in/?next=/me/")
    qr = driver.find_element(By.CSS_SELECTOR, '[data-testid="sign-in-qr"] svg')
    assert qr.is_displayed()
    payload = driver.find_element(By.CSS_SELECTOR, '[data-testid="sign-in-payload"]')
    answer = _confirm_over_the_api(live_server.url, raw_token, payload.get_attribute("value"))
    assert answer["member"]["id"] == member.pk

    WebDriverWait(driver, 15).until(ec.url_to_be(f"{live_server.url}/me/"))
    header = driver.find_element(By.CSS_SELECTOR, ".app-header__who")
    assert "张研究员" in header.text
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width


def test_a_challenge_from_another_browser_does_not_sign_this_one_in(
    live_server, browser, phone_browser
):
    """Two browsers: the phone's page is confirmed, the desktop polls with the phone's id."""
    member = MemberFactory()
    _, raw_token = api_token_issue(member=member, channel=SignInChannel.WECHAT)
    phone_browser.get(f"{live_server.url}/sign-in/?next=/me/")
    payload = phone_browser.find_element(
        By.CSS_SELECTOR, '[data-testid="sign-in-payload"]'
    ).get_attribute("value")
    browser.get(f"{live_server.url}/sign-in/?next=/me/")
    challenge_id, _ = challenge_payload_parse(payload)
    # The desktop page is made to poll the phone's challenge instead of its own.
    browser.execute_script(
        "const s = document.getElementById('sign-in-status');"
        "s.setAttribute('hx-post', `/sign-in/challenges/${arguments[0]}/poll/`);"
        "htmx.process(s);",
        challenge_id,
    )
    _confirm_over_the_api(live_server.url, raw_token, payload)

    WebDriverWait(browser, 15).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="sign-in-error"]'))
    )
    WebDriverWait(phone_browser, 15).until(ec.url_to_be(f"{live_server.url}/me/"))
    assert browser.current_url.startswith(f"{live_server.url}/sign-in/")
