"""What the polls of provider folders saw, so each arrival becomes a job once.

Each method is one statement (or one short transaction), like the queue's: several server
processes sharing the database agree on which of them saw a file first, because only the
write that changes a row counts (``arrived``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager

from syncoxide.automation.handoff_retry import HandoffFailure
from syncoxide.providers.contract import Entry
from syncoxide.server.storage.database import Database

#: A file waiting for its quiet window: (fingerprint it waits at, when first seen so).
Wait = tuple[str, float]
OURS_UNSEEN = ""  # a result we wrote that no poll has listed yet


def fingerprint(entry: Entry) -> str:
    """Size and time: what a listing gives for free on every provider."""
    return f"{entry.size}:{entry.mtime_ns}"


class SeenStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    def looked_at(self, rule_id: int, place: str) -> bool:
        row = self._db.execute(
            "SELECT place FROM automation_watches WHERE rule_id = ?", (rule_id,)
        ).one()
        return row is not None and row[0] == place

    def watching_since(self, rule_id: int) -> float | None:
        """When the rule's poll first looked at its place (None: not yet)."""
        row = self._db.execute(
            "SELECT looked_at FROM automation_watches WHERE rule_id = ?", (rule_id,)
        ).one()
        return None if row is None else float(row[0])

    def first_look(self, rule_id: int, place: str, entries: Iterable[Entry]) -> None:
        """Remember what is already there (not arrivals) and the place it was in."""
        with self._db.transaction(write=True):
            self._db.execute("DELETE FROM automation_seen WHERE rule_id = ?", (rule_id,))
            self._db.execute_many(
                "INSERT INTO automation_seen (rule_id, path, fingerprint) VALUES (?, ?, ?)",
                [(rule_id, entry.path, fingerprint(entry)) for entry in entries],
            )
            self._db.execute(
                "INSERT INTO automation_watches (rule_id, place, looked_at) VALUES (?, ?, ?)"
                " ON CONFLICT (rule_id) DO UPDATE"
                " SET place = excluded.place, looked_at = excluded.looked_at",
                (rule_id, place, self.clock()),
            )

    def fingerprints(self, rule_id: int) -> dict[str, str]:
        """Each file's fingerprint as last recorded (path -> fingerprint), in one read."""
        rows = self._db.execute(
            "SELECT path, fingerprint FROM automation_seen WHERE rule_id = ?", (rule_id,)
        ).rows
        return {str(row[0]): str(row[1]) for row in rows}

    def forget_missing(self, rule_id: int, present: set[str]) -> None:
        """Files gone from the folder: one put back later is an arrival again, and has no
        failed hand-offs behind it."""
        for table in ("automation_seen", "automation_handoff_failures"):
            rows = self._db.execute(
                f"SELECT path FROM {table} WHERE rule_id = ?",  # noqa: S608 - names from code
                (rule_id,),
            ).rows
            gone = [(rule_id, row[0]) for row in rows if row[0] not in present]
            self._db.execute_many(
                f"DELETE FROM {table} WHERE rule_id = ? AND path = ?",  # noqa: S608
                gone,
            )

    # -- files whose hand-off failed ------------------------------------------------------

    def handoff_failures(self, rule_id: int) -> dict[str, HandoffFailure]:
        """The rule's files whose last hand-off failed (path -> record)."""
        rows = self._db.execute(
            "SELECT path, fingerprint, attempts, retry_at, reason, given_up"
            " FROM automation_handoff_failures WHERE rule_id = ?",
            (rule_id,),
        ).rows
        return {
            str(row[0]): HandoffFailure(str(row[1]), int(row[2]), float(row[3]), str(row[4]),
                                        bool(row[5]))
            for row in rows
        }  # fmt: skip

    def handoff_failed(self, rule_id: int, path: str, failure: HandoffFailure) -> None:
        """Record a failed hand-off; the file's quiet wait is over (it had settled)."""
        with self._db.transaction(write=True):
            self._db.execute(
                "DELETE FROM automation_waits WHERE rule_id = ? AND path = ?", (rule_id, path)
            )
            self._db.execute(
                "INSERT INTO automation_handoff_failures (rule_id, path, fingerprint, attempts,"
                " retry_at, reason, given_up) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (rule_id, path) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " attempts = excluded.attempts, retry_at = excluded.retry_at,"
                " reason = excluded.reason, given_up = excluded.given_up",
                (rule_id, path, failure.fingerprint, failure.attempts, failure.retry_at,
                 failure.reason, failure.given_up),
            )  # fmt: skip

    # -- files waiting for their quiet window ---------------------------------------------

    def waits(self, rule_id: int) -> dict[str, Wait]:
        """What the rule's polls wait on (path -> wait), as a restarted process resumes it."""
        rows = self._db.execute(
            "SELECT path, fingerprint, since FROM automation_waits WHERE rule_id = ?", (rule_id,)
        ).rows
        return {str(row[0]): (str(row[1]), float(row[2])) for row in rows}

    def keep_waits(self, rule_id: int, waits: Mapping[str, Wait], *, handing: set[str]) -> None:
        """Record what the rule waits on now. Rows of ``handing`` (settled, about to be
        handed over) stay until their hand-off's transaction takes them, so a process stopped
        in between still finds them settled; any other row not in ``waits`` is dropped."""
        with self._db.transaction(write=True):
            kept = self.waits(rule_id)
            gone = [(rule_id, path) for path in kept if path not in waits and path not in handing]
            self._db.execute_many(
                "DELETE FROM automation_waits WHERE rule_id = ? AND path = ?", gone
            )
            self._db.execute_many(
                "INSERT INTO automation_waits (rule_id, path, fingerprint, since)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (rule_id, path) DO UPDATE"
                " SET fingerprint = excluded.fingerprint, since = excluded.since",
                [(rule_id, path, *wait) for path, wait in waits.items() if kept.get(path) != wait],
            )

    def handing_over(self) -> AbstractContextManager[None]:
        """One transaction for recording an arrival and making its job (the job queue is on
        this database): a process stopped between the two, or a queue that fails, leaves
        the file unrecorded, so the next poll, of this process or a restarted one, takes it
        up again rather than finding it handled."""
        return self._db.transaction(write=True)

    def arrived(self, rule_id: int, entry: Entry) -> bool:
        """Record the file, and end its wait and its failed hand-offs; True only for the one
        call that finds it new or changed."""
        for table in ("automation_waits", "automation_handoff_failures"):
            self._db.execute(
                f"DELETE FROM {table} WHERE rule_id = ? AND path = ?",  # noqa: S608 - names from code
                (rule_id, entry.path),
            )
        cursor = self._db.execute(
            "INSERT INTO automation_seen (rule_id, path, fingerprint) VALUES (?, ?, ?)"
            " ON CONFLICT (rule_id, path) DO UPDATE SET fingerprint = excluded.fingerprint"
            " WHERE automation_seen.fingerprint != excluded.fingerprint",
            (rule_id, entry.path, fingerprint(entry)),
        )
        return cursor.rowcount == 1

    # -- results written into providers ------------------------------------------------

    def writing_output(self, connection_id: int, path: str) -> None:
        """Called before a result is written to ``path`` (from the connection's root)."""
        self._db.execute(
            "INSERT INTO automation_outputs (connection_id, path, fingerprint) VALUES (?, ?, ?)"
            " ON CONFLICT (connection_id, path) DO UPDATE SET fingerprint = excluded.fingerprint",
            (connection_id, path, OURS_UNSEEN),
        )

    def is_our_output(self, connection_id: int, path: str, entry: Entry) -> bool:
        """True when the listed file is a result we wrote and nobody changed since; the
        first listing of it fixes the fingerprint it must keep."""
        row = self._db.execute(
            "SELECT fingerprint FROM automation_outputs WHERE connection_id = ? AND path = ?",
            (connection_id, path),
        ).one()
        if row is None:
            return False
        if row[0] == OURS_UNSEEN:
            self._db.execute(
                "UPDATE automation_outputs SET fingerprint = ?"
                " WHERE connection_id = ? AND path = ?",
                (fingerprint(entry), connection_id, path),
            )
            return True
        return bool(row[0] == fingerprint(entry))
