"""The test suite's environment, set before Django reads the settings.

pytest loads this module first (``-p config.testing`` in pyproject.toml): pytest-django
imports the settings before any conftest could set a variable. The suite runs on the
production defaults (DEBUG off) with a throwaway secret key, on plain HTTP (the test client
and the servers some tests start speak it) and on loopback. Variables already set in the
environment win; the subprocesses some tests start inherit the same environment. The site
never imports this.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-throwaway-key-never-used-to-sign-anything-real")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
