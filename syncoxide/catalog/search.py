"""What people type in the search box, parsed into a query no one can turn into SQL or FTS.

Syntax (any order, all combined with AND)::

    report 2024           words: each matches the start of a word in the name or path
    "annual report"       a phrase: these words, in this order
    -draft                leave out entries matching the word
    type:image            a group (image video audio text pdf archive document) or a MIME prefix
    ext:pdf               the name's extension
    in:home  in:s3        one provider (``provider:`` means the same); repeat for several
    path:photos/2024      inside this folder
    size:>10MB size:<1kB  bounds on size (decimal or binary units)
    after:2024-01-01      modified on or after this day (UTC); before: strictly before it
    is:file  is:folder

Every word ends up inside an FTS5 string literal (double quotes, quotes inside doubled), so
``AND``/``OR``/``NEAR``/``*``/``^``/column filters typed by a user are plain text, never
operators. Bad values for filters raise ``UsageError`` saying what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from syncoxide.catalog.model import DIR, FILE, TYPE_GROUPS
from syncoxide.errors import UsageError

MAX_QUERY_CHARACTERS = 1000
MAX_WORDS = 32
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_SIZE = re.compile(r"^([<>]=?)?(\d+(?:\.\d+)?)\s*([kmgtp]?i?b?)?$", re.IGNORECASE)
_UNIT_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_NS_PER_SECOND = 1_000_000_000


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    mime_prefixes: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    path_prefix: str = ""
    kind: str = ""
    min_size: int | None = None
    max_size: int | None = None
    after_ns: int | None = None
    before_ns: int | None = None
    unknown_filters: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    def fts_match(self) -> str:
        """The FTS5 MATCH expression for the words and phrases ('' when there are none)."""
        parts = [f"{_fts_string(word)}*" for word in self.words]
        parts += [_fts_string(phrase) for phrase in self.phrases]
        return " AND ".join(parts)

    def fts_excluded(self) -> str:
        """One expression matching any excluded word ('' when there are none)."""
        return " OR ".join(f"{_fts_string(word)}*" for word in self.excluded)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def parse_search(text: str) -> SearchQuery:
    if len(text) > MAX_QUERY_CHARACTERS:
        raise UsageError(f"A search is at most {MAX_QUERY_CHARACTERS} characters.")
    if not text.isprintable() and any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise UsageError("A search is plain text: no control characters or lone surrogates.")
    query = SearchQuery()
    tokens = _TOKEN.findall(text)
    if len(tokens) > MAX_WORDS:
        raise UsageError(f"A search holds at most {MAX_WORDS} words and filters.")
    for minus, quoted, bare in tokens:
        if bare:
            query = _with_token(query, bare)
        elif quoted.strip() and minus:
            query = replace(query, excluded=(*query.excluded, quoted))
        elif quoted.strip():
            query = replace(query, phrases=(*query.phrases, quoted))
    return query


def _with_token(query: SearchQuery, token: str) -> SearchQuery:
    name, colon, value = token.partition(":")
    apply = _FILTERS.get(name.lower()) if colon and value else None
    if apply is not None:
        return apply(query, value)
    if token.startswith("-") and len(token) > 1:
        return replace(query, excluded=(*query.excluded, token[1:]))
    if not _has_word_characters(token):
        return query  # lone punctuation ("*", "-", "&&") matches nothing useful: ignored
    unknown = (*query.unknown_filters, name) if colon and value else query.unknown_filters
    return replace(query, words=(*query.words, token), unknown_filters=unknown)


def _has_word_characters(token: str) -> bool:
    return any(character.isalnum() for character in token)


def _type(query: SearchQuery, value: str) -> SearchQuery:
    prefixes = TYPE_GROUPS.get(value.lower())
    if prefixes is None:
        if "/" not in value:
            groups = ", ".join(TYPE_GROUPS)
            raise UsageError(
                f"type:{value} is not a type.", hint=f"Use one of {groups}, or a MIME type."
            )
        prefixes = (value.lower(),)
    return replace(query, mime_prefixes=(*query.mime_prefixes, *prefixes))


def _ext(query: SearchQuery, value: str) -> SearchQuery:
    return replace(query, extensions=(*query.extensions, value.lower().lstrip(".")))


def _source(query: SearchQuery, value: str) -> SearchQuery:
    return replace(query, sources=(*query.sources, value.rstrip(":")))


def _path(query: SearchQuery, value: str) -> SearchQuery:
    return replace(query, path_prefix=value.strip("/"))


def _is(query: SearchQuery, value: str) -> SearchQuery:
    kinds = {"file": FILE, "folder": DIR, "dir": DIR}
    if value.lower() not in kinds:
        raise UsageError(f"is:{value} is not known.", hint="Use is:file or is:folder.")
    return replace(query, kind=kinds[value.lower()])


def _size(query: SearchQuery, value: str) -> SearchQuery:
    match = _SIZE.match(value)
    if match is None:
        raise UsageError(
            f"size:{value} is not a size.", hint="Write size:>10MB, size:<500kB or size:1GiB."
        )
    operator, number, unit = match.group(1) or "=", float(match.group(2)), match.group(3) or ""
    unit = unit.lower().rstrip("b")
    base = 1024 if unit.endswith("i") else 1000
    count = int(number * base ** _UNIT_POWERS[unit.rstrip("i")])
    if operator.startswith(">"):
        return replace(query, min_size=count + (operator == ">"))
    if operator.startswith("<"):
        return replace(query, max_size=count - (operator == "<"))
    return replace(query, min_size=count, max_size=count)


def day_start_ns(value: str, filter_name: str) -> int:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(
            f"{filter_name}:{value} is not a day.", hint="Write the day as YYYY-MM-DD."
        ) from None
    return int(day.timestamp()) * _NS_PER_SECOND


def _after(query: SearchQuery, value: str) -> SearchQuery:
    return replace(query, after_ns=day_start_ns(value, "after"))


def _before(query: SearchQuery, value: str) -> SearchQuery:
    return replace(query, before_ns=day_start_ns(value, "before"))


_FILTERS = {
    "type": _type,
    "ext": _ext,
    "in": _source,
    "provider": _source,
    "path": _path,
    "is": _is,
    "size": _size,
    "after": _after,
    "before": _before,
}
