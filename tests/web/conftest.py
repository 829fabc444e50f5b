"""Fixtures for the web app's tests: a signed-in client and a real browser."""

from __future__ import annotations

import pytest

from tests.web.browser import DESKTOP, PHONE, new_driver


@pytest.fixture
def browser():
    """Headless Chromium at a desktop size; skips (or fails in CI) without one."""
    driver = new_driver(DESKTOP)
    yield driver
    driver.quit()


@pytest.fixture
def phone_browser():
    """Headless Chromium at a phone's size."""
    driver = new_driver(PHONE)
    yield driver
    driver.quit()
