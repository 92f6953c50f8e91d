"""Positions of changes to users' files, in the order they were committed, for the change
feed's tokens (files/change_feed.py).

Each change an instance commits takes the next position right after its commit
(``ChangeFanout.tell``), and every instance learns of it with that position: its own changes
at once, the others' on the bus (files/change_relay.py). A token names a position, so it
means the same on every instance of a deployment.

    ProcessPositions   the embedded default: a counter in this process. Its era is random
                       per start, so a token from before a restart answers "look at
                       everything" (nothing recorded what changed while it was down).
    SharedPositions    with a bus: a counter in the deployment's database (SQLite migration
                       27, PostgreSQL 15: a sequence, taken without locking a row), one era
                       for the whole deployment.

A position is taken after its change committed, so whoever holds a token has had every change
up to it committed; what it missed is in the positions after it.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from syncoxide.server.storage.database import Database

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


class ChangePositions(Protocol):
    #: Tokens of another era answer "look at everything".
    era: str

    def take(self) -> int:
        """The next position, for a change just committed."""
        ...

    def current(self) -> int:
        """The last position taken (by any instance), 0 before the first."""
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
