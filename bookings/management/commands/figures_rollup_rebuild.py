"""Recounts the figures' rollup from the raw bookings and sessions (bookings.figures.rollup):
after loading rows in bulk without the services (a benchmark, an import), or to check it."""

from django.core.management.base import BaseCommand

from bookings.figures.rollup import figures_rollup_rebuild


class Command(BaseCommand):
    help = "Recount the figures' rollup (per resource and local day) from the raw rows."

    def handle(self, *args, **options):
        days = figures_rollup_rebuild()
        self.stdout.write(f"figures rollup: {days} resource-days")
