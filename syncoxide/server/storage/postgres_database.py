"""The database handle on PostgreSQL (see database.py for what every handle does alike).

In a module of its own so the embedded default never imports psycopg (~0.25 s at start).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

from syncoxide.server.storage.database import Answer, Dialect, Readers, ThreadConnections
from syncoxide.server.storage.port import DuplicateError


class PostgresDatabase:
    """One psycopg connection per thread, in autocommit mode, made on first use.

    Every store call runs on the event loop's thread, one after another, so a pool would hand
    out one connection at a time anyway; psycopg_pool was tried and, returning connections
    from that thread, now and then left a statement waiting forever for a reply the server
    had sent (psycopg 3.3, the job worker's poll loop). A connection found broken (the
    database restarted) is replaced before the next statement; the statement that met the
    break fails with the driver's OperationalError.

    A thread that ends leaves its connection behind (a test client runs each request on a
    thread and loop of its own): connections of threads that ended are closed whenever a new
    one is made, so what the process holds stays bounded by its live threads."""

    dialect: Dialect = "postgresql"
    lock_rows = " FOR UPDATE"

    def __init__(self, url: str) -> None:
        self.url = url
        self._connections: ThreadConnections[psycopg.Connection[Any]] = ThreadConnections()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        connection = self._connections.mine()
        if connection is None or connection.broken or connection.closed:
            self.close_ended()
            connection = self._connections.keep(psycopg.connect(self.url, autocommit=True))
        yield connection

    @property
    def open_connections(self) -> int:
        """How many connections are open (those of ended threads are closed first)."""
        self.close_ended()
        return sum(not connection.closed for connection in self._connections.kept())

    def close_ended(self) -> None:
        """Close the connections of threads that have ended."""
        self._connections.close_ended()

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

    def readers(self) -> Readers:
        """This handle: each worker thread has a connection of its own already."""
        return self

    def close(self) -> None:
        self._connections.close()


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
