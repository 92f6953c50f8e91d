"""Backup keys, repositories, provider backup rules, their runs and restores (migration 12).

Every read and write of a user's things takes the user's id, so a row of another user is
simply not found (the API answers 404, never 403: ids of others are not confirmed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.port import DuplicateError
from syncoxide.server.storage.records import RecordTable


@dataclass(frozen=True)
class BackupKey:
    """An SSH public key that reaches its owner's hosted area through ``borg serve``."""

    id: int
    user_id: int
    label: str
    public_key: str  # "TYPE BASE64"
    append_only: bool
    quota: str  # borg's spelling (50G) or "" for none
    created_at: int


@dataclass(frozen=True)
class BackupRepository:
    """A repository in the user's hosted area (``BACKUPS/user-ID/NAME``)."""

    id: int
    user_id: int
    name: str
    encryption: str
    #: Sealed with the server's connection key; "" when the server does not keep it.
    passphrase: str = field(repr=False)
    created_at: int
    #: ``ssh://user@host:port/path`` of a repository on the user's own server; "" when it
    #: is in the hosted area.
    url: str = ""
    #: That server's host key (``TYPE BASE64``), pinned when the repository was added.
    host_key: str = ""


@dataclass(frozen=True)
class BackupRule:
    """Back up a folder of a provider connection into a repository on a schedule."""

    id: int
    user_id: int
    name: str
    connection_id: int
    source_path: str
    repository_id: int
    prefix: str  # archive names: PREFIX-YYYY-MM-DDTHH:MM:SS
    schedule: str  # syncoxide.backup.schedule spelling: "daily at 02:30", "every 6h"
    retention: dict[str, int]  # keep_daily, keep_weekly, ... (empty: keep everything)
    enabled: bool
    status: str  # idle, running, ok, failed, reconnect
    status_message: str
    next_run_at: int
    last_run_at: int | None
    created_at: int


@dataclass(frozen=True)
class BackupRun:
    id: int
    rule_id: int
    trigger: str  # schedule or manual
    status: str  # running, ok, failed, reconnect, interrupted
    started_at: int
    finished_at: int | None
    archive: str
    files: int
    bytes: int
    added: int  # bytes this archive stored anew (deduplicated)
    message: str


@dataclass(frozen=True)
class BackupRestore:
    """Files of an archive written back into a provider connection."""

    id: int
    user_id: int
    repository_id: int
    archive: str
    path: str  # inside the archive; "" for all of it
    connection_id: int
    dest_path: str
    status: str  # running, ok, failed, cancelled, interrupted
    files: int  # files written so far
    bytes: int  # bytes so far (borg's own progress count while it streams)
    message: str
    started_at: int
    finished_at: int | None
    files_total: int = 0  # from the archive's listing, before anything is written
    bytes_total: int = 0
    cancel_requested: bool = False  # set by any instance, read by the one restoring


@dataclass(frozen=True)
class BackupIdentity:
    """The SSH key pair the server made for a user, to reach the user's own SSH servers."""

    user_id: int
    public_key: str  # TYPE BASE64
    private_key: str = field(repr=False)  # sealed with the connections' key
    created_at: int


class KeyInUseError(Exception):
    """That SSH key is registered already (by this user or another)."""


_CUT = "The server stopped during this run; nothing of it was kept."
_RESTORE_CUT = (
    "The server stopped during this restore; the files written before it are in place "
    "(whole files only). Start it again to finish."
)


class BackupStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.keys = RecordTable(
            db, "backup_keys", BackupKey, bool_fields=frozenset({"append_only"})
        )
        self.repositories = RecordTable(db, "backup_repositories", BackupRepository)
        self.rules = RecordTable(
            db,
            "backup_rules",
            BackupRule,
            json_fields=frozenset({"retention"}),
            bool_fields=frozenset({"enabled"}),
        )
        self.runs = RecordTable(db, "backup_runs", BackupRun)
        self.restores = RecordTable(
            db, "backup_restores", BackupRestore, bool_fields=frozenset({"cancel_requested"})
        )

    @classmethod
    def open(cls, path: Path) -> BackupStore:
        return cls(sqlite_at(path))

    # keys

    async def add_key(self, key: BackupKey) -> BackupKey:
        try:
            return self.keys.insert(key)
        except DuplicateError as error:
            raise KeyInUseError from error

    async def user_keys(self, user_id: int) -> Sequence[BackupKey]:
        return self.keys.select("user_id = ? ORDER BY id", user_id)

    async def all_keys(self) -> Sequence[BackupKey]:
        return self.keys.select("TRUE ORDER BY id")

    async def delete_key(self, user_id: int, key_id: int) -> bool:
        return self.keys.delete("user_id = ? AND id = ?", user_id, key_id) == 1

    # repositories

    async def add_repository(self, repository: BackupRepository) -> BackupRepository:
        return self.repositories.insert(repository)

    async def repository(self, user_id: int, repository_id: int) -> BackupRepository | None:
        return self.repositories.one("user_id = ? AND id = ?", user_id, repository_id)

    async def repository_named(self, user_id: int, name: str) -> BackupRepository | None:
        return self.repositories.one("user_id = ? AND name = ?", user_id, name)

    async def user_repositories(self, user_id: int) -> Sequence[BackupRepository]:
        return self.repositories.select("user_id = ? ORDER BY name", user_id)

    async def save_repository(self, repository: BackupRepository) -> None:
        self.repositories.update(repository)

    async def delete_repository(self, user_id: int, repository_id: int) -> bool:
        return self.repositories.delete("user_id = ? AND id = ?", user_id, repository_id) == 1

    # the SSH identity the server uses for a user's own servers

    async def identity(self, user_id: int) -> BackupIdentity | None:
        row = self._db.execute(
            "SELECT public_key, private_key, created_at FROM backup_identities WHERE user_id = ?",
            (user_id,),
        ).one()
        return BackupIdentity(user_id, row[0], row[1], int(row[2])) if row else None

    async def add_identity(self, identity: BackupIdentity) -> BackupIdentity:
        """Store it unless the user has one already (two first requests at once); the one kept."""
        self._db.execute(
            "INSERT INTO backup_identities (user_id, public_key, private_key, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
            (identity.user_id, identity.public_key, identity.private_key, identity.created_at),
        )
        kept = await self.identity(identity.user_id)
        assert kept is not None
        return kept

    # rules and their runs

    async def add_rule(self, rule: BackupRule) -> BackupRule:
        return self.rules.insert(rule)

    async def rule(self, user_id: int, rule_id: int) -> BackupRule | None:
        return self.rules.one("user_id = ? AND id = ?", user_id, rule_id)

    async def user_rules(self, user_id: int) -> Sequence[BackupRule]:
        return self.rules.select("user_id = ? ORDER BY id", user_id)

    async def save_rule(self, rule: BackupRule) -> None:
        self.rules.update(rule)

    async def delete_rule(self, user_id: int, rule_id: int) -> bool:
        return self.rules.delete("user_id = ? AND id = ?", user_id, rule_id) == 1

    async def due_rules(self, now: int) -> Sequence[BackupRule]:
        """Enabled rules whose time has come, oldest first (not running, not waiting)."""
        return self.rules.select(
            "enabled = TRUE AND next_run_at <= ? AND status NOT IN ('running', 'reconnect')"
            " ORDER BY next_run_at",
            now,
        )

    async def rules_using_connection(self, connection_id: int) -> Sequence[BackupRule]:
        return self.rules.select("connection_id = ?", connection_id)

    async def add_run(self, run: BackupRun) -> BackupRun:
        return self.runs.insert(run)

    async def save_run(self, run: BackupRun) -> None:
        self.runs.update(run)

    async def rule_runs(self, rule_id: int, limit: int) -> Sequence[BackupRun]:
        return self.runs.select("rule_id = ? ORDER BY id DESC LIMIT ?", rule_id, limit)

    async def interrupted_at_start(self, now: int) -> int:
        """Runs and restores a stopped server left 'running' are marked interrupted.

        A backup interrupted this way committed nothing (borg keeps only finished archives,
        plus a checkpoint it may have written); the rule's next run starts afresh."""
        for table, message in (("backup_runs", _CUT), ("backup_restores", _RESTORE_CUT)):
            self._db.execute(
                f"UPDATE {table} SET status = 'interrupted', finished_at = ?, message = ?"  # noqa: S608
                " WHERE status = 'running'",
                (now, message),
            )
        return self._db.execute(
            "UPDATE backup_rules SET status = 'idle' WHERE status = 'running'"
        ).rowcount

    async def marked_running(self, started_before: int) -> tuple[list[int], list[int]]:
        """The ids of the rules marked 'running', and of the restores marked so since before
        ``started_before`` (a restore is filed a moment before its lease is taken)."""
        rules = self._db.execute("SELECT id FROM backup_rules WHERE status = 'running'")
        restores = self._db.execute(
            "SELECT id FROM backup_restores WHERE status = 'running' AND started_at < ?",
            (started_before,),
        )
        return [int(r[0]) for r in rules], [int(r[0]) for r in restores]

    async def interrupt_rule(self, rule_id: int, now: int) -> None:
        """One rule's cut run, as ``interrupted_at_start`` for the rule of a dead instance."""
        self._db.execute(
            "UPDATE backup_runs SET status = 'interrupted', finished_at = ?, message = ?"
            " WHERE status = 'running' AND rule_id = ?",
            (now, _CUT, rule_id),
        )
        self._db.execute(
            "UPDATE backup_rules SET status = 'idle' WHERE status = 'running' AND id = ?",
            (rule_id,),
        )

    async def interrupt_restore(self, restore_id: int, now: int) -> None:
        self._db.execute(
            "UPDATE backup_restores SET status = 'interrupted', finished_at = ?, message = ?"
            " WHERE status = 'running' AND id = ?",
            (now, _RESTORE_CUT, restore_id),
        )

    # restores

    async def add_restore(self, restore: BackupRestore) -> BackupRestore:
        return self.restores.insert(restore)

    async def save_restore(self, restore: BackupRestore) -> None:
        self.restores.update(restore)

    async def restore(self, user_id: int, restore_id: int) -> BackupRestore | None:
        return self.restores.one("user_id = ? AND id = ?", user_id, restore_id)

    async def user_restores(self, user_id: int, limit: int) -> Sequence[BackupRestore]:
        return self.restores.select("user_id = ? ORDER BY id DESC LIMIT ?", user_id, limit)

    async def save_restore_progress(self, restore: BackupRestore) -> bool:
        """Write how far a running restore is; False once a cancel was asked for it.

        Only the counts are written, so a cancel set meanwhile by another instance stays."""
        self._db.execute(
            "UPDATE backup_restores SET files = ?, bytes = ?, files_total = ?, bytes_total = ?"
            " WHERE id = ? AND status = 'running'",
            (restore.files, restore.bytes, restore.files_total, restore.bytes_total, restore.id),
        )
        row = self._db.execute(
            "SELECT cancel_requested FROM backup_restores WHERE id = ?", (restore.id,)
        ).one()
        return not (row and row[0])

    async def request_cancel(self, user_id: int, restore_id: int) -> bool:
        """Ask a running restore to stop, wherever it runs; False if it is not running."""
        return (
            self._db.execute(
                "UPDATE backup_restores SET cancel_requested = TRUE"
                " WHERE user_id = ? AND id = ? AND status = 'running'",
                (user_id, restore_id),
            ).rowcount
            == 1
        )
