"""The first tier of a one-word search, read from ordered runs of name words, on both databases.

A search ranks first the files whose name holds every word, shortest names first, then by
path and source. Found through the words index (FTS5, or the ``tsvector`` under GIN), every
match's row had to be read and sorted before the first page was known: a common word matches
thousands of names (bench/catalog_search.py: ~4,000 of 100,000, 4-13 ms a search on SQLite).

``catalog_name_words`` holds one row per word of each entry's name, keyed by
``(user_id, word, name_len, path, source)``: all the names holding one word form a run,
already in search order. A word typed is a prefix, so it matches the runs of every indexed
word it starts (``plan`` finds ``plan``, ``planet``, ``planning``): those words are found by
hopping from one to the next through the key (one index probe each, never reading a run),
and the page is the first ``limit`` rows of the runs' union, each run read from its start up
to ``limit`` rows that pass the filters. An entry in two runs (``plan planet.txt``) is one
row of the union. Any entry among the first ``limit`` of all is among the first ``limit`` of
its own run (every entry before it in its run is before it in all), so the page is exact.

Only a search of one word, made of one word as the words index splits it, goes this way;
more words, a phrase, or a prefix shared by more than ``MAX_RUNS`` indexed words keep the
words index (``None``). Its words are split as the words index splits them
(server/catalog/pg_words.py), so both ways find the same entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from syncoxide.catalog.search import SearchQuery
from syncoxide.server.catalog.pg_words import words_of
from syncoxide.server.catalog.rows import E_COLUMNS, ENTRY_COLUMNS
from syncoxide.server.storage.database import Database, Reads

#: Indexed words a typed prefix may start before the search keeps to the words index: each
#: run is one more ordered read of up to ``limit`` rows.
MAX_RUNS = 32
#: Past every character a word can hold: ``[word, word + END)`` is every word it starts.
END = "\U0010ffff"

_NEXT_WORDS = (
    "WITH RECURSIVE hop(word) AS ("
    " SELECT MIN(word) FROM catalog_name_words WHERE user_id = ? AND word >= ? AND word < ?"
    " UNION ALL SELECT (SELECT MIN(n.word) FROM catalog_name_words n WHERE n.user_id = ?"
    " AND n.word > hop.word AND n.word < ?) FROM hop WHERE hop.word IS NOT NULL)"
    " SELECT word FROM hop WHERE word IS NOT NULL LIMIT ?"
)
#: Over a row left behind (an entry gone by a way that did not remove its runs), the new
#: entry's id: the key is the same, and the search joins runs to entries by id.
ON_CONFLICT = (
    " ON CONFLICT (user_id, word, name_len, path, source)"
    " DO UPDATE SET entry_id = excluded.entry_id"
)
_ADD = (
    "INSERT INTO catalog_name_words (user_id, word, name_len, path, source, entry_id)"  # noqa: S608
    f" VALUES (?, ?, ?, ?, ?, ?){ON_CONFLICT}"
)
_REMOVE = (
    "DELETE FROM catalog_name_words"
    " WHERE user_id = ? AND word = ? AND name_len = ? AND path = ? AND source = ?"
)


def one_name_word(query: SearchQuery) -> str | None:
    """The single word a search is, as the words index keeps it; None for any other search."""
    if len(query.words) != 1 or query.phrases:
        return None
    words = words_of(query.words[0])
    return words[0] if len(words) == 1 else None


def run_words(db: Reads, user_id: int, prefix: str) -> list[str] | None:
    """The indexed words ``prefix`` starts, in order; None when more than ``MAX_RUNS``."""
    high = prefix + END
    rows = db.execute(_NEXT_WORDS, (user_id, prefix, high, user_id, high, MAX_RUNS + 1)).rows
    return [word for (word,) in rows] if len(rows) <= MAX_RUNS else None


def first_page_sql(
    user_id: int, words: Sequence[str], filters: tuple[str, list[Any]], limit: int
) -> tuple[str, list[Any]]:
    """The statement (``ENTRY_COLUMNS``, ranked) and its parameters for the first ``limit``
    entries whose name holds one of ``words``: each run read in order up to ``limit``."""
    where, params = filters
    run = (
        f"SELECT * FROM (SELECT r.name_len, {E_COLUMNS} FROM catalog_name_words r"  # noqa: S608
        f" JOIN catalog_entries e ON e.id = r.entry_id WHERE r.user_id = ? AND r.word = ?{where}"
        " ORDER BY r.name_len, r.path, r.source LIMIT ?) AS run{n}"
    )
    runs = " UNION ".join(run.format(n=n) for n in range(len(words)))
    sql = (
        f"SELECT {ENTRY_COLUMNS} FROM ({runs}) AS runs"  # noqa: S608
        " ORDER BY name_len, path, source LIMIT ?"
    )
    values = [v for word in words for v in (user_id, word, *params, limit)]
    return sql, [*values, limit]


def name_word_rows(
    user_id: int, named: Iterable[tuple[int, str, str, str]]
) -> list[tuple[object, ...]]:
    """Rows of ``catalog_name_words`` for entries given as (id, name, path, source)."""
    return [
        (user_id, word, len(name), path, source, row_id)
        for row_id, name, path, source in named
        for word in dict.fromkeys(words_of(name))
    ]


def add_name_words(db: Database, user_id: int, named: Iterable[tuple[int, str, str, str]]) -> None:
    db.execute_many(_ADD, name_word_rows(user_id, named))


def remove_name_words(
    db: Database, user_id: int, named: Iterable[tuple[int, str, str, str]]
) -> None:
    """Remove the runs' rows of entries given as (id, name, path, source), by their key."""
    db.execute_many(_REMOVE, [row[:5] for row in name_word_rows(user_id, named)])
