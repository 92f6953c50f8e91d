"""Backups, second migration: restore progress and cancel, users' own SSH repositories.

Restores gain their totals (read from the archive's listing before the first byte moves)
and a cancel flag any instance can set and the restoring instance reads. Repositories gain
the ``ssh://`` URL of a user's own server ("" for a repository in the hosted area) and that
server's host key, pinned when the repository was added. Each user gets one SSH identity the
server made for them, its private half sealed like connection secrets.
"""

from __future__ import annotations

BACKUP_MORE_MIGRATION = """
ALTER TABLE backup_restores ADD COLUMN files_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_restores ADD COLUMN bytes_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_restores ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_repositories ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE backup_repositories ADD COLUMN host_key TEXT NOT NULL DEFAULT '';
CREATE TABLE backup_identities (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
"""
