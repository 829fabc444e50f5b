"""Settings come from the environment, and production refuses unsafe ones. Each case starts a
fresh interpreter, as a server would, so that nothing is left over from the test run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def django_check(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_on_the_development_secret_key():
    finished = django_check(DEBUG="false", ALLOWED_HOSTS="share.example.org")
    assert finished.returncode != 0
    assert "SECRET_KEY must be set" in finished.stderr


def test_production_starts_with_its_own_secret_key():
    finished = django_check(
        DEBUG="false", SECRET_KEY="a-long-random-production-key-" * 2, ALLOWED_HOSTS="x.org"
    )
    assert finished.returncode == 0, finished.stderr


def test_a_garbled_boolean_is_refused_rather_than_guessed():
    finished = django_check(DEBUG="maybe")
    assert finished.returncode != 0
    assert "DEBUG must be a boolean" in finished.stderr
