"""Delete Idempotency-Key rows older than 24 hours (api.idempotency).

Old keys already count as absent, so this only keeps the table small; a cron may run it
daily: ``python manage.py idempotency_purge``.
"""

from django.core.management.base import BaseCommand

from api.idempotency import idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete Idempotency-Key answers older than 24 hours."

    def handle(self, *args, **options):
        deleted = idempotency_keys_purge()
        self.stdout.write(f"Deleted {deleted} idempotency keys older than 24 hours.")
