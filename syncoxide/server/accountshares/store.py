"""Account shares, account addresses and change notices in the server's database.

Like the rule store, each method is one statement through the shared handle
(storage/database.py), on SQLite or PostgreSQL alike. Addresses compare without regard to
ASCII case on both (``lower()``, indexed). A share
is read through ``of_party`` with the caller's id: someone who is neither its owner nor its
recipient finds nothing, exactly as for a share that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from syncoxide.server.storage.database import Database, sqlite_at

INVITED, ACCEPTED, DECLINED, REVOKED, LEFT = "invited", "accepted", "declined", "revoked", "left"
READ_ONLY, READ_WRITE = "read-only", "read-write"


@dataclass(frozen=True)
class AccountShare:
    id: int
    owner_id: int
    recipient_id: int
    source_id: int | None  # the owner's connection; None: their storage on this server
    source_path: str
    name: str  # what the recipient sees it as
    access: str  # read-only or read-write
    state: str  # invited, accepted, declined, revoked, left
    expires_at: int | None
    created_at: int
    answered_at: int | None
    placed: bool = False  # the recipient chose where it lands
    dest_id: int | None = None  # the recipient's connection; None: their storage here
    dest_path: str = ""
    sync_status: str = ""  # "", running, ok, partial, failed, reconnect, held
    sync_message: str = ""
    next_sync_at: int = 0
    last_sync_at: int | None = None
    interval_seconds: int = 60
    base_url: str = ""  # the server's address as the owner reached it, for links in mail
    encrypted: bool = False  # files are sealed on the members' devices (docs/sharing.md)

    # The names the shared scheduler reads a scheduled thing by (scheduling.ScheduledRule).
    @property
    def user_id(self) -> int:
        return self.owner_id

    @property
    def status(self) -> str:
        return self.sync_status

    @property
    def next_run_at(self) -> int:
        return self.next_sync_at


@dataclass(frozen=True)
class AccountKey:
    public_key: bytes  # X25519, 32 bytes
    vault: bytes  # SYNCOXV: the private key sealed under the user's passphrase
    created_at: int


@dataclass(frozen=True)
class ShareChange:
    id: int
    share_id: int
    actor_id: int
    notify_id: int
    action: str  # added, changed, deleted, conflict (a version set aside, both kept)
    path: str
    at: int


_COLUMNS = [f.name for f in fields(AccountShare)]
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM account_shares"  # noqa: S608


def _share(row: Any) -> AccountShare:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["placed"] = bool(values["placed"])
    values["encrypted"] = bool(values["encrypted"])
    return AccountShare(**values)


class AccountShareStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    @classmethod
    def open(cls, path: Path) -> AccountShareStore:
        return cls(sqlite_at(path))

    # addresses

    def set_address(self, user_id: int, address: str) -> None:
        self._db.execute(
            "INSERT INTO account_emails (user_id, address) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET address = excluded.address",
            (user_id, address),
        )

    def address_of(self, user_id: int) -> str | None:
        row = self._db.execute(
            "SELECT address FROM account_emails WHERE user_id = ?", (user_id,)
        ).one()
        return str(row[0]) if row else None

    def user_with_address(self, address: str) -> int | None:
        row = self._db.execute(
            "SELECT user_id FROM account_emails WHERE lower(address) = lower(?)", (address,)
        ).one()
        return int(row[0]) if row else None

    # account keys (the private half only inside a passphrase vault)

    def set_key(self, user_id: int, key: AccountKey) -> None:
        self._db.execute(
            "INSERT INTO account_keys (user_id, public_key, vault, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET public_key = excluded.public_key,"
            " vault = excluded.vault, created_at = excluded.created_at",
            (user_id, key.public_key, key.vault, key.created_at),
        )

    def key_of(self, user_id: int) -> AccountKey | None:
        row = self._db.execute(
            "SELECT public_key, vault, created_at FROM account_keys WHERE user_id = ?", (user_id,)
        ).one()
        return AccountKey(bytes(row[0]), bytes(row[1]), int(row[2])) if row else None

    # shares

    def add(self, share: AccountShare) -> AccountShare:
        names = [n for n in _COLUMNS if n != "id"]
        sql = (
            f"INSERT INTO account_shares ({', '.join(names)})"  # noqa: S608
            f" VALUES ({', '.join('?' for _ in names)})"
        )
        return replace(share, id=self._db.insert(sql, [getattr(share, n) for n in names]))

    def save(self, share: AccountShare) -> None:
        names = [n for n in _COLUMNS if n != "id"]
        sql = (
            f"UPDATE account_shares SET {', '.join(f'{n} = ?' for n in names)}"  # noqa: S608
            " WHERE id = ?"
        )
        self._db.execute(sql, [*(getattr(share, n) for n in names), share.id])

    def get(self, share_id: int) -> AccountShare | None:
        row = self._db.execute(f"{_SELECT} WHERE id = ?", (share_id,)).one()
        return _share(row) if row else None

    def of_party(self, user_id: int, share_id: int) -> AccountShare | None:
        row = self._db.execute(
            f"{_SELECT} WHERE id = ? AND (owner_id = ? OR recipient_id = ?)",
            (share_id, user_id, user_id),
        ).one()
        return _share(row) if row else None

    def of_user(self, user_id: int) -> Sequence[AccountShare]:
        rows = self._db.execute(
            f"{_SELECT} WHERE owner_id = ? OR recipient_id = ? ORDER BY id",
            (user_id, user_id),
        ).rows
        return [_share(r) for r in rows]

    def placed_for(self, user_id: int) -> Sequence[AccountShare]:
        """Accepted shares that land in ``user_id``'s places (as recipient) or come from them."""
        rows = self._db.execute(
            f"{_SELECT} WHERE state = 'accepted' AND placed = TRUE"
            " AND (recipient_id = ? OR owner_id = ?)",
            (user_id, user_id),
        ).rows
        return [_share(r) for r in rows]

    def due(self, now: int) -> Sequence[AccountShare]:
        rows = self._db.execute(
            f"{_SELECT} WHERE state = 'accepted' AND placed = TRUE AND next_sync_at <= ?"
            " AND sync_status NOT IN ('running', 'reconnect', 'held') ORDER BY next_sync_at",
            (now,),
        ).rows
        return [_share(r) for r in rows]

    def make_due(self, share_id: int, now: int) -> None:
        self._db.execute(
            "UPDATE account_shares SET next_sync_at = ? WHERE id = ? AND next_sync_at > ?",
            (now, share_id, now),
        )

    def resume_waiting(self, user_id: int, connection_id: int | None, now: int) -> int:
        """Shares that waited for this connection (``reconnect``) are due again at once."""
        return self._db.execute(
            "UPDATE account_shares SET sync_status = 'idle', next_sync_at = ?"
            " WHERE sync_status = 'reconnect' AND state = 'accepted'"
            " AND ((owner_id = ? AND source_id IS NOT DISTINCT FROM ?)"
            " OR (recipient_id = ? AND dest_id IS NOT DISTINCT FROM ?))",
            (now, user_id, connection_id, user_id, connection_id),
        ).rowcount

    # -- what the shared scheduler asks (scheduling.DueStore) --------------------------------

    async def due_rules(self, now: int) -> Sequence[AccountShare]:
        return self.due(now)

    async def rule(self, user_id: int, rule_id: int) -> AccountShare | None:
        """The share, while it is one that runs (accepted and placed); None otherwise."""
        share = self.get(rule_id)
        return share if share is not None and share.state == "accepted" and share.placed else None

    async def interrupted_at_start(self, now: int) -> int:
        """Alone, whatever says 'running' was cut by the last stop: runs at the next tick."""
        return self._db.execute(
            "UPDATE account_shares SET sync_status = 'idle' WHERE sync_status = 'running'"
        ).rowcount

    def marked_running(self) -> list[int]:
        rows = self._db.execute("SELECT id FROM account_shares WHERE sync_status = 'running'")
        return [int(row[0]) for row in rows]

    def interrupted(self, share_id: int) -> None:
        """A run its instance never finished: due again at once."""
        self._db.execute(
            "UPDATE account_shares SET sync_status = 'idle', next_sync_at = 0"
            " WHERE id = ? AND sync_status = 'running'",
            (share_id,),
        )

    # change notices and digests

    def add_change(self, change: ShareChange) -> None:
        self._db.execute(
            "INSERT INTO account_share_changes (share_id, actor_id, notify_id, action, path, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                change.share_id,
                change.actor_id,
                change.notify_id,
                change.action,
                change.path,
                change.at,
            ),
        )

    def digests_due(self, last_before: int) -> Sequence[tuple[int, int, bool]]:
        """(share, person, unsubscribed) with changes not yet mailed whose last digest went out
        at or before ``last_before`` (or never, or who unsubscribed: theirs are only marked).
        One grouped query: changes that wait out a period are not read every tick. ``m`` is one
        row per share and person, so grouping by its flag too changes nothing; PostgreSQL wants
        every selected column grouped."""
        rows = self._db.execute(
            "SELECT c.share_id, c.notify_id, COALESCE(m.unsubscribed, FALSE)"
            " FROM account_share_changes c LEFT JOIN account_share_mail m"
            " ON m.share_id = c.share_id AND m.user_id = c.notify_id"
            " WHERE c.mailed = FALSE AND (m.last_digest_at IS NULL OR m.last_digest_at <= ?"
            " OR m.unsubscribed = TRUE)"
            " GROUP BY c.share_id, c.notify_id, m.unsubscribed ORDER BY MIN(c.id)",
            (last_before,),
        ).rows
        return [(int(share), int(user), bool(off)) for share, user, off in rows]

    def unmailed(self, share_id: int, user_id: int) -> Sequence[ShareChange]:
        rows = self._db.execute(
            "SELECT id, share_id, actor_id, notify_id, action, path, at"
            " FROM account_share_changes WHERE mailed = FALSE AND share_id = ? AND notify_id = ?"
            " ORDER BY id",
            (share_id, user_id),
        ).rows
        return [ShareChange(*row) for row in rows]

    def mark_mailed(self, share_id: int, user_id: int, up_to: int) -> None:
        self._db.execute(
            "UPDATE account_share_changes SET mailed = TRUE"
            " WHERE share_id = ? AND notify_id = ? AND id <= ?",
            (share_id, user_id, up_to),
        )

    def mail_state(self, share_id: int, user_id: int) -> tuple[int | None, bool]:
        row = self._db.execute(
            "SELECT last_digest_at, unsubscribed FROM account_share_mail"
            " WHERE share_id = ? AND user_id = ?",
            (share_id, user_id),
        ).one()
        return (row[0], bool(row[1])) if row else (None, False)

    def digest_sent(self, share_id: int, user_id: int, now: int) -> None:
        self._db.execute(
            "INSERT INTO account_share_mail (share_id, user_id, last_digest_at) VALUES (?, ?, ?)"
            " ON CONFLICT (share_id, user_id)"
            " DO UPDATE SET last_digest_at = excluded.last_digest_at",
            (share_id, user_id, now),
        )

    def unsubscribe(self, share_id: int, user_id: int) -> None:
        self._db.execute(
            "INSERT INTO account_share_mail (share_id, user_id, unsubscribed) VALUES (?, ?, TRUE)"
            " ON CONFLICT (share_id, user_id) DO UPDATE SET unsubscribed = TRUE",
            (share_id, user_id),
        )
