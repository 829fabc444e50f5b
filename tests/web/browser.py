"""A real headless Chromium for the web app's browser tests (selenium + Debian's chromium).

Without a browser on a developer's machine the browser tests skip with the reason; in CI
(``ALLIANCE_REQUIRE_BROWSER=1``, which .ci/run sets after installing Chromium) a missing
browser fails them instead, so they can never pass by skipping there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver",)
PHONE = (390, 844)  # an iPhone 12-class screen in CSS pixels
DESKTOP = (1280, 900)


def _first(paths: tuple[str, ...], name: str) -> str | None:
    for path in paths:
        if Path(path).exists():
            return path
    return shutil.which(name)


def browser_paths() -> tuple[str, str] | None:
    chromium = os.environ.get("CHROMIUM") or _first(CHROMIUM_CANDIDATES, "chromium")
    driver = os.environ.get("CHROMEDRIVER") or _first(CHROMEDRIVER_CANDIDATES, "chromedriver")
    if chromium and driver:
        return chromium, driver
    return None


def require_browser() -> tuple[str, str]:
    paths = browser_paths()
    if paths is not None:
        return paths
    reason = (
        "no headless Chromium: install Debian's chromium, chromium-driver and fonts-noto-cjk "
        "(or set CHROMIUM and CHROMEDRIVER)"
    )
    if os.environ.get("ALLIANCE_REQUIRE_BROWSER"):
        pytest.fail(reason + "; ALLIANCE_REQUIRE_BROWSER is set, so this is a failure")
    pytest.skip(reason)


def new_driver(size: tuple[int, int] = DESKTOP, language: str = "zh-CN"):
    """A fresh headless Chromium with its own empty profile (no state between tests)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={size[0]},{size[1]}",
        f"--lang={language}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(0)
    return driver


def browser_sign_in(driver, live_server_url: str, user) -> None:
    """Give ``driver`` a signed-in session of ``user`` (as Django's test client makes one),
    without going through a sign-in page: for tests about what comes after signing in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    driver.get(live_server_url + "/static/web/app.css")  # any page of the host sets the domain
    driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/"})


def tap(driver, element) -> None:
    """Click ``element`` as a finger would after scrolling it to the middle of the screen:
    a plain click scrolls it only to the bottom edge, under WeUI's fixed tab bar."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()
