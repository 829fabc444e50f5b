"""Settings come from the environment, and production refuses unsafe ones. Each case starts a
fresh interpreter, as a server would, so that nothing is left over from the test run."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Set for the test run itself (config.testing) or by a developer; never inherited here.
SETTINGS_FROM_OUTSIDE = {
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
}
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]
PRODUCTION_KEY = "a-long-random-production-key-" * 2
READ_SETTINGS = """
import json, sys
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}))
"""


def fresh_environment(**env):
    base = {k: v for k, v in os.environ.items() if k not in SETTINGS_FROM_OUTSIDE}
    return {**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env}


def django_check(**env):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=fresh_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_under(*names, **env) -> dict:
    """The named settings as a fresh process started with ``env`` sees them."""
    finished = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", READ_SETTINGS, *names],
        cwd=ROOT,
        env=fresh_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(finished.stdout)


def test_debug_is_off_unless_the_environment_asks_for_it():
    assert settings_under("DEBUG", SECRET_KEY=PRODUCTION_KEY) == {"DEBUG": False}
    assert settings_under("DEBUG", DEBUG="true") == {"DEBUG": True}


def test_without_debug_nothing_is_served_until_allowed_hosts_names_the_host():
    assert settings_under("ALLOWED_HOSTS", SECRET_KEY=PRODUCTION_KEY) == {"ALLOWED_HOSTS": []}


def test_production_speaks_https_only_and_tells_browsers_to_keep_to_it():
    assert settings_under(*HTTPS_SETTINGS, SECRET_KEY=PRODUCTION_KEY) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_each_https_default_can_be_turned_down_from_the_environment():
    assert settings_under(
        *HTTPS_SETTINGS,
        SECRET_KEY=PRODUCTION_KEY,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    ) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_development_serves_plain_http_on_loopback():
    assert settings_under("ALLOWED_HOSTS", *HTTPS_SETTINGS, DEBUG="true") == {
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_production_refuses_to_start_on_the_development_secret_key():
    finished = django_check(DEBUG="false", ALLOWED_HOSTS="share.example.org")
    assert finished.returncode != 0
    assert "SECRET_KEY must be set" in finished.stderr


def test_production_starts_with_its_own_secret_key():
    finished = django_check(DEBUG="false", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="x.org")
    assert finished.returncode == 0, finished.stderr


def test_a_garbled_boolean_is_refused_rather_than_guessed():
    finished = django_check(DEBUG="maybe")
    assert finished.returncode != 0
    assert "DEBUG must be a boolean" in finished.stderr
