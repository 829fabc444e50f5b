"""The schema is served correctly when the first requests for it arrive at the same time.

drf-spectacular's generator is not thread-safe on first use; the fuzzing run's parallel
clients got 500s. The race needs a process that has never built the schema, so each run
starts a fresh interpreter and fires simultaneous requests through the project's URLconf.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, threading, django
django.setup()
from django.test import RequestFactory
from django.urls import resolve

view = resolve("/api/schema/").func
threads, barrier, answers = 8, threading.Barrier(8), []

def fetch():
    request = RequestFactory().get("/api/schema/", {"format": "json"})
    barrier.wait()
    response = view(request)
    response.render()
    answers.append((response.status_code, len(response.content)))

workers = [threading.Thread(target=fetch) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(json.dumps(answers))
"""


def test_simultaneous_first_schema_requests_all_get_the_same_schema():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "sqlite:///:memory:",
    }

    run = subprocess.run(  # noqa: S603 -- our own interpreter and script, no outside input
        [sys.executable, "-c", SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    answers = json.loads(run.stdout.strip().splitlines()[-1])
    assert [status for status, _ in answers] == [200] * 8
    assert len({size for _, size in answers}) == 1
