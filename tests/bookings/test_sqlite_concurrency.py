"""On SQLite, the embedded default, writers are serialised by IMMEDIATE transactions with
WAL and a busy timeout: concurrent requests for one slot leave exactly one winner and never
fail with "database is locked". Runs against a real file database in a subprocess, so it
uses the same settings as ``make run`` whatever database the suite itself runs on."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREADS = 16
ROUNDS = 4


def test_concurrent_bookings_on_file_sqlite_leave_exactly_one_winner(tmp_path):
    database = tmp_path / "race.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "true"}
    finished = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "tests.bookings.sqlite_race",
            str(database),
            str(THREADS),
            str(ROUNDS),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    rounds = json.loads(finished.stdout.strip().splitlines()[-1])["rounds"]
    assert len(rounds) == ROUNDS
    for outcomes in rounds:
        assert Counter(outcomes) == {"won": 1, "conflict": THREADS - 1}, outcomes
