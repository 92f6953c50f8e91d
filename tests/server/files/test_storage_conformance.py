"""Every storage backend passes the port's conformance checks; today the embedded ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.storage.blobs import LocalBlobStore
from syncoxide.server.storage.conformance import (
    BLOB_CHECKS,
    METADATA_CHECKS,
    BlobCheck,
    MetadataCheck,
)
from syncoxide.server.storage.sqlite import SqliteMetadataStore

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("check", METADATA_CHECKS, ids=lambda c: c.__name__)
def test_sqlite_metadata_store(check: MetadataCheck, tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path, web_root=ROOT / "web")
    prepare_data_dir(config)
    store = SqliteMetadataStore.open(config.database_path)
    try:
        asyncio.run(check(store))
    finally:
        store.close()


@pytest.mark.parametrize("check", BLOB_CHECKS, ids=lambda c: c.__name__)
def test_local_blob_store(check: BlobCheck, tmp_path: Path) -> None:
    asyncio.run(check(LocalBlobStore(tmp_path / "blobs")))
