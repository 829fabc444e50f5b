"""In a real browser: a unit manager invites a member, reads the code on the page, the person
binds it with the mini-program (through the API, with the fake WeChat), and after a reload the
people page shows them bound; then the manager deactivates and reactivates them with htmx."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from alliance.models import Member, MemberRole
from tests import wechat_fake
from tests.api.helpers import api_client, bearer
from tests.factories import MemberFactory, UnitFactory
from tests.web.browser import browser_sign_in, tap

pytestmark = pytest.mark.django_db(transaction=True)

wechat_server = wechat_fake.wechat_server


def _cell(driver, member_id: int, name: str):
    return driver.find_element(
        By.CSS_SELECTOR, f'[data-testid="person-{member_id}"] [data-testid="{name}"]'
    )


def test_a_manager_invites_a_member_who_binds_by_the_code(browser, live_server, wechat_server):
    unit = UnitFactory(name="深圳湾实验室")
    manager = MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER, name="周经理")
    browser_sign_in(browser, live_server.url, manager.user)
    # htmx swaps a row while the wait reads it: a stale cell just means "read it again".
    wait = WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException])

    # From /me/ to the staff area, then to the invite form.
    browser.get(live_server.url + "/me/")
    tap(browser, browser.find_element(By.CSS_SELECTOR, '[data-testid="staff-people-link"]'))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="people"]')))
    browser.get(live_server.url + "/staff/people/invite/")
    form = browser.find_element(By.CSS_SELECTOR, '[data-testid="invite-form"]')
    form.find_element(By.NAME, "name").send_keys("王小明")
    form.find_element(By.NAME, "phone").send_keys("13800138000")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    code_element = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="invite-code"]'))
    )
    code = code_element.text.strip()
    qr = browser.find_element(By.CSS_SELECTOR, '[data-testid="invite-qr"]')
    assert qr.get_attribute("data-payload") == f"alliance-share:invite:{code}"
    assert qr.find_element(By.TAG_NAME, "svg").is_displayed()
    member = Member.objects.get(name="王小明")

    # Not bound yet.
    browser.get(f"{live_server.url}/staff/people/")
    assert _cell(browser, member.pk, "bound").text == "已邀请，未绑定"

    # The person signs in with the mini-program and binds with the scanned code.
    wechat_server.register_code("wx-code-1", "o-wang")
    login = api_client().post("/api/v1/auth/wechat-login/", {"code": "wx-code-1"}, format="json")
    assert login.status_code == 200
    bind = api_client().post(
        "/api/v1/auth/bind/",
        {"invite_code": code},
        format="json",
        headers=bearer(login.json()["token"]),
    )
    assert bind.status_code == 200, bind.json()

    browser.refresh()
    wait.until(lambda d: _cell(d, member.pk, "bound").text == "已绑定微信")

    # Deactivate (htmx, after the confirmation) and reactivate, the row swapped in place.
    row = browser.find_element(By.CSS_SELECTOR, f'[data-testid="person-{member.pk}"]')
    row.find_element(By.CSS_SELECTOR, "button.weui-btn_warn").click()
    wait.until(ec.alert_is_present()).accept()
    wait.until(lambda d: _cell(d, member.pk, "active").text == "已停用")
    member.refresh_from_db()
    assert not member.is_active
    row = browser.find_element(By.CSS_SELECTOR, f'[data-testid="person-{member.pk}"]')
    row.find_element(By.CSS_SELECTOR, "button.weui-btn_default").click()
    wait.until(lambda d: _cell(d, member.pk, "active").text == "正常")
    member.refresh_from_db()
    assert member.is_active
