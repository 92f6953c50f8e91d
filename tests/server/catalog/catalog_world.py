"""The server's own files and the catalog over them, assembled without HTTP, with a set clock.

Light enough to build once per hypothesis example: a migrated database (SQLite or PostgreSQL,
the ``database`` fixture of tests/server/stores), local blobs, two users made by SQL (no
password hashing).
"""

from __future__ import annotations

from pathlib import Path

from syncoxide.catalog.model import HOME
from syncoxide.catalog.refresh import listed_entries
from syncoxide.providers.contract import chunks_of
from syncoxide.server.catalog.pg_words import entry_vector
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.catalog.store import catalog_store
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.change_positions import ChangePositions, ProcessPositions
from syncoxide.server.files.history import HistoryStore
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.files.recovery import FileRecovery
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import FileStore
from syncoxide.server.storage.blobs import LocalBlobStore
from syncoxide.server.storage.database import Database, SqliteDatabase, sqlite_at
from syncoxide.server.tus import UploadStore

ALICE, BOB = 1, 2
ROOT = Path(__file__).resolve().parents[3]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


class CatalogWorld:
    def __init__(
        self,
        tmp_path: Path,
        database: Database | None = None,
        *,
        beside: CatalogWorld | None = None,
        positions: ChangePositions | None = None,
    ) -> None:
        """On ``database`` (migrated, with nobody in it), else on the data directory's own
        SQLite file; ``beside`` another world: a second instance on its database and blobs."""
        config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
        prepare_data_dir(config)
        handle: Database = beside.db if beside else database or sqlite_at(config.database_path)
        self.db: Database = handle  # files, history and catalog share one handle
        for name in () if beside else ("alice", "bob"):
            handle.insert(
                "INSERT INTO users (name, display_name, created_at) VALUES (?, ?, 0)", (name, name)
            )
        self.clock = Clock()
        self.files = FileService(
            store=FileStore(handle),
            blobs=LocalBlobStore(config.blobs_dir),
            uploads=UploadStore(config.data_dir / "uploads", lambda: float(self.clock())),
            incoming=config.data_dir / "incoming",
            history=HistoryStore(handle),
            clock=self.clock,
        )
        self.recovery = FileRecovery(self.files, HistoryStore(handle), self.clock)
        self.store = catalog_store(handle)
        self.feed = self.start_feed(positions or ProcessPositions())
        self.catalog = CatalogService(self.store, self.clock, self.files, feed=self.feed)

    def start_feed(self, positions: ChangePositions) -> StorageChangeFeed:
        """A storage change feed numbering this world's changes, as the app wires one."""
        self.files.changes.positions = positions
        feed = StorageChangeFeed(positions)
        self.files.changes.listen(feed.notice, everywhere=True)
        return feed

    async def put(self, path: str, data: bytes, user: int = ALICE, mtime_ns: int = 0) -> None:
        await self.files.put(user, path, chunks_of(data), mtime_ns=mtime_ns, expected_sha1=None)

    async def index_matches_listing(self, user: int = ALICE) -> None:
        """The index of the user's own files equals a fresh listing of them, words included."""
        await self.catalog.settle()
        listed = await listed_entries(HOME, OwnFilesProvider(self.files, user), "")
        indexed = await self.store.fingerprints(user, HOME)
        assert indexed == {e.path: e.fingerprint for e in listed}
        assert self.word_rows(user) == len(indexed)

    async def content(self, path: str, user: int = ALICE) -> bytes:
        found = self.files.file(user, path)
        return b"".join([chunk async for chunk in self.files.read(found, 0, found.size)])

    def word_rows(self, user: int) -> int:
        """Entries of the user whose words are in step with their name and folder: on SQLite
        the rows of the FTS table, on PostgreSQL the rows whose ``tsvector`` is what the
        current name and folder give."""
        if isinstance(self.db, SqliteDatabase):
            row = self.db.execute(
                "SELECT COUNT(*) FROM catalog_words WHERE catalog_words MATCH ?",
                (f'scope:"u{user}"',),
            ).one()
            assert row is not None
            return int(row[0])
        rows = self.db.execute(
            "SELECT name, parent, CAST(words AS TEXT) FROM catalog_entries WHERE user_id = ?",
            (user,),
        ).rows
        in_step = self.db.execute(
            "SELECT COUNT(*) FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS w(have, want)"
            " WHERE CAST(have AS tsvector) = CAST(want AS tsvector)",
            ([r[2] for r in rows], [entry_vector(r[0], r[1]) for r in rows]),
        ).one()
        assert in_step is not None
        return int(in_step[0])
