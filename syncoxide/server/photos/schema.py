"""What the photos view remembers of each photo: read once per content, kept until it changes.

A row is valid while the file at ``path`` still has the same ``sha256``; its thumbnail is a
blob (``photos/uUSER/SHA256``), so two copies of one photo share one thumbnail.
"""

from __future__ import annotations

PHOTOS_MIGRATION = """
CREATE TABLE photo_facts (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    taken TEXT NOT NULL,
    taken_from TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    phash TEXT NOT NULL,
    thumbnail_key TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, path)
);
"""
