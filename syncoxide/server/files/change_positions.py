"""Positions of changes to users' files, in the order they were committed, for the change
feed's tokens (files/change_feed.py).

Each change an instance commits takes the next position (``recording``, around the statements
that record it), and every instance learns of it with that position: its own changes at once,
the others' on the bus (files/change_relay.py). A token names a position, so it means the same
on every instance of a deployment.

    ProcessPositions   the embedded default: a counter in this process. Its era is random
                       per start, so a token from before a restart answers "look at
                       everything" (nothing recorded what changed while it was down).
    SharedPositions    with a bus: a counter in the deployment's database (SQLite migration
                       27, PostgreSQL 15: a sequence, taken without locking a row), one era
                       for the whole deployment.

Where a position is taken:

    SQLite      inside the change's own write transaction (``BEGIN IMMEDIATE``): SQLite lets
                one writer in at a time, so positions follow the commit order, and a change
                and its position commit together or not at all (a crash or rollback leaves
                neither). One write transaction a change instead of two: half the lock.
    PostgreSQL  right after the change committed, from a sequence: writers on many instances
                commit side by side, and ``nextval`` in their transactions would hand out
                positions out of commit order (and burn one on each rollback).
    in memory   right after the change committed (the event loop is the one writer).

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

#: SQLite: one row, the last position taken.
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
        if self._db.dialect == "postgresql":
            row = self._db.execute("SELECT nextval('storage_change_positions')").one()
        else:
            row = self._db.execute(
                "UPDATE storage_change_positions SET position = position + 1 RETURNING position"
            ).one()
        assert row is not None  # the migration made the row (the sequence)
        return int(row[0])

    def recording(self) -> AbstractContextManager[Taken]:
        if self._db.dialect == "postgresql":
            return _taken_after(self.take)
        return self._taken_within()

    @contextmanager
    def _taken_within(self) -> Iterator[Taken]:
        """SQLite: the change's statements and its position in one write transaction, taken
        first (``BEGIN IMMEDIATE``), so no other writer commits in between. The position is
        the transaction's last statement: a change that fails takes none."""
        taken = Taken()
        with self._db.transaction(write=True):
            yield taken
            taken.position = self.take()

    def current(self) -> int:
        if self._db.dialect == "postgresql":
            sql = (  # a sequence never taken from shows its start value, not yet called
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
                " FROM storage_change_positions"
            )
        else:
            sql = "SELECT position FROM storage_change_positions"
        row = self._db.execute(sql).one()
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
