"""The default cache: Django's database cache, with counters that are safe to share.

Limits (failed sign-ins, booking ceilings, the WeChat circuit breaker) must hold across
every worker and server, so the default cache lives in the database every server already
shares (``CACHE_URL=redis://...`` swaps in Redis, whose ``incr`` is atomic natively).

Django's stock ``DatabaseCache`` is not fit for counting:

- ``incr`` is a ``get`` followed by a ``set``: two servers counting at once both read 4
  and both write 5, so increments are lost (tests/alliance/test_cache.py shows it on
  PostgreSQL). It also resets the entry's expiry to the default timeout.
- ``add`` on an expired entry is a read, then a write: two callers can both "add".
- when the table holds more than ``MAX_ENTRIES`` rows, ``set`` culls a third of the
  *live* rows too, so whoever fills the table can erase the counters that limit them.

:class:`CounterDatabaseCache` fixes the three: ``incr`` reads and writes the row under its
row lock (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers anyway, see
the ``IMMEDIATE`` transaction mode in config/settings.py) and keeps the expiry; ``add`` is
one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired RETURNING`` statement; culling
only ever deletes expired rows.

Precondition: the table exists (``manage.py createcachetable``; ``make migrate`` runs it,
and Django's test runner creates it in every test database).
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now

#: Vendors whose SQL supports ``INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING``.
UPSERT_VENDORS = {"postgresql", "sqlite"}


class CounterDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic ``incr``, an atomic ``add`` and a cull that
    spares live entries. Values are stored exactly as the stock backend stores them."""

    def _encode(self, value: Any) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def _decode(self, connection: Any, stored: Any) -> Any:
        return pickle.loads(base64.b64decode(connection.ops.process_clob(stored).encode()))  # noqa: S301 - our own rows

    def _expires_from_db(self, connection: Any, expires: Any) -> datetime:
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression)
        for converter in converters + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires

    def _expires_for(self, timeout: Any) -> datetime:
        seconds = self.get_backend_timeout(timeout)
        tz = UTC if settings.USE_TZ else None
        if seconds is None:
            return datetime.max.replace(tzinfo=tz, microsecond=0)
        expires = datetime.fromtimestamp(seconds, tz=tz)
        return expires.replace(microsecond=0)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version=None) -> bool:
        """Store ``value`` unless a live entry has the key; True if stored. One statement."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in UPSERT_VENDORS:
            return super().add(key, value, timeout, version)
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table)
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        expires = connection.ops.adapt_datetimefield_value(self._expires_for(timeout))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - table name quoted, values bound
                "ON CONFLICT (cache_key) DO UPDATE "
                "SET value = excluded.value, expires = excluded.expires "
                f"WHERE {table}.expires < %s RETURNING cache_key",
                [key, self._encode(value), expires, now],
            )
            return cursor.fetchone() is not None

    def incr(self, key: str, delta: int = 1, version=None) -> Any:
        """Add ``delta`` to a live entry under its row lock and return the new value; the
        expiry is kept. ValueError if there is no live entry (as every backend does)."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value, expires FROM {table} WHERE cache_key = %s{lock}",  # noqa: S608
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expires_from_db(connection, row[1]) < tz_now():
                raise ValueError(f"Key '{key}' not found")
            value = self._decode(connection, row[0]) + delta
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",  # noqa: S608
                [self._encode(value), key],
            )
        return value

    def _cull(self, db: str, cursor: Any, now: datetime, num: int) -> None:
        """Delete expired entries only: live ones may be limits that must not reset."""
        connection = connections[db]
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(self._table)} WHERE expires < %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now)],
        )
