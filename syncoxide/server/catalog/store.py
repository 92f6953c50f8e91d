"""The catalog store for the deployment's database: FTS5 on SQLite, ``tsvector`` on
PostgreSQL, the rest shared (server/catalog/sql_store.py)."""

from __future__ import annotations

from syncoxide.server.catalog.postgres import PostgresCatalogStore
from syncoxide.server.catalog.sql_store import SqlCatalogStore
from syncoxide.server.catalog.sqlite import SqliteCatalogStore
from syncoxide.server.storage.database import Database, SqliteDatabase


def catalog_store(database: Database) -> SqlCatalogStore:
    if isinstance(database, SqliteDatabase):
        return SqliteCatalogStore(database)
    return PostgresCatalogStore(database)
