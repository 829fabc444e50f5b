"""The test suite's environment, set before Django reads the settings.

pytest loads this module first (``-p config.testing`` in pyproject.toml): pytest-django
imports the settings before any conftest could set a variable. The suite runs on the
production defaults (DEBUG off) with a throwaway secret key, and without the HTTPS redirect,
since the test client speaks plain HTTP. Variables already set in the environment win; the
subprocesses some tests start inherit the same environment. The site never imports this.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-throwaway-key-never-used-to-sign-anything-real")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
