"""The server's own files and the catalog over them, assembled without HTTP, with a set clock.

Light enough to build once per hypothesis example: a migrated database, local blobs, two users
made by SQL (no password hashing).
"""

from __future__ import annotations

from pathlib import Path

from syncoxide.catalog.model import HOME
from syncoxide.catalog.refresh import listed_entries
from syncoxide.providers.contract import chunks_of
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.catalog.sqlite import SqliteCatalogStore
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.history import HistoryStore
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.files.recovery import FileRecovery
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import FileStore
from syncoxide.server.storage.blobs import LocalBlobStore
from syncoxide.server.storage.database import SqliteDatabase
from syncoxide.server.storage.sqlite import open_database
from syncoxide.server.tus import UploadStore

ALICE, BOB = 1, 2
ROOT = Path(__file__).resolve().parents[3]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


class CatalogWorld:
    def __init__(self, tmp_path: Path) -> None:
        config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
        prepare_data_dir(config)
        self.db = open_database(config.database_path)
        for name in ("alice", "bob"):
            self.db.execute(
                "INSERT INTO users (name, display_name, created_at) VALUES (?, ?, 0)", (name, name)
            )
        self.clock = Clock()
        handle = SqliteDatabase(self.db)  # files, history and catalog share one connection
        self.files = FileService(
            store=FileStore(handle),
            blobs=LocalBlobStore(config.blobs_dir),
            uploads=UploadStore(config.data_dir / "uploads", lambda: float(self.clock())),
            incoming=config.data_dir / "incoming",
            history=HistoryStore(handle),
            clock=self.clock,
        )
        self.recovery = FileRecovery(self.files, HistoryStore(handle), self.clock)
        self.store = SqliteCatalogStore(self.db)
        self.feed = StorageChangeFeed("boot1")  # as the app wires it
        self.files.changes.listen(self.feed.notice)
        self.catalog = CatalogService(self.store, self.clock, self.files, feed=self.feed)

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
        """Rows of the user's words in the FTS table (one per indexed entry when in step)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM catalog_words WHERE catalog_words MATCH ?", (f'scope:"u{user}"',)
        ).fetchone()
        return int(row[0])
