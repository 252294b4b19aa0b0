"""The shared cache in the database, with an increment that two processes cannot interleave.

Django's DatabaseCache increments with a plain read and write, so two web processes counting the
same throttle at the same moment can both write n + 1: a count is lost, and a throttle that should
have tripped does not. Here the row is locked (SELECT ... FOR UPDATE, on PostgreSQL) for the read
and the write, inside one transaction; SQLite serialises writers by itself. The entry keeps the
expiry it had.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone

# Entries stored without a timeout expire in the year 9999.
NEVER = timedelta(days=365 * 100)


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        stored_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]  # set by Django's __init__
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT expires FROM {table} WHERE cache_key = %s{lock}", [stored_key])
                row = cursor.fetchone()
            value = self.get(key, version=version)
            if row is None or value is None:
                raise ValueError(f"Key '{key}' not found")
            expires = self._as_datetime(row[0], connection)
            remaining = (expires - timezone.now()).total_seconds() if expires else None
            timeout = None if remaining is None or remaining > NEVER.total_seconds() else max(1, remaining)
            new_value = value + delta
            self.set(key, new_value, timeout=timeout, version=version)
        return new_value

    @staticmethod
    def _as_datetime(value, connection):
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        ):
            value = converter(value, expression, connection)
        return value
