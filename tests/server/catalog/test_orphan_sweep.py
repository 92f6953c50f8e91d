"""Rows of connections deleted before deleting a connection dropped its rows (index entries and
their words, stars, activity, feed positions, staleness settings, photo facts) are swept by
migration 26 (PostgreSQL: 14), and those photos' thumbnails by the thumbnail sweep after; rows
of connections that exist, of the server's own storage and the user's every-connection
staleness are kept. Connections are matched per user: another user's connection of the same
name keeps nothing alive. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.port import Activity, SourceState
from syncoxide.catalog.search import SearchQuery, parse_search
from syncoxide.providers.contract import chunks_of
from syncoxide.server import datadir
from syncoxide.server.catalog.postgres import PostgresCatalogStore
from syncoxide.server.catalog.sql_store import SqlCatalogStore
from syncoxide.server.catalog.sqlite import SqliteCatalogStore
from syncoxide.server.photos.thumbnail_sweep import ThumbnailSweep
from syncoxide.server.storage import postgres as postgres_storage
from syncoxide.server.storage.blobs import LocalBlobStore
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.orphan_sweep import (
    ORPHANS_SWEEP_MIGRATION,
    PG_ORPHANS_SWEEP_MIGRATION,
)
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.databases import LANGUAGE_ORDER

pytestmark = pytest.mark.both_databases
_names = itertools.count()
#: (user, source) pairs the seed writes: alice keeps ``nas``, deleted ``old`` before the fix;
#: bob never had a ``nas`` of his own.
ALICE_KEPT = ("home", "nas")
PER_SOURCE = ("catalog_entries", "catalog_stars", "catalog_activity", "catalog_sources",
              "catalog_staleness", "provider_photo_facts")  # fmt: skip


class Schema:
    """A database at the schema before the sweep, moved to the current one by ``migrate``."""

    def __init__(self, dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.dialect = dialect
        with pytest.MonkeyPatch.context() as patch:
            if dialect == "sqlite":
                before = datadir.MIGRATIONS.index(ORPHANS_SWEEP_MIGRATION)
                patch.setattr(datadir, "MIGRATIONS", datadir.MIGRATIONS[:before])
                lite = sqlite_at(tmp_path / "syncoxide.sqlite3")
                datadir.migrate(lite.connection)
                self.db: Database = lite
                self.store: SqlCatalogStore = SqliteCatalogStore(lite)
            else:
                server = request.getfixturevalue("postgres")
                self.url = server.create_database(f"sweep_{next(_names)}", LANGUAGE_ORDER)
                before = postgres_storage.PG_MIGRATIONS.index(PG_ORPHANS_SWEEP_MIGRATION)
                patch.setattr(
                    postgres_storage, "PG_MIGRATIONS", postgres_storage.PG_MIGRATIONS[:before]
                )
                asyncio.run(postgres_storage.migrate_postgres(self.url))
                self.db = PostgresDatabase(self.url)
                self.store = PostgresCatalogStore(self.db)
        self.store.name_runs = False  # the schema has no name runs yet (a later migration)

    def latest(self) -> int:
        """The current schema's version (the sweep's and any migration after it)."""
        if self.dialect == "sqlite":
            return len(datadir.MIGRATIONS)
        return len(postgres_storage.PG_MIGRATIONS)

    def migrate(self) -> int:
        if self.dialect == "sqlite":
            return datadir.migrate(self.db.connection)  # type: ignore[attr-defined]
        return asyncio.run(postgres_storage.migrate_postgres(self.url))

    def left(self, table: str) -> set[tuple[str, str]]:
        rows = self.db.execute(
            f"SELECT u.name, t.source FROM {table} t JOIN users u ON u.id = t.user_id"
        ).rows
        return {(str(name), str(source)) for name, source in rows}


@pytest.fixture
def schema(
    server_database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Schema]:
    made = Schema(server_database, tmp_path, request)
    yield made
    made.db.close()


def _seed(schema: Schema) -> None:
    db, store = schema.db, schema.store
    users = {}
    for name in ("alice", "bob"):
        users[name] = db.insert(
            "INSERT INTO users (name, display_name, created_at) VALUES (?, ?, 0)", (name, name)
        )
    db.execute(
        "INSERT INTO connections (user_id, name, kind, options, secrets, state, created_at)"
        " VALUES (?, 'nas', 'webdav', '{}', '{}', 'ok', 0)",
        (users["alice"],),
    )
    seeded = [("alice", source) for source in (*ALICE_KEPT, "old")] + [("bob", "nas")]
    for person, source in seeded:
        user_id = users[person]
        entry = CatalogEntry(source, f"trips/{source}-zebrafinch.txt", size=3)
        asyncio.run(store.apply(user_id, source, IndexChanges(upserts=(entry,))))
        asyncio.run(store.set_star(user_id, source, entry.path, starred=True, now=1))
        asyncio.run(store.record(user_id, Activity(source, entry.path, "opened", 1)))
        asyncio.run(store.save_source_state(user_id, SourceState(source, "cursor", 1)))
        if source != "home":
            asyncio.run(store.set_staleness(user_id, source, 3600))
        db.execute(
            "INSERT INTO provider_photo_facts (user_id, source, path, version, size, taken,"
            " taken_from, width, height, phash, thumbnail_key) VALUES"
            " (?, ?, 'p.jpg', 'v', 1, '', '', 1, 1, '', '')",
            (user_id, source),
        )
    asyncio.run(store.set_staleness(users["alice"], "", 7200))


def test_the_migration_sweeps_rows_no_connection_names_and_keeps_the_rest(schema: Schema) -> None:
    _seed(schema)
    assert ("alice", "old") in schema.left("catalog_entries")
    assert schema.migrate() == schema.latest()

    kept = {("alice", source) for source in ALICE_KEPT}
    for table in PER_SOURCE:
        left = schema.left(table)
        if table == "catalog_staleness":  # home has none; the every-connection default stays
            assert left == {("alice", "nas"), ("alice", "")}, table
        else:
            assert left == kept, table
    alice = schema.db.execute("SELECT id FROM users WHERE name = 'alice'").rows[0][0]
    found = asyncio.run(schema.store.search(alice, _everywhere("zebrafinch"), 10))
    assert sorted(e.source for e in found) == ["home", "nas"]
    if schema.dialect == "sqlite":  # the swept rows' words are gone from the FTS5 table too
        words = schema.db.execute(
            "SELECT rowid FROM catalog_words WHERE catalog_words MATCH 'old'"
        ).rows
        assert words == []


def test_a_database_with_nothing_to_sweep_migrates_unchanged(schema: Schema) -> None:
    assert schema.migrate() == schema.latest()
    assert all(schema.left(table) == set() for table in PER_SOURCE)


def _thumbnails(schema: Schema, blobs: LocalBlobStore) -> dict[tuple[str, str], str]:
    """A stored thumbnail for each seeded photo row, named as provider_photos.py names them,
    by (user, source)."""
    rows = schema.db.execute(
        "SELECT u.name, t.source, t.user_id FROM provider_photo_facts t"
        " JOIN users u ON u.id = t.user_id"
    ).rows
    keys = {}
    for name, source, user_id in rows:
        key = f"photos/u{user_id}/p{hashlib.sha256(f'{name}{source}'.encode()).hexdigest()}"
        asyncio.run(blobs.put(key, chunks_of(b"jpeg")))
        schema.db.execute(
            "UPDATE provider_photo_facts SET thumbnail_key = ? WHERE user_id = ? AND source = ?",
            (key, user_id, source),
        )
        keys[(str(name), str(source))] = key
    return keys


def test_thumbnails_of_swept_photo_rows_leave_the_blob_store(
    schema: Schema, tmp_path: Path
) -> None:
    """Two passes of the thumbnail sweep, an interval apart, after the migration: the blobs no
    row names go, named ones and the server storage's own thumbnails stay; a blob named only
    by the second pass (its row written just after the first) stays too."""
    _seed(schema)
    blobs = LocalBlobStore(tmp_path / "blobs")
    keys = _thumbnails(schema, blobs)
    own = f"photos/u1/{'ab' * 32}"  # a thumbnail of the server's own storage: never swept
    late = f"photos/u1/p{'cd' * 32}"  # stored a moment before its row
    for key in (own, late, "links/other-blob"):
        asyncio.run(blobs.put(key, chunks_of(b"kept")))
    schema.migrate()
    sweep = ThumbnailSweep(schema.db, blobs, every_seconds=3600)

    assert asyncio.run(sweep.sweep()) == 0  # one look proves nothing yet
    schema.db.execute(
        "INSERT INTO provider_photo_facts (user_id, source, path, version, size, taken,"
        " taken_from, width, height, phash, thumbnail_key) VALUES"
        " (1, 'nas', 'late.jpg', 'v', 1, '', '', 1, 1, '', ?)",
        (late,),
    )
    assert asyncio.run(sweep.sweep()) == 2  # alice's "old" and bob's "nas"
    left = set(asyncio.run(blobs.keys("")))
    swept = {keys[("alice", "old")], keys[("bob", "nas")]}
    assert left == set(keys.values()) - swept | {own, late, "links/other-blob"}
    assert asyncio.run(sweep.sweep()) == 0


def _everywhere(text: str) -> SearchQuery:
    return replace(parse_search(text), sources=("home", "nas", "old"))
