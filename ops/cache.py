"""The shared cache in the database, with an increment that two processes cannot interleave.

Django's DatabaseCache increments with a plain read and write, so two web processes counting the
same throttle at the same moment can both write n + 1: a count is lost, and a throttle that should
have tripped does not. Here the row is locked (SELECT ... FOR UPDATE, on PostgreSQL) for the read
and the write, inside one transaction; SQLite serialises writers by itself. The entry keeps the
expiry it had.

Throttles call `add` then `incr` on every counted request, so both are cut to what they need:
`add` of a key that is already there is one read (Django's writes, counting the whole table first
and failing on the duplicate key, took five queries), and `incr` reads, updates and commits the
one row (nine queries before).
"""

from __future__ import annotations

import base64
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # A live entry is left alone: one read answers. A missing or expired one takes Django's path,
        # whose insert still refuses a key another process added in between.
        if self.has_key(key, version=version):
            return False
        return super().add(key, value, timeout=timeout, version=version)

    def incr(self, key, delta=1, version=None):
        stored_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]  # set by Django's __init__
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT value, expires FROM {table} WHERE cache_key = %s{lock}", [stored_key])
            row = cursor.fetchone()
            if row is None or self._as_datetime(row[1], connection) < timezone.now():
                raise ValueError(f"Key '{key}' not found")  # an expired entry counts as missing, as in get()
            stored = connection.ops.process_clob(row[0])
            new_value = pickle.loads(base64.b64decode(stored.encode(), validate=True)) + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            # The expiry is not touched: the counter keeps the window it was added with.
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, stored_key])
        return new_value

    @staticmethod
    def _as_datetime(value, connection):
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        ):
            value = converter(value, expression, connection)
        return value
