"""One table of frozen dataclass records: insert, update, select by a WHERE clause.

Column names are the dataclass's field names; ``json_fields`` hold dicts as JSON text and
``bool_fields`` hold booleans (0/1 on SQLite, BOOLEAN on PostgreSQL). Each call is one
statement through the shared handle (storage/database.py), so WHERE clauses use ``?``
placeholders and SQL both databases run. Table and column names come from code, never from
a request; values are always bound parameters.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from typing import Any, Generic, TypeVar

from syncoxide.server.storage.database import Database

Record = TypeVar("Record")


class RecordTable(Generic[Record]):
    def __init__(
        self,
        db: Database,
        table: str,
        cls: type[Record],
        *,
        json_fields: frozenset[str] = frozenset(),
        bool_fields: frozenset[str] = frozenset(),
    ) -> None:
        self._db = db
        self.table = table
        self.cls = cls
        self.columns = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        self._json = json_fields
        self._bool = bool_fields

    def insert(self, record: Record) -> Record:
        """Insert ``record`` (its id ignored); the record with the id it was given."""
        names = [name for name in self.columns if name != "id"]
        sql = (
            f"INSERT INTO {self.table} ({', '.join(names)})"  # noqa: S608
            f" VALUES ({', '.join('?' for _ in names)})"
        )
        new_id = self._db.insert(sql, [self._stored(record, n) for n in names])
        return replace(record, id=new_id)  # type: ignore[type-var]

    def update(self, record: Record) -> int:
        names = [name for name in self.columns if name != "id"]
        assignments = ", ".join(f"{name} = ?" for name in names)
        sql = f"UPDATE {self.table} SET {assignments} WHERE id = ?"  # noqa: S608
        values = [self._stored(record, n) for n in names]
        return self._db.execute(sql, [*values, getattr(record, "id")]).rowcount  # noqa: B009

    def select(self, where: str, *params: Any) -> list[Record]:
        sql = f"SELECT {', '.join(self.columns)} FROM {self.table} WHERE {where}"  # noqa: S608
        return [self._record(row) for row in self._db.execute(sql, params).rows]

    def one(self, where: str, *params: Any) -> Record | None:
        found = self.select(where, *params)
        return found[0] if found else None

    def delete(self, where: str, *params: Any) -> int:
        sql = f"DELETE FROM {self.table} WHERE {where}"  # noqa: S608
        return self._db.execute(sql, params).rowcount

    def _stored(self, record: Record, name: str) -> Any:
        value = getattr(record, name)
        return json.dumps(value) if name in self._json else value

    def _record(self, row: Any) -> Record:
        values = dict(zip(self.columns, row, strict=True))
        for name in self._json:
            values[name] = json.loads(values[name])
        for name in self._bool:
            values[name] = bool(values[name])
        return self.cls(**values)
