"""Reads on hot paths, built once per model, fields and condition, then run with new values.

The ORM compiles a query again for every request: for `User.objects.get(pk=...)` that compiling costs several
times what SQLite takes to answer it. `Rows` builds `SELECT <columns> FROM <table> WHERE <condition>` once (per
process and database vendor) and keeps each column's converters (the ones the ORM's compiler would apply: JSON
decoded, SQLite's datetimes made aware...), so that what it returns is what the ORM would have returned:
model instances (`Model.from_db`, as a queryset makes them) or dicts of field values (as `.values()`).

    USER = Rows(User, where="{id} = %s")
    user = USER.first(user_id)                      # a User, or None
    AGENCY_NAME = Rows(Agency, fields=("id", "name"), where="{code} = %s")
    AGENCY_NAME.values(code)                        # [{"id": 3, "name": "..."}]

`where` names columns by field attname in braces (`{owner_id}`), quoted for the database; values are
parameters (`%s`), never formatted in. `in_list(n)` gives `%s, %s, ...` for an IN of n values. Reads only:
writes go through the services (and `batch` for writes built once).
"""
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def in_list(n: int) -> str:
    return ", ".join(["%s"] * n)


class Rows:
    def __init__(self, model, *, where: str, fields: tuple[str, ...] | None = None, order_by: str = "",
                 limit: int | None = None):
        self.model = model
        self.where = where
        self.order_by = order_by
        self.limit = limit
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = [concrete[name] for name in fields] if fields else list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.whole = fields is None  # model instances need every concrete field
        self._built: dict[tuple[str, str], tuple] = {}

    def _build(self, conn, where: str):
        key = (conn.vendor, where)
        built = self._built.get(key)
        if built is None:
            q = conn.ops.quote_name
            table = self.model._meta.db_table
            cols = ", ".join(f"{q(table)}.{q(f.column)}" for f in self.fields)
            columns = {f.attname: f"{q(table)}.{q(f.column)}" for f in self.model._meta.concrete_fields}
            sql = f"SELECT {cols} FROM {q(table)} WHERE {where.format(**columns)}"
            if self.order_by:
                sql += " ORDER BY " + self.order_by.format(**columns)
            if self.limit is not None:
                sql += f" LIMIT {int(self.limit)}"
            converters = []
            for i, f in enumerate(self.fields):
                col = f.get_col(table)
                funcs = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if funcs:
                    converters.append((i, col, funcs))
            built = self._built[key] = (sql, converters)
        return built

    def _rows(self, params, where: str | None = None, using: str = DEFAULT_DB_ALIAS) -> list[list]:
        conn = connections[using]
        sql, converters = self._build(conn, where or self.where)
        with conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        if not converters:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for i, col, funcs in converters:
                value = row[i]
                for func in funcs:
                    value = func(value, col, conn)
                row[i] = value
            out.append(row)
        return out

    def all(self, *params, where: str | None = None, using: str = DEFAULT_DB_ALIAS) -> list:
        """Model instances (every field read), as a queryset would make them."""
        if not self.whole:
            raise TypeError("Rows.all: built with `fields`, use values()")
        from_db = self.model.from_db
        return [from_db(using, self.attnames, row) for row in self._rows(params, where, using)]

    def first(self, *params, where: str | None = None, using: str = DEFAULT_DB_ALIAS):
        found = self.all(*params, where=where, using=using)
        return found[0] if found else None

    def values(self, *params, where: str | None = None, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
        """Dicts of the fields' values (attnames), as `.values(*fields)` gives them."""
        names = self.attnames
        return [dict(zip(names, row)) for row in self._rows(params, where, using)]
