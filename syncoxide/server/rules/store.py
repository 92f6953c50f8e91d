"""Connections, sync rules and their runs in the server's database (SQLite migration 4).

Like ``syncoxide.server.links.store``, every method is one statement through the shared
handle (storage/database.py), on SQLite or PostgreSQL alike. Every read and write of a
user's things takes the user's id: a row of another user is simply not found.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.port import DuplicateError


@dataclass(frozen=True)
class Connection:
    id: int
    user_id: int
    name: str
    kind: str  # a remote type: s3, webdav, sftp, gdrive, dropbox
    options: dict[str, str]  # the options that are not secret
    secrets: dict[str, str] = field(
        repr=False
    )  # sealed values, see syncoxide.server.rules.connections
    state: str  # "ok", "reconnect" (credentials refused), "unchecked"
    state_message: str
    created_at: int
    checked_at: int | None


@dataclass(frozen=True)
class Rule:
    id: int
    user_id: int
    name: str
    source_id: int
    source_path: str
    dest_id: int
    dest_path: str
    mode: str  # copy, sync, bisync
    conflict: str  # a bisync conflict policy
    interval_seconds: int
    enabled: bool
    status: str  # idle, running, ok, partial, failed, reconnect, held (a safety stop)
    status_message: str
    next_run_at: int
    last_run_at: int | None
    created_at: int
    #: Also run when the source's changes feed reports a change (Drive, Dropbox).
    on_change: bool = False


@dataclass(frozen=True)
class RuleRun:
    id: int
    rule_id: int
    trigger: str  # schedule or manual
    status: str  # running, ok, partial, failed, reconnect, held, interrupted
    started_at: int
    finished_at: int | None
    actions: int
    failed: int
    conflicts: int
    bytes: int
    message: str
    details: dict[str, Any]


_JSON_FIELDS = {"options", "secrets", "details"}
_BOOL_FIELDS = {"enabled", "on_change"}


def _columns(cls: Any) -> list[str]:
    return [f.name for f in fields(cls)]


def _record(cls: Any, row: Any) -> Any:
    values = dict(zip(_columns(cls), row, strict=True))
    for name in _JSON_FIELDS & values.keys():
        values[name] = json.loads(values[name])
    for name in _BOOL_FIELDS & values.keys():
        values[name] = bool(values[name])
    return cls(**values)


def _stored(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


_INTERRUPT_RUNS = (
    "UPDATE rule_runs SET status = 'interrupted', finished_at = ?,"
    " message = 'The server stopped during this run; the next run resumes it.'"
)
_TABLES = {Connection: "connections", Rule: "sync_rules", RuleRun: "rule_runs"}


class RuleStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    @classmethod
    def open(cls, path: Path) -> RuleStore:
        return cls(sqlite_at(path))

    def _insert(self, record: Any) -> Any:
        """Insert ``record`` (its id ignored) and return it with the id it was given."""
        names = [name for name in _columns(type(record)) if name != "id"]
        values = [_stored(getattr(record, name)) for name in names]
        sql = (
            f"INSERT INTO {_TABLES[type(record)]} ({', '.join(names)})"  # noqa: S608
            f" VALUES ({', '.join('?' for _ in names)})"
        )
        return replace(record, id=self._db.insert(sql, values))

    def _update(self, record: Any, where: str = "") -> int:
        names = [name for name in _columns(type(record)) if name != "id"]
        assignments = ", ".join(f"{name} = ?" for name in names)
        sql = f"UPDATE {_TABLES[type(record)]} SET {assignments} WHERE id = ?{where}"  # noqa: S608
        values = [_stored(getattr(record, name)) for name in names]
        return self._db.execute(sql, [*values, record.id]).rowcount

    def _select(self, cls: Any, where: str, *params: Any) -> list[Any]:
        sql = f"SELECT {', '.join(_columns(cls))} FROM {_TABLES[cls]} WHERE {where}"  # noqa: S608
        return [_record(cls, row) for row in self._db.execute(sql, params).rows]

    # connections

    async def add_connection(self, connection: Connection) -> Connection:
        try:
            added: Connection = self._insert(connection)
        except DuplicateError as error:
            raise NameTakenError(connection.name) from error
        return added

    async def save_connection(self, connection: Connection) -> None:
        self._update(connection)

    async def connection(self, user_id: int, connection_id: int) -> Connection | None:
        found = self._select(Connection, "user_id = ? AND id = ?", user_id, connection_id)
        return found[0] if found else None

    async def connections(self, user_id: int) -> Sequence[Connection]:
        return self._select(Connection, "user_id = ? ORDER BY name", user_id)

    async def delete_connection(self, user_id: int, connection_id: int) -> bool:
        cursor = self._db.execute(
            "DELETE FROM connections WHERE user_id = ? AND id = ?", (user_id, connection_id)
        )
        return cursor.rowcount == 1

    # rules

    async def add_rule(self, rule: Rule) -> Rule:
        added: Rule = self._insert(rule)
        return added

    async def save_rule(self, rule: Rule) -> None:
        self._update(rule)

    async def rule(self, user_id: int, rule_id: int) -> Rule | None:
        found = self._select(Rule, "user_id = ? AND id = ?", user_id, rule_id)
        return found[0] if found else None

    async def rules(self, user_id: int) -> Sequence[Rule]:
        return self._select(Rule, "user_id = ? ORDER BY id", user_id)

    async def rules_using(self, connection_id: int) -> Sequence[Rule]:
        return self._select(Rule, "source_id = ? OR dest_id = ?", connection_id, connection_id)

    async def due_rules(self, now: int) -> Sequence[Rule]:
        """Enabled rules whose time has come, oldest first (not those already running)."""
        return self._select(
            Rule,
            "enabled = TRUE AND next_run_at <= ? AND status NOT IN ('running', 'reconnect', 'held')"
            " ORDER BY next_run_at",
            now,
        )

    async def watched_rules(self) -> Sequence[Rule]:
        """Enabled rules that also run on change, and are neither running nor waiting."""
        return self._select(
            Rule,
            "enabled = TRUE AND on_change = TRUE"
            " AND status NOT IN ('running', 'reconnect', 'held')",
        )

    async def make_due(self, rule_id: int, now: int) -> None:
        self._db.execute(
            "UPDATE sync_rules SET next_run_at = ? WHERE id = ? AND next_run_at > ?",
            (now, rule_id, now),
        )

    async def delete_rule(self, user_id: int, rule_id: int) -> bool:
        cursor = self._db.execute(
            "DELETE FROM sync_rules WHERE user_id = ? AND id = ?", (user_id, rule_id)
        )
        return cursor.rowcount == 1

    async def set_rule_status(self, rule_id: int, status: str, message: str) -> None:
        self._db.execute(
            "UPDATE sync_rules SET status = ?, status_message = ? WHERE id = ?",
            (status, message, rule_id),
        )

    async def interrupted_at_start(self, now: int) -> int:
        """Runs a stopped server left 'running' are marked interrupted; their rules idle.

        Their journals stay on disk: the rule's next run resumes them."""
        self._db.execute(_INTERRUPT_RUNS + " WHERE status = 'running'", (now,))
        return self._db.execute(
            "UPDATE sync_rules SET status = 'idle' WHERE status = 'running'"
        ).rowcount

    async def rules_marked_running(self) -> list[int]:
        rows = self._db.execute("SELECT id FROM sync_rules WHERE status = 'running'").rows
        return [int(row[0]) for row in rows]

    async def interrupt_rule(self, rule_id: int, now: int) -> None:
        """One rule's cut run, as ``interrupted_at_start`` for the rule of a dead instance."""
        self._db.execute(
            _INTERRUPT_RUNS + " WHERE status = 'running' AND rule_id = ?", (now, rule_id)
        )
        self._db.execute(
            "UPDATE sync_rules SET status = 'idle' WHERE status = 'running' AND id = ?", (rule_id,)
        )

    # runs

    async def add_run(self, run: RuleRun) -> RuleRun:
        added: RuleRun = self._insert(run)
        return added

    async def save_run(self, run: RuleRun) -> None:
        self._update(run)

    async def runs(self, rule_id: int, limit: int) -> Sequence[RuleRun]:
        return self._select(RuleRun, "rule_id = ? ORDER BY id DESC LIMIT ?", rule_id, limit)


class NameTakenError(Exception):
    """The user has a connection of this name already."""
