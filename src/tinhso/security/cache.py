"""The shared cache of every worker: Django's database cache with an atomic `incr`.

Rate limits count requests in the cache, so the cache must be shared by all processes (LocMem is one per
process) and its increments must not lose counts under simultaneous requests. Django's `DatabaseCache.incr`
reads then writes without a lock; this one reads the row under a lock in the same transaction:
`SELECT ... FOR UPDATE` on PostgreSQL, and on SQLite the write lock that `BEGIN IMMEDIATE` takes (see the
`transaction_mode` of settings.DATABASES). With TINHSO_REDIS_URL set, settings use Redis instead (INCRBY)."""
from __future__ import annotations

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now

TABLE = "tinhso_cache"


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        q = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT {q('value')}, {q('expires')} FROM {q(self._table)} WHERE {q('cache_key')} = %s{lock}",
                           [key])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value, expires = row
            expression = models.Expression(output_field=models.DateTimeField())
            for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
                expires = converter(expires, expression, connection)
            if expires < tz_now():
                raise ValueError(f"Key '{key}' not found")
            new_value = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode())) + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {q(self._table)} SET {q('value')} = %s WHERE {q('cache_key')} = %s", [encoded, key])
        return new_value

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version=version)
