"""The catalog's tables (migration 11 in ``server.datadir``), kept here beside their store.

``catalog_words`` is a contentless FTS5 table: the text lives once, in ``catalog_entries``,
and the store removes a row's words with FTS5's ``'delete'`` command and the old values.
``scope`` (``u<user id>``) is indexed with the words so one user's search never walks
another user's matches. Statements hold no ``;`` inside them (the migration runner splits on
it), which is also why the store keeps the words in step itself rather than by triggers.
"""

from __future__ import annotations

CATALOG_MIGRATION = """
CREATE TABLE catalog_entries (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    parent TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    mime TEXT NOT NULL,
    owner TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, source, path)
);
CREATE INDEX catalog_by_parent ON catalog_entries (user_id, source, parent, path);
CREATE INDEX catalog_by_hash ON catalog_entries (user_id, content_hash) WHERE content_hash != '';
CREATE INDEX catalog_by_size ON catalog_entries (user_id, size);
CREATE VIRTUAL TABLE catalog_words USING fts5(
    scope, name, folder, content='', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
CREATE TABLE catalog_sources (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    feed_position TEXT NOT NULL,
    refreshed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, source)
);
CREATE TABLE catalog_stars (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    starred_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, source, path)
);
CREATE TABLE catalog_activity (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    action TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX catalog_activity_by_user ON catalog_activity (user_id, at);
CREATE INDEX catalog_activity_by_path ON catalog_activity (user_id, source, path)
"""

#: Migration 24: how long after its last refresh a source's part of the index counts as stale,
#: as the user set it: ``source`` '' is their own default for every connection. Without a row
#: the server's ``[catalog] stale_after_hours`` applies (service.py).
STALENESS_MIGRATION = """
CREATE TABLE catalog_staleness (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    stale_after INTEGER NOT NULL,
    PRIMARY KEY (user_id, source)
)
"""

#: Migration 29: each word of each entry's name, in the order a search ranks the files whose
#: name holds a word (shortest names first, then path, then source), so the first page of a
#: one-word search is read from the start of each matching word's run instead of ranking
#: every match (server/catalog/name_runs.py). The words of entries indexed before are read
#: back from the FTS5 index (its ``instance`` vocabulary lists each word of each column).
#: The store removes an entry's rows by their key, as it removes its FTS5 words: an index by
#: ``entry_id`` (for a cascade) repeats the whole key in a table without rowid, 32 MB at
#: 100,000 files beside the runs' own 33 MB.
NAME_WORDS_MIGRATION = """
CREATE TABLE catalog_name_words (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    word TEXT NOT NULL,
    name_len INTEGER NOT NULL,
    path TEXT NOT NULL,
    source TEXT NOT NULL,
    entry_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, word, name_len, path, source)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.catalog_words_vocab USING fts5vocab(main, catalog_words, instance);
INSERT OR IGNORE INTO catalog_name_words (user_id, word, name_len, path, source, entry_id)
    SELECT e.user_id, v.term, length(e.name), e.path, e.source, e.id
    FROM temp.catalog_words_vocab v JOIN catalog_entries e ON e.id = v.doc
    WHERE v.col = 'name';
DROP TABLE temp.catalog_words_vocab
"""
