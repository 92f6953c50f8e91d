"""One database handle the server's stores share, on SQLite (embedded) or PostgreSQL.

Stores write their SQL once, in the part of SQL both databases run alike: ``?`` placeholders,
``||``, ``substr``, ``COALESCE``, ``LIKE``, ``ON CONFLICT ... DO UPDATE``, ``RETURNING``,
``TRUE``/``FALSE``. The handle does the rest of the dialect:

    placeholders   SQLite takes ``?`` as written; PostgreSQL gets ``%s`` (a literal ``%``
                   doubled), rewritten once per statement text and cached
    new row ids    ``insert`` answers the id: ``lastrowid`` on SQLite, ``RETURNING id`` on
                   PostgreSQL
    unique keys    a violated UNIQUE or PRIMARY KEY raises ``DuplicateError`` on both
    transactions   ``with db.transaction():`` is one transaction (nested ones join it);
                   ``write=True`` takes SQLite's write lock at once (``BEGIN IMMEDIATE``),
                   and ``lock_rows`` (`` FOR UPDATE`` on PostgreSQL, nothing on SQLite)
                   ends a SELECT whose rows the transaction rewrites

The schema is not the handle's business: SQLite's is ``server/datadir.py``, PostgreSQL's is
``storage/postgres.py`` (its own types: BIGINT, BOOLEAN, paths in the "C" collation so they
sort bytewise as on SQLite).

Calls are synchronous, as they were on sqlite3: each is one or a few indexed statements, and
a store's multi-statement steps rely on nothing else running in between. On PostgreSQL that
waits for one round trip to the database per statement (0.1-0.5 ms on loopback or a LAN) on
the event loop; docs/scaling.md says so.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

from syncoxide.server.storage.port import DuplicateError
from syncoxide.server.storage.sqlite import open_database

Dialect = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Answer:
    """What a statement gave back: its rows (all read) and how many rows it changed."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def one(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)


class Database(Protocol):
    dialect: Dialect
    lock_rows: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Answer: ...
    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT into a table with an ``id`` key; the id the new row was given."""
        ...

    def transaction(self, *, write: bool = False) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


class SqliteDatabase:
    """One sqlite3 connection in autocommit mode (``storage.sqlite.open_database``)."""

    dialect: Dialect = "sqlite"
    lock_rows = ""  # SQLite locks the whole database for a write transaction

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Answer:
        cursor = self._run(sql, params)
        return Answer(cursor.fetchall(), cursor.rowcount)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._run(sql, params).lastrowid or 0)

    def _run(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        try:
            return self.connection.execute(sql, params)
        except sqlite3.IntegrityError as error:
            if str(error).startswith("UNIQUE constraint failed"):
                raise DuplicateError(str(error)) from error
            raise  # a foreign key or NOT NULL: the caller's bug, shown as the driver said it

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[None]:
        if self._depth:
            yield
            return
        self.connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            self.connection.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        self.connection.close()


def sqlite_at(path: Path) -> SqliteDatabase:
    """A new handle on the embedded database file (WAL mode, foreign keys on)."""
    return SqliteDatabase(open_database(path))


class PostgresDatabase:
    """One psycopg connection per thread, in autocommit mode, made on first use.

    Every store call runs on the event loop's thread, one after another, so a pool would hand
    out one connection at a time anyway; psycopg_pool was tried and, returning connections
    from that thread, now and then left a statement waiting forever for a reply the server
    had sent (psycopg 3.3, the job worker's poll loop). A connection found broken (the
    database restarted) is replaced before the next statement; the statement that met the
    break fails with the driver's OperationalError."""

    dialect: Dialect = "postgresql"
    lock_rows = " FOR UPDATE"

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._opened: list[psycopg.Connection[Any]] = []
        self._guard = threading.Lock()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is None or connection.broken or connection.closed:
            connection = psycopg.connect(self.url, autocommit=True)
            self._local.connection = connection
            with self._guard:
                self._opened.append(connection)
        yield connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Answer:
        with self._connection() as connection:
            try:
                cursor = connection.execute(postgres_sql(sql), params)
            except pg_errors.UniqueViolation as error:
                raise DuplicateError(str(error)) from error
            rows = cursor.fetchall() if cursor.description else []
            return Answer(rows, cursor.rowcount)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._connection() as connection, connection.cursor() as cursor:
            cursor.executemany(postgres_sql(sql), rows)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        row = self.execute(sql + " RETURNING id", params).one()
        assert row is not None  # an INSERT ... RETURNING that succeeded returns its row
        return int(row[0])

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[None]:
        """One transaction; ``write`` needs nothing more here (rows lock as they are written,
        or by ``lock_rows``)."""
        with self._connection() as connection:
            if connection.info.transaction_status != TransactionStatus.IDLE:
                yield  # a nested transaction joins the one open on this thread
                return
            with connection.transaction():
                yield

    def close(self) -> None:
        with self._guard:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()


@lru_cache(maxsize=1024)
def postgres_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s``; a literal ``%`` doubled; quoted text untouched
    but for ``%``. Statement texts come from code, so the cache stays small."""
    out: list[str] = []
    quote = ""
    for char in sql:
        if char == "%":
            out.append("%%")
        elif quote:
            out.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)
