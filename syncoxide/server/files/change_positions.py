"""Positions of changes to users' files, in the order they were committed, for the change
feed's tokens (files/change_feed.py).

Each change an instance commits takes the next position (``recording``, around the statements
that record it), and every instance learns of it with that position: its own changes at once,
the others' on the bus (files/change_relay.py). A token names a position, so it means the same
on every instance of a deployment.

    ProcessPositions   the embedded default: a counter in this process. Its era is random
                       per start, so a token from before a restart answers "look at
                       everything" (nothing recorded what changed while it was down).
    SharedPositions    with a bus: a one-row counter in the deployment's database (SQLite
                       migration 27, PostgreSQL 17), one era for the whole deployment.

Where a position is taken (``recording``): with a bus, on either database, as the last statement
of the change's own write transaction, by ``UPDATE ... SET position = position + 1``. The
change and its position commit together or not at all: a rollback, a failed position or a
process that dies before the commit leaves neither, so no change goes untold to the other
instances and no position is burnt (a gap every follower would wait on, then answer "look at
everything" for). Positions follow the commit order:

    SQLite      lets one writer in at a time (``BEGIN IMMEDIATE``): the writer that takes
                position n commits before the next writer even begins.
    PostgreSQL  the UPDATE locks the counter's row until the transaction ends; the next
                writer's UPDATE waits for that commit, then reads the value it committed.
                Position n+1 is thus handed out only once position n is committed (and n
                is gone again if its transaction rolled back). A sequence would not do:
                ``nextval`` in transactions committing side by side hands out numbers out of
                commit order and burns one on each rollback. ``pg_advisory_xact_lock`` before
                ``nextval`` orders them too, but burns a number whenever the commit fails or
                the process dies after the ``nextval`` (a gap) and costs a second statement;
                measured against the row, it was no faster (docs/scaling.md).
    in memory   right after the change committed (the event loop is the one writer).

The price is that writers of changes commit one after another from the counter's UPDATE to
their commit: one statement's round trip and a commit (its WAL flush on PostgreSQL). The
counter is the transaction's last statement, so that is all the lock is held for, and a
writer waiting on it holds no lock the holder could want (no deadlock).

Either way a position is known (``current``) only once its change is committed, so whoever
holds a token has had every change up to it committed; what it missed is in the positions
after it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from syncoxide.server.storage.database import Database

log = logging.getLogger("syncoxide.server.files")

#: SQLite: one row, the last position taken (PostgreSQL's is postgres_schema.py's).
POSITIONS_MIGRATION = """
CREATE TABLE storage_change_positions (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
);
INSERT INTO storage_change_positions (id, position) VALUES (1, 0)
"""

#: The era of positions kept in the deployment's database.
SHARED_ERA = "d"


@dataclass
class Taken:
    """The position one change took: 0 until it is taken, and when it could not be."""

    position: int = 0


class ChangePositions(Protocol):
    #: Tokens of another era answer "look at everything".
    era: str

    def take(self) -> int:
        """The next position, for a change just committed."""
        ...

    def current(self) -> int:
        """The last position taken (by any instance), 0 before the first."""
        ...

    def recording(self) -> AbstractContextManager[Taken]:
        """Around the statements that record one change (no ``await`` inside): the position
        it took, once the block is left without an error."""
        ...


class ProcessPositions:
    def __init__(self) -> None:
        self.era = secrets.token_hex(6)
        self._last = 0

    def take(self) -> int:
        self._last += 1
        return self._last

    def current(self) -> int:
        return self._last

    def recording(self) -> AbstractContextManager[Taken]:
        return _taken_after(self.take)


class SharedPositions:
    era = SHARED_ERA

    def __init__(self, database: Database) -> None:
        self._db = database

    def take(self) -> int:
        row = self._db.execute(
            "UPDATE storage_change_positions SET position = position + 1 RETURNING position"
        ).one()
        assert row is not None  # the migration made the row
        return int(row[0])

    @contextmanager
    def recording(self) -> Iterator[Taken]:
        """The change's statements and its position in one write transaction. The position is
        the transaction's last statement: a change that fails takes none, and the counter is
        locked (PostgreSQL) or the database written (SQLite) only from there to the commit."""
        taken = Taken()
        with self._db.transaction(write=True):
            yield taken
            taken.position = self.take()

    def current(self) -> int:
        row = self._db.execute("SELECT position FROM storage_change_positions").one()
        assert row is not None
        return int(row[0])


@contextmanager
def _taken_after(take: Callable[[], int]) -> Iterator[Taken]:
    """The position taken once the change's statements are done (committed, each in its own
    transaction or autocommit)."""
    taken = Taken()
    yield taken
    taken.position = taken_or_none(take)


def taken_or_none(take: Callable[[], int]) -> int:
    """The next position; 0 (unknown) when the database could not give one, as the change
    is committed already and its listeners must hear of it all the same."""
    try:
        return take()
    except Exception as error:  # the driver's errors: the database is out
        log.warning("a change to a user's files took no position: %s", error)
        return 0
