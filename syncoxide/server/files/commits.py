"""Commits of finished uploads, remembered for a day so a commit sent again answers as the
first did (SQLite migration 25, PostgreSQL 13).

A client whose ``POST /storage/commit`` timed out cannot tell whether the server committed:
it sends the commit again. The first commit handed the upload's bytes over, so the upload
is gone; without a record the retry would answer 404 for a file that was in fact stored.
The record is written in the same transaction as the file's row (``FileStore.put_file``),
so a file committed from an upload always has its record, and it lives in the shared
database, so the retry may reach any instance. Records older than ``KEEP_SECONDS`` are
dropped as new ones are written: a retry comes within minutes, not days.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import AlreadyExistsError, IntegrityError
from syncoxide.server.storage.database import Database

KEEP_SECONDS = 24 * 3600

COMMITS_MIGRATION = """
CREATE TABLE upload_commits (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    upload_id TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha1 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    committed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, upload_id)
);
CREATE INDEX upload_commits_by_time ON upload_commits (committed_at)
"""


@dataclass(frozen=True)
class UploadCommit:
    """What committing one upload stored: the file as the first answer described it."""

    upload_id: str
    path: str
    size: int
    mtime_ns: int
    sha1: str
    sha256: str

    def check_asked_again(self, path: str, expected_sha1: str | None) -> None:
        """Refuse a second commit of this upload that asks for something else than the
        first did: another name, or other bytes."""
        if path != self.path:
            raise AlreadyExistsError(
                f"Upload {self.upload_id!r} was committed already, as {self.path!r}.",
                hint="Nothing was changed. Upload the file again to store it under another name.",
            )
        if expected_sha1 is not None and expected_sha1.lower() != self.sha1:
            raise IntegrityError(
                f"Upload {self.upload_id!r} was committed already as {self.path!r}, with SHA-1"
                f" {self.sha1}, not the {expected_sha1} expected.",
                hint="Nothing was changed. Upload the file you meant again.",
            )


_FIELDS = "path, size, mtime_ns, sha1, sha256"


class UploadCommits:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, user_id: int, commit: UploadCommit, now: int) -> None:
        """Remember the commit (inside the caller's transaction) and forget stale ones."""
        self._db.execute("DELETE FROM upload_commits WHERE committed_at < ?", (now - KEEP_SECONDS,))
        self._db.execute(
            f"INSERT INTO upload_commits (user_id, upload_id, {_FIELDS}, committed_at)"  # noqa: S608
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, commit.upload_id, commit.path, commit.size, commit.mtime_ns,
             commit.sha1, commit.sha256, now),
        )  # fmt: skip

    def find(self, user_id: int, upload_id: str, now: int) -> UploadCommit | None:
        """The upload's commit if it was committed within ``KEEP_SECONDS``."""
        row = self._db.execute(
            f"SELECT {_FIELDS} FROM upload_commits"  # noqa: S608
            " WHERE user_id = ? AND upload_id = ? AND committed_at >= ?",
            (user_id, upload_id, now - KEEP_SECONDS),
        ).one()
        return None if row is None else UploadCommit(upload_id, *row)
