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

:class:`CounterDatabaseCache` fixes the three. A whole number is stored as plain text
(``n:42``; base64, the stock format, never contains a colon), so that ``incr`` is one
``UPDATE ... SET value = value + delta ... RETURNING`` statement: atomic under the row's
write lock on PostgreSQL and SQLite alike, one round trip, and the expiry is kept. Other
values are stored as the stock backend stores them (and an ``incr`` of one reads and writes
it under ``SELECT ... FOR UPDATE``). ``add`` is one ``INSERT ... ON CONFLICT DO UPDATE ...
WHERE expired RETURNING`` statement; culling only ever deletes expired rows.

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


#: Prefix of whole numbers stored as text (base64 never contains a colon).
NUMBER_PREFIX = "n:"


class CounterDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic ``incr``, an atomic ``add`` and a cull that
    spares live entries. Reads both its own number format and the stock one."""

    def _encode(self, value: Any) -> str:
        if type(value) is int:  # not bool
            return f"{NUMBER_PREFIX}{value}"
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def _decode(self, connection: Any, stored: Any) -> Any:
        stored = connection.ops.process_clob(stored)
        if stored.startswith(NUMBER_PREFIX):
            return int(stored[len(NUMBER_PREFIX) :])
        return pickle.loads(base64.b64decode(stored.encode()))  # noqa: S301 - our own rows

    def get_many(self, keys: Any, version=None) -> dict[str, Any]:
        """As the stock backend, reading numbers stored as text too."""
        if not keys:
            return {}
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        db = router.db_for_read(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        placeholders = ", ".join(["%s"] * len(key_map))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key, value, expires FROM {table} "  # noqa: S608
                f"WHERE cache_key IN ({placeholders})",
                list(key_map),
            )
            rows = cursor.fetchall()
        result, expired = {}, []
        now = tz_now()
        for key, value, expires in rows:
            if self._expires_from_db(connection, expires) < now:
                expired.append(key)
            else:
                result[key_map[key]] = self._decode(connection, value)
        self._base_delete_many(expired)
        return result

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
        """Add ``delta`` to a live entry atomically and return the new value; the expiry is
        kept. ValueError if there is no live entry (as every backend does)."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        whole = "bigint" if connection.vendor == "postgresql" else "integer"
        now = connection.ops.adapt_datetimefield_value(tz_now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = %s || CAST("  # noqa: S608 - names quoted, values bound
                f"CAST(SUBSTR(value, {len(NUMBER_PREFIX) + 1}) AS {whole}) + %s AS text) "
                "WHERE cache_key = %s AND expires >= %s AND value LIKE %s RETURNING value",
                [NUMBER_PREFIX, int(delta), key, now, f"{NUMBER_PREFIX}%"],
            )
            row = cursor.fetchone()
        if row is not None:
            return self._decode(connection, row[0])
        return self._incr_locked(connection, db, key, delta)

    def count(self, key: str, *, window: int, version=None) -> int:
        """Count one event on ``key`` and return the count so far, in one statement: the
        first event (or the first after the window expired, or over a value that is not a
        number) opens a window of ``window`` seconds, later ones add 1 and keep its expiry.

        An upsert, so that a counted request pays one round trip even when it opens the
        window (incr, add and a second incr would pay up to six with their savepoints).
        """
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in UPSERT_VENDORS:
            raise NotImplementedError(connection.vendor)
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table)
        whole = "bigint" if connection.vendor == "postgresql" else "integer"
        now = connection.ops.adapt_datetimefield_value(tz_now())
        expires = connection.ops.adapt_datetimefield_value(self._expires_for(window))
        stale = f"({table}.expires < %s OR {table}.value NOT LIKE %s)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - names quoted, values bound
                "ON CONFLICT (cache_key) DO UPDATE SET "
                f"value = CASE WHEN {stale} THEN excluded.value ELSE %s || CAST("
                f"CAST(SUBSTR({table}.value, {len(NUMBER_PREFIX) + 1}) AS {whole}) + 1 AS text) "
                "END, "
                f"expires = CASE WHEN {stale} THEN excluded.expires ELSE {table}.expires END "
                "RETURNING value",
                [
                    key,
                    f"{NUMBER_PREFIX}1",
                    expires,
                    now,
                    f"{NUMBER_PREFIX}%",
                    NUMBER_PREFIX,
                    now,
                    f"{NUMBER_PREFIX}%",
                ],
            )
            return self._decode(connection, cursor.fetchone()[0])

    def _incr_locked(self, connection: Any, db: str, key: str, delta: int) -> Any:
        """``incr`` of a value in the stock format (or of no live value: ValueError), read
        and written under the row lock."""
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
