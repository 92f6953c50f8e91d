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

#: Photos in the user's connections, as the catalog (the global view's index) lists them. A
#: row is valid while the entry's ``version`` (its content hash when the provider lists one,
#: else size and time) is unchanged; its thumbnail is the blob
#: ``photos/uUSER/pSHA256(source, path, version)``.
PROVIDER_PHOTOS_MIGRATION = """
CREATE TABLE provider_photo_facts (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    version TEXT NOT NULL,
    size INTEGER NOT NULL,
    taken TEXT NOT NULL,
    taken_from TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    phash TEXT NOT NULL,
    thumbnail_key TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, source, path)
);
"""
