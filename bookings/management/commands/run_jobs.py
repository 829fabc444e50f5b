"""Run the time-driven jobs: once (for cron), or in a loop (as a worker process)."""

import time

from django.core.management.base import BaseCommand

from bookings.jobs import run_due_jobs


class Command(BaseCommand):
    help = "Expire, remind, mark no-shows, complete bookings and deliver WeChat messages."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (a worker)")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between runs with --loop"
        )
        parser.add_argument(
            "--max-runs", type=int, default=0, help="stop after this many runs (0: never)"
        )

    def handle(self, *args, loop: bool, interval: float, max_runs: int, **options):
        runs = 0
        while True:
            handled = run_due_jobs()
            runs += 1
            if any(handled.values()) or options["verbosity"] > 1:
                summary = ", ".join(f"{name} {count}" for name, count in handled.items())
                self.stdout.write(summary)
            if not loop or (max_runs and runs >= max_runs):
                return
            time.sleep(interval)
