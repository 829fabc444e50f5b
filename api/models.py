"""What the API keeps between requests: the answers to idempotent writes.

Only api.idempotency reads and writes these rows.
"""

from __future__ import annotations

from django.db import models


class IdempotencyKey(models.Model):
    """One caller's ``Idempotency-Key``: claimed while its request runs, then the answer.

    ``scope`` is a SHA-256 of who is calling (a member, an unbound WeChat account or a
    staff session's user), so that one caller's key never meets another's; the unique
    constraint on (scope, key) decides which of two concurrent requests runs. A row with
    ``status_code`` NULL is a claim in progress. ``fingerprint`` is a SHA-256 of method,
    path and body, to refuse the key with another request. The answer's body is stored
    encrypted (alliance.crypto): it may carry a secret shown once, such as an invite code.
    Rows older than 24 hours count as absent and are purged by ``idempotency_purge``.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="idempotency_key_unique_per_scope"
            )
        ]

    def __str__(self) -> str:
        state = "in progress" if self.status_code is None else str(self.status_code)
        return f"Idempotency-Key {self.key!r} ({state})"
