"""The embedded metadata store: one SQLite file in WAL mode, migrated by ``server.datadir``.

Every method is a single statement (or one short transaction), so it runs inline on the
event loop; WAL lets the CLI write (``syncoxide user add``) while the server reads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from syncoxide.server.storage.owner_only import touch_owner_only
from syncoxide.server.storage.port import (
    ApiToken,
    DuplicateError,
    Event,
    PendingLogin,
    Session,
    User,
)


def open_database(path: Path) -> sqlite3.Connection:
    touch_owner_only(path)  # SQLite would create it 0644; its -wal and -shm copy this mode
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


class SqliteMetadataStore:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, path: Path) -> SqliteMetadataStore:
        return cls(open_database(path))

    def close(self) -> None:
        self._db.close()

    def _one(self, sql: str, *params: Any) -> Any:
        return self._db.execute(sql, params).fetchone()

    # users and identities

    async def create_user(
        self, name: str, display_name: str, password_hash: str | None, now: int
    ) -> User:
        try:
            cursor = self._db.execute(
                "INSERT INTO users (name, display_name, password_hash, created_at)"
                " VALUES (?, ?, ?, ?)",
                (name, display_name, password_hash, now),
            )
        except sqlite3.IntegrityError as error:
            raise DuplicateError(name) from error
        return User(int(cursor.lastrowid or 0), name, display_name, now, password_hash)

    async def user_by_id(self, user_id: int) -> User | None:
        return _user(
            self._one(
                "SELECT id, name, display_name, created_at, password_hash FROM users WHERE id = ?",
                user_id,
            )
        )

    async def user_by_name(self, name: str) -> User | None:
        return _user(
            self._one(
                "SELECT id, name, display_name, created_at, password_hash FROM users"
                " WHERE name = ?",
                name,
            )
        )

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
        )

    async def link_identity(self, issuer: str, subject: str, user_id: int) -> None:
        try:
            self._db.execute(
                "INSERT INTO identities (issuer, subject, user_id) VALUES (?, ?, ?)",
                (issuer, subject, user_id),
            )
        except sqlite3.IntegrityError as error:
            raise DuplicateError(f"{issuer} {subject}") from error

    async def user_by_identity(self, issuer: str, subject: str) -> User | None:
        row = self._one(
            "SELECT u.id, u.name, u.display_name, u.created_at, u.password_hash"
            " FROM identities i JOIN users u ON u.id = i.user_id"
            " WHERE i.issuer = ? AND i.subject = ?",
            issuer,
            subject,
        )
        return _user(row)

    # API tokens

    async def add_token(
        self,
        user_id: int,
        token_hash: bytes,
        label: str,
        *,
        prefix: str,
        now: int,
        expires_at: int | None,
    ) -> ApiToken:
        cursor = self._db.execute(
            "INSERT INTO api_tokens (user_id, token_hash, label, prefix, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, token_hash, label, prefix, now, expires_at),
        )
        return ApiToken(
            int(cursor.lastrowid or 0), user_id, label, prefix, now, None, None, expires_at
        )

    async def token_by_hash(self, token_hash: bytes) -> ApiToken | None:
        row = self._one(
            "SELECT id, user_id, label, prefix, created_at, last_used_at, revoked_at, expires_at"
            " FROM api_tokens WHERE token_hash = ?",
            token_hash,
        )
        return ApiToken(*row) if row else None

    async def token_and_owner(self, token_hash: bytes) -> tuple[ApiToken, User] | None:
        row = self._one(
            "SELECT t.id, t.user_id, t.label, t.prefix, t.created_at, t.last_used_at,"
            " t.revoked_at, t.expires_at, u.id, u.name, u.display_name, u.created_at,"
            " u.password_hash FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ?",
            token_hash,
        )
        if row is None:
            return None
        return ApiToken(*row[:8]), User(*row[8:])

    async def tokens_of(self, user_id: int) -> Sequence[ApiToken]:
        rows = self._db.execute(
            "SELECT id, user_id, label, prefix, created_at, last_used_at, revoked_at, expires_at"
            " FROM api_tokens WHERE user_id = ? ORDER BY id",
            (user_id,),
        ).fetchall()
        return [ApiToken(*row) for row in rows]

    async def revoke_token(self, user_id: int, token_id: int, now: int) -> bool:
        cursor = self._db.execute(
            "UPDATE api_tokens SET revoked_at = ?"
            " WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
            (now, token_id, user_id),
        )
        return cursor.rowcount == 1

    async def touch_token(self, token_id: int, now: int) -> None:
        self._db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now, token_id))

    # sessions

    async def add_session(self, session_hash: bytes, session: Session) -> None:
        self._db.execute(
            "INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, last_seen_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                session_hash,
                session.user_id,
                session.csrf_token,
                session.created_at,
                session.last_seen_at,
                session.expires_at,
            ),
        )

    async def session_by_hash(self, session_hash: bytes) -> Session | None:
        row = self._one(
            "SELECT user_id, csrf_token, created_at, last_seen_at, expires_at"
            " FROM sessions WHERE session_hash = ?",
            session_hash,
        )
        return Session(*row) if row else None

    async def touch_session(self, session_hash: bytes, now: int) -> None:
        self._db.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE session_hash = ?", (now, session_hash)
        )

    async def delete_session(self, session_hash: bytes) -> None:
        self._db.execute("DELETE FROM sessions WHERE session_hash = ?", (session_hash,))

    async def delete_expired_sessions(self, now: int) -> int:
        return self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount

    async def delete_sessions_of(self, user_id: int, keep: bytes | None = None) -> int:
        return self._db.execute(
            "DELETE FROM sessions WHERE user_id = ? AND session_hash IS NOT ?", (user_id, keep)
        ).rowcount

    # pending OIDC logins

    async def put_pending_login(self, state: str, login: PendingLogin) -> None:
        self._db.execute(
            "INSERT INTO pending_logins (state, provider, nonce, code_verifier, next_path,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                state,
                login.provider,
                login.nonce,
                login.code_verifier,
                login.next_path,
                login.created_at,
            ),
        )

    async def take_pending_login(self, state: str) -> PendingLogin | None:
        row = self._one(
            "DELETE FROM pending_logins WHERE state = ?"
            " RETURNING provider, nonce, code_verifier, next_path, created_at",
            state,
        )
        return PendingLogin(*row) if row else None

    # events

    async def append_event(
        self, user_id: int, kind: str, payload: dict[str, Any], now: int
    ) -> Event:
        cursor = self._db.execute(
            "INSERT INTO events (user_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (user_id, kind, json.dumps(payload, separators=(",", ":")), now),
        )
        return Event(int(cursor.lastrowid or 0), user_id, kind, payload, now)

    async def events_after(self, user_id: int, after_id: int, limit: int) -> Sequence[Event]:
        rows = self._db.execute(
            "SELECT id, user_id, kind, payload, created_at FROM events"
            " WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
            (user_id, after_id, limit),
        ).fetchall()
        return [Event(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def _user(row: Any) -> User | None:
    if row is None:
        return None
    return User(row[0], row[1], row[2], row[3], row[4])
