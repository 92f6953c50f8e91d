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
the event loop; docs/scaling.md says so. The PostgreSQL handle is in postgres_database.py,
so the embedded default never imports psycopg.

A read that is long and stands alone (a catalog search, a refresh's read of a whole index)
may run on a worker thread instead, through ``readers()``, on connections of their own that
read what is committed, one per thread: on PostgreSQL, the handle's own per-thread
connections, so the event loop serves other requests while the database server computes; on
SQLite, read-only connections to the same file (``SqliteReaders``), which WAL lets read beside
the writer. sqlite3 lets go of the GIL while SQLite steps a statement, so a search computes
beside the event loop, and two searches beside each other on two cores.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar

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


class Reads(Protocol):
    """Statements apart from the event loop's connection, from any thread
    (``Database.readers``): reads, which see what is committed, and PostgreSQL's ANALYZE."""

    dialect: Dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Answer: ...


class Readers(Reads, Protocol):
    """``Reads`` on a connection per thread, kept until told to close them."""

    def close_ended(self) -> None:
        """Close the connections of threads that have ended (a stopped pool's)."""
        ...


class Database(Protocol):
    dialect: Dialect
    lock_rows: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Answer: ...
    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT into a table with an ``id`` key; the id the new row was given."""
        ...

    def transaction(self, *, write: bool = False) -> AbstractContextManager[None]: ...

    def readers(self) -> Readers | None:
        """Connections for reads on worker threads, or None: read inline, on the event loop."""
        ...

    def close(self) -> None: ...


class SqliteDatabase:
    """One sqlite3 connection in autocommit mode (``storage.sqlite.open_database``)."""

    dialect: Dialect = "sqlite"
    lock_rows = ""  # SQLite locks the whole database for a write transaction

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self._depth = 0
        self._readers: SqliteReaders | None = None
        self.closed = False

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

    def readers(self) -> SqliteReaders | None:
        """Read-only connections to this file, made once; None for a database in memory,
        which no other connection can open."""
        if self._readers is None:
            file = self.connection.execute("PRAGMA database_list").fetchone()[2]
            if not file:
                return None
            mmap = self.connection.execute("PRAGMA mmap_size").fetchone()[0]
            self._readers = SqliteReaders(Path(file), mmap_bytes=mmap)
        return self._readers

    def close(self) -> None:
        """Close the connection and its readers' (again: nothing more happens)."""
        if self._readers is not None:
            self._readers.close()
        self.connection.close()
        self.closed = True


class SqliteHandles:
    """The handles a server opened on its SQLite file, one per store (``store_database``),
    each with its own writer connection: closed together at shutdown, once, so the last one
    closed checkpoints the WAL into the file and no lock or ``-wal`` outlives the server."""

    def __init__(self) -> None:
        self._handles: list[SqliteDatabase] = []
        self._guard = threading.Lock()

    def opened(self, handle: SqliteDatabase) -> SqliteDatabase:
        with self._guard:
            self._handles.append(handle)
        return handle

    @property
    def open_count(self) -> int:
        with self._guard:
            return sum(not handle.closed for handle in self._handles)

    def close(self) -> None:
        """Close every handle opened so far; closing again does nothing."""
        with self._guard:
            handles, self._handles = self._handles, []
        for handle in handles:
            handle.close()


class _Closable(Protocol):
    def close(self) -> None: ...


Connection = TypeVar("Connection", bound=_Closable)


class ThreadConnections(Generic[Connection]):
    """One connection per thread, kept by the thread that made it, and closed from any thread:
    those of threads that ended (``close_ended``: a thread's connection would otherwise
    outlive it), or all of them (``close``, at shutdown)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[tuple[threading.Thread, Connection]] = []
        self._guard = threading.Lock()

    def mine(self) -> Connection | None:
        """This thread's connection, if it made one."""
        found: Connection | None = getattr(self._local, "connection", None)
        return found

    def keep(self, connection: Connection) -> Connection:
        """Keep ``connection`` as this thread's."""
        self._local.connection = connection
        with self._guard:
            self._opened.append((threading.current_thread(), connection))
        return connection

    def kept(self) -> list[Connection]:
        with self._guard:
            return [connection for _, connection in self._opened]

    def close_ended(self) -> None:
        with self._guard:
            ended = [pair for pair in self._opened if not pair[0].is_alive()]
            self._opened = [pair for pair in self._opened if pair[0].is_alive()]
        for _, connection in ended:
            connection.close()

    def close(self) -> None:
        with self._guard:
            opened, self._opened = self._opened, []
        for _, connection in opened:
            connection.close()


class SqliteReaders:
    """Read-only connections to one SQLite file, one per thread that reads, made on first use.

    Each reads the last commit, even while the handle's connection is in a write transaction
    (WAL). They map the file as the handle's connection did when ``readers()`` was first
    asked (the catalog's ``mmap_size`` makes its searches faster: catalog/sqlite.py)."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path, *, mmap_bytes: int) -> None:
        self._uri = path.resolve().as_uri() + "?mode=ro"
        self._mmap_bytes = mmap_bytes
        self._connections: ThreadConnections[sqlite3.Connection] = ThreadConnections()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Answer:
        cursor = self._connection().execute(sql, params)
        return Answer(cursor.fetchall(), cursor.rowcount)

    def _connection(self) -> sqlite3.Connection:
        connection = self._connections.mine()
        if connection is None:
            # closed from another thread: the one that stopped the pool (``close_ended``)
            connection = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout=5000")
            connection.execute(f"PRAGMA mmap_size = {int(self._mmap_bytes)}")
            self._connections.keep(connection)
        return connection

    def close_ended(self) -> None:
        self._connections.close_ended()

    def close(self) -> None:
        self._connections.close()


def sqlite_at(path: Path) -> SqliteDatabase:
    """A new handle on the embedded database file (WAL mode, foreign keys on)."""
    return SqliteDatabase(open_database(path))
