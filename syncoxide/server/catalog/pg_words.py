"""Names and folders as PostgreSQL ``tsvector`` values, and searches as ``tsquery`` values,
built here so they split words exactly as the SQLite catalog's FTS5 tokenizer does.

SQLite's ``unicode61 remove_diacritics 2`` tokenizer: a word is a run of letters and digits
(anything else, ``_`` included, separates), folded to lower case with accents removed. Doing
that here rather than with ``to_tsvector`` keeps PostgreSQL's parser (which reads
``plan.pdf`` as one host name and ``a-b`` as three words) out of it, so a search answers the
same on both databases. Values are written as literals and cast (``CAST(? AS tsvector)``):
every lexeme is letters and digits only, so no quoting can go wrong.

Layout of an entry's vector: the name's words at positions 1..n with weight A, then one
position left empty, then the folder's words with weight B. The gap keeps a phrase from
running from the end of the name into the folder. ``'plan':*A`` matches a word of the name
starting with "plan"; without a weight, a word of either.
"""

from __future__ import annotations

import re
import unicodedata

from syncoxide.catalog.search import SearchQuery

_WORD = re.compile(r"[^\W_]+")
#: tsvector positions stop at 16,383; later words are kept at that position.
_LAST_POSITION = 16_383
NAME, ANY = "A", ""


def words_of(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [word.lower() for word in _WORD.findall(plain)]


def entry_vector(name: str, folder: str) -> str:
    """The ``tsvector`` literal of an entry's name and folder."""
    named = words_of(name)
    parts = [f"'{w}':{_at(i)}A" for i, w in enumerate(named, start=1)]
    start = len(named) + 2
    parts += [f"'{w}':{_at(i)}B" for i, w in enumerate(words_of(folder), start=start)]
    return " ".join(parts)


def _at(position: int) -> int:
    return min(position, _LAST_POSITION)


def _term(text: str, weight: str, *, prefix: bool) -> str:
    """One word or phrase: its words in a row, the last a prefix when ``prefix`` (as FTS5
    reads ``"c d e"*``); '' when it holds no word at all."""
    words = words_of(text)
    marks = [f"'{w}':{weight}" if weight else f"'{w}'" for w in words]
    if marks and prefix:
        marks[-1] = f"'{words[-1]}':*{weight}"
    return " <-> ".join(marks)


def text_query(query: SearchQuery, weight: str) -> str:
    """Every word (a prefix) and phrase of the search, all required, in ``weight``'s words
    (``NAME``) or in any (``ANY``); '' when one of them holds no word: FTS5 matches nothing
    for an empty phrase, so neither does the search (``"..." beach`` finds nothing)."""
    terms = [_term(w, weight, prefix=True) for w in query.words]
    terms += [_term(p, weight, prefix=False) for p in query.phrases]
    return "" if not all(terms) else " & ".join(f"({t})" for t in terms)


def excluded_query(query: SearchQuery) -> str:
    """Any one excluded word, as a prefix, in the name or folder ('' when none)."""
    terms = [_term(w, ANY, prefix=True) for w in query.excluded]
    return " | ".join(f"({t})" for t in terms if t)
