"""The data directory: SQLite metadata (WAL mode, migrated) and a blob folder beside it.

Migrations are numbered and applied in order inside one transaction each; ``schema_version``
records the last one applied, so a newer server opens an older directory and brings it up to
date, and an older server refuses a directory from a newer one instead of damaging it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from syncoxide.errors import ConfigError
from syncoxide.server.accountshares.schema import ACCOUNT_KEYS_MIGRATION, ACCOUNT_SHARES_MIGRATION
from syncoxide.server.automation.schema import (
    AUTOMATION_MIGRATION,
    AUTOMATION_SOURCES_MIGRATION,
    AUTOMATION_WAITS_MIGRATION,
)
from syncoxide.server.backups.schema import BACKUP_MORE_MIGRATION
from syncoxide.server.catalog.schema import (
    CATALOG_MIGRATION,
    NAME_WORDS_MIGRATION,
    STALENESS_MIGRATION,
)
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.change_positions import POSITIONS_MIGRATION
from syncoxide.server.files.commits import COMMITS_MIGRATION
from syncoxide.server.files.history import HISTORY_MIGRATION
from syncoxide.server.photos.schema import PHOTOS_MIGRATION, PROVIDER_PHOTOS_MIGRATION
from syncoxide.server.storage.leases import LEASE_MIGRATION
from syncoxide.server.storage.orphan_sweep import ORPHANS_SWEEP_MIGRATION
from syncoxide.server.storage.owner_only import WALKED_MARKER, tighten, touch_owner_only

log = logging.getLogger("syncoxide.server")

MIGRATIONS: tuple[str, ...] = (
    # 1: the schema version itself and the instance's own settings.
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (0);
    CREATE TABLE instance_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: accounts, their sign-in identities, API tokens, sessions, OIDC logins, events.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        password_hash TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE identities (
        issuer TEXT NOT NULL,
        subject TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (issuer, subject)
    );
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash BLOB NOT NULL UNIQUE,
        label TEXT NOT NULL,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER,
        expires_at INTEGER
    );
    CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
    CREATE TABLE sessions (
        session_hash BLOB PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE pending_logins (
        state TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        nonce TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        next_path TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX events_by_user ON events (user_id, id);
    """,
    # 3: share links (kind 'share') and request-files links (kind 'request'), and their files.
    """
    CREATE TABLE links (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        allow_late INTEGER NOT NULL DEFAULT 0,
        max_downloads INTEGER,
        downloads INTEGER NOT NULL DEFAULT 0,
        last_download_at INTEGER,
        password_hash TEXT,
        access_secret TEXT NOT NULL,
        revoked_at INTEGER,
        max_total_bytes INTEGER,
        max_files INTEGER,
        allowed_types TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX links_by_user ON links (user_id, kind);
    CREATE TABLE link_files (
        id INTEGER PRIMARY KEY,
        link_id TEXT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        crc32 INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        blob_key TEXT NOT NULL,
        late INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        UNIQUE (link_id, path)
    );
    """,
    # 4: provider connections (secrets sealed), sync rules between them, and their runs.
    """
    CREATE TABLE connections (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        options TEXT NOT NULL,
        secrets TEXT NOT NULL,
        state TEXT NOT NULL,
        state_message TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        checked_at INTEGER,
        UNIQUE (user_id, name)
    );
    CREATE TABLE sync_rules (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        source_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        source_path TEXT NOT NULL,
        dest_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        dest_path TEXT NOT NULL,
        mode TEXT NOT NULL,
        conflict TEXT NOT NULL,
        interval_seconds INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT NOT NULL DEFAULT '',
        next_run_at INTEGER NOT NULL,
        last_run_at INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX sync_rules_due ON sync_rules (enabled, next_run_at);
    CREATE TABLE rule_runs (
        id INTEGER PRIMARY KEY,
        rule_id INTEGER NOT NULL REFERENCES sync_rules(id) ON DELETE CASCADE,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        actions INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        conflicts INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX rule_runs_by_rule ON rule_runs (rule_id, id);
    """,
    # 5: end-to-end encrypted shares (files and names are ciphertext; the key is in the URL).
    "ALTER TABLE links ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;",
    # 6: a request link's X25519 public key (base64) when uploads are end-to-end encrypted.
    "ALTER TABLE links ADD COLUMN public_key TEXT NOT NULL DEFAULT '';",
    # 7: a sync rule may also run when its source's changes feed reports a change.
    "ALTER TABLE sync_rules ADD COLUMN on_change INTEGER NOT NULL DEFAULT 0;",
    # 8: a peer-to-peer room's server copy (its share link), so a receiver still finds it after
    # a restart; the record goes with its share (syncoxide/server/signaling/fallbacks.py).
    """
    CREATE TABLE p2p_fallbacks (
        room TEXT PRIMARY KEY,
        link_id TEXT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX p2p_fallbacks_by_link ON p2p_fallbacks (link_id);
    """,
    # 9: each user's own files on this server: folders and files by path, bytes in blobs.
    """
    CREATE TABLE stored_files (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL DEFAULT 0,
        mtime_ns INTEGER NOT NULL DEFAULT 0,
        sha1 TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL DEFAULT '',
        blob_key TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (user_id, path)
    ) WITHOUT ROWID;
    """,
    # 10: peer-to-peer short codes, so a code read out before a restart still finds its room;
    # a code lasts as long as its room, or its room's server copy (server/signaling/codes.py).
    """
    CREATE TABLE p2p_codes (
        code TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX p2p_codes_by_expiry ON p2p_codes (expires_at);
    """,
    # 11: password-link unlock cookies are MACs under the server's signing key now; the clear
    # cookie values kept so far are erased (visitors type the password once more).
    """
    UPDATE links SET access_secret = '';
    """,
    # 12: backups (syncoxide/server/backups/): SSH keys for hosted repositories, the
    # repositories (passphrase sealed, or '' when the server does not keep it), provider
    # backup rules, their runs, and restores into providers.
    """
    CREATE TABLE backup_keys (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        public_key TEXT NOT NULL UNIQUE,
        append_only INTEGER NOT NULL DEFAULT 0,
        quota TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
    );
    CREATE TABLE backup_repositories (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        encryption TEXT NOT NULL,
        passphrase TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        UNIQUE (user_id, name)
    );
    CREATE TABLE backup_rules (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        source_path TEXT NOT NULL,
        repository_id INTEGER NOT NULL REFERENCES backup_repositories(id) ON DELETE CASCADE,
        prefix TEXT NOT NULL,
        schedule TEXT NOT NULL,
        retention TEXT NOT NULL DEFAULT '{}',
        enabled INTEGER NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT NOT NULL DEFAULT '',
        next_run_at INTEGER NOT NULL,
        last_run_at INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX backup_rules_due ON backup_rules (enabled, next_run_at);
    CREATE TABLE backup_runs (
        id INTEGER PRIMARY KEY,
        rule_id INTEGER NOT NULL REFERENCES backup_rules(id) ON DELETE CASCADE,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        archive TEXT NOT NULL DEFAULT '',
        files INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX backup_runs_by_rule ON backup_runs (rule_id, id);
    CREATE TABLE backup_restores (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        repository_id INTEGER NOT NULL REFERENCES backup_repositories(id) ON DELETE CASCADE,
        archive TEXT NOT NULL,
        path TEXT NOT NULL,
        connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        dest_path TEXT NOT NULL,
        status TEXT NOT NULL,
        files INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        started_at INTEGER NOT NULL,
        finished_at INTEGER
    );
    """,
    # 13: the catalog: an index of every file a user can reach, with words for search (FTS5),
    # stars and the activity log behind Recent (server/catalog/schema.py).
    CATALOG_MIGRATION,
    # 14: old versions and the trash of users' own files (server/files/history.py).
    HISTORY_MIGRATION,
    # 15: account-to-account shares, account addresses, change notices and digests
    # (server/accountshares/schema.py).
    ACCOUNT_SHARES_MIGRATION,
    # 16: job leases, so one instance of several runs each scheduled job (storage/leases.py).
    LEASE_MIGRATION,
    # 17: the job queue and automation rules (server/automation/schema.py).
    AUTOMATION_MIGRATION,
    # 18: what the photos view read of each photo, and its thumbnail (server/photos/schema.py).
    PHOTOS_MIGRATION,
    # 19: restore progress and cancel, users' own ssh:// repositories and the SSH identity
    # the server makes for each user (server/backups/schema.py).
    BACKUP_MORE_MIGRATION,
    # 20: account keys for encrypted account shares, and which shares are encrypted
    # (server/accountshares/schema.py).
    ACCOUNT_KEYS_MIGRATION,
    # 21: automation rules on connection folders and account shares, and what their polls saw
    # (server/automation/schema.py).
    AUTOMATION_SOURCES_MIGRATION,
    # 22: what the photos view read of photos in connections (server/photos/schema.py).
    PROVIDER_PHOTOS_MIGRATION,
    # 23: account addresses are looked up as lower(address) on SQLite and PostgreSQL alike.
    "CREATE INDEX account_emails_lower ON account_emails (lower(address));",
    # 24: each user's own staleness of the index, per connection (server/catalog/schema.py).
    STALENESS_MIGRATION,
    # 25: uploads committed lately, so a commit sent again answers as the first did
    # (server/files/commits.py).
    COMMITS_MIGRATION,
    # 26: index rows and photo facts of connections deleted before their rows went with them
    # (server/storage/orphan_sweep.py).
    ORPHANS_SWEEP_MIGRATION,
    # 27: the position of the last change to users' files, shared by a deployment's instances
    # (server/files/change_positions.py).
    POSITIONS_MIGRATION,
    # 28: quiet-window waits and failed hand-offs of polled files, so a restart resumes them
    # (server/automation/schema.py).
    AUTOMATION_WAITS_MIGRATION,
    # 29: the words of entries' names in search order (server/catalog/schema.py).
    NAME_WORDS_MIGRATION,
)


def prepare_data_dir(config: ServerConfig) -> int:
    """Create the data directory on first run, migrate its database, return the schema version.

    Everything in it is made readable by the server's user alone (storage/owner_only.py); what
    an earlier start left open to others is tightened and reported."""
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    config.blobs_dir.mkdir(exist_ok=True, mode=0o700)
    touch_owner_only(config.database_path)
    connection = _connect(config.database_path)
    try:
        version = migrate(connection)
        _tighten_modes(config, connection)
        return version
    finally:
        connection.close()


def _tighten_modes(config: ServerConfig, connection: sqlite3.Connection) -> None:
    walked = connection.execute(
        "SELECT 1 FROM instance_settings WHERE key = ?", (WALKED_MARKER,)
    ).fetchone()
    try:
        done = tighten(config.data_dir, walk_all=walked is None)
    except OSError as error:
        raise ConfigError(
            f"Could not make {config.data_dir} private to its owner: {error}.",
            hint="Run the server as the user who owns the data directory.",
        ) from error
    if walked is None:
        connection.execute(
            "INSERT OR REPLACE INTO instance_settings (key, value) VALUES (?, '1')",
            (WALKED_MARKER,),
        )
    if done.paths:
        log.warning("%s", done.report())


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise ConfigError(
            f"Could not open the database at {path}: {error}.",
            hint="Check that the data directory is writable, or pass another one with --data-dir.",
        ) from error
    return connection


def current_version(connection: sqlite3.Connection) -> int:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = connection.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0])


def migrate(connection: sqlite3.Connection) -> int:
    version = current_version(connection)
    if version > len(MIGRATIONS):
        raise ConfigError(
            f"The data directory was written by a newer syncoxide (schema {version}; "
            f"this one knows up to {len(MIGRATIONS)}).",
            hint="Nothing was changed. Upgrade syncoxide, or point --data-dir elsewhere.",
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.execute("BEGIN")
        try:
            for statement in filter(str.strip, script.split(";")):
                connection.execute(statement)
            connection.execute("UPDATE schema_version SET version = ?", (number,))
            connection.execute("COMMIT")
        except sqlite3.Error:
            connection.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
