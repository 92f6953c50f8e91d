"""Migration 26 (PostgreSQL: 14): rows of connections deleted before deleting a connection
dropped its part of the index (and its photos' facts) with it.

Such rows were never shown (a search asks only the connections that exist) but took room, and
a new connection given the old name would have inherited them. One sweep at migration time
removes every row whose source no connection of its user is named; later deletions drop their
rows as they happen (``CatalogService.connection_deleted``, ``ProviderPhotos
.connection_deleted``). On SQLite an entry's words go first, by FTS5's ``'delete'`` with the
values they were indexed with (``catalog/sqlite.py``); on PostgreSQL they are a column of the
row. Thumbnail blobs of swept photo facts stay in the blob store (no row names them any more).
Statements hold no ``;`` inside them: the SQLite runner splits on it.
"""

from __future__ import annotations

#: Tables holding rows per (user, source), each with the sources kept whatever the
#: connections: the server's own storage (``home``) and, for staleness, the user's own default
#: for every connection (``''``). Frozen with the migration: a table added later gets a
#: migration of its own, or databases already at 26 would never see it swept.
_PER_SOURCE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("catalog_entries", ("home",)),
    ("catalog_stars", ("home",)),
    ("catalog_activity", ("home",)),
    ("catalog_sources", ("home",)),
    ("catalog_staleness", ("home", "")),
    ("provider_photo_facts", ("home",)),
)


def _gone(table: str, kept: tuple[str, ...]) -> str:
    """Rows of ``table`` whose source no connection of their user is named (any more)."""
    listed = ", ".join(f"'{source}'" for source in kept)
    return (
        f"{table}.source NOT IN ({listed}) AND NOT EXISTS (SELECT 1 FROM connections c"  # noqa: S608 - this module's fixed names
        f" WHERE c.user_id = {table}.user_id AND c.name = {table}.source)"
    )


_SWEEP = ";\n".join(
    f"DELETE FROM {table} WHERE {_gone(table, kept)}"  # noqa: S608 - this module's fixed names
    for table, kept in _PER_SOURCE
)

#: SQLite.
ORPHANS_SWEEP_MIGRATION = (
    "INSERT INTO catalog_words (catalog_words, rowid, scope, name, folder)"  # noqa: S608 - fixed names
    " SELECT 'delete', id, 'u' || user_id, name, parent FROM catalog_entries"
    f" WHERE {_gone('catalog_entries', ('home',))};\n{_SWEEP}\n"
)
#: The same on PostgreSQL, where an entry's words are a column of its row.
PG_ORPHANS_SWEEP_MIGRATION = _SWEEP + ";\n"
