"""Index entries from listings, their diff against the index, and PROVIDER:path names."""

from __future__ import annotations

import random

import pytest

from syncoxide.catalog.diff import ListingDiff, diff_listing
from syncoxide.catalog.model import (
    DIR,
    CatalogEntry,
    Location,
    from_listing,
    listed_fingerprint,
    mime_of,
    parse_location,
    type_group,
)
from syncoxide.errors import UsageError
from syncoxide.providers.contract import Entry, EntryKind


def test_listed_files_get_a_type_and_the_preferred_digest() -> None:
    listed = Entry("a/b.PDF", EntryKind.FILE, 3, 7, {"md5": "AB", "sha1": "cd"})
    entry = from_listing("s3", listed)
    assert entry == CatalogEntry("s3", "a/b.PDF", "file", 3, 7, "sha1:cd", "application/pdf")
    assert type_group(entry.mime) == "pdf"
    assert from_listing("s3", Entry("x", EntryKind.DIR)).kind == DIR  # type: ignore[union-attr]
    assert from_listing("s3", Entry(".sxpart-1", EntryKind.PARTIAL)) is None
    assert mime_of("notes.md") == "text/markdown"
    assert mime_of("no-extension") == "application/octet-stream"


def test_the_diff_writes_only_what_changed_and_keeps_digests_a_listing_lacks() -> None:
    old = [
        CatalogEntry("d", "same", size=1, mtime_ns=1, content_hash="sha1:aa"),
        CatalogEntry("d", "grown", size=1, mtime_ns=1),
        CatalogEntry("d", "gone", size=1, mtime_ns=1),
    ]
    indexed = {e.path: e.fingerprint for e in old}
    listed = [
        CatalogEntry("d", "same", size=1, mtime_ns=1),  # no digest in this listing: unchanged
        CatalogEntry("d", "grown", size=2, mtime_ns=1),
        CatalogEntry("d", "new", size=5, mtime_ns=1),
    ]
    changes = diff_listing(indexed, listed)
    assert [e.path for e in changes.upserts] == ["grown", "new"]
    assert changes.removals == ("gone",)


_PATHS = ("a", "b", "c/d.txt", "c/e.pdf", "f", "g")
_KINDS = (EntryKind.FILE, EntryKind.FILE, EntryKind.DIR, EntryKind.SYMLINK)
_HASHES: tuple[dict[str, str], ...] = ({}, {"md5": "AA"}, {"md5": "bb", "sha1": "CC"})


def _random_listing(chance: random.Random) -> list[Entry]:
    paths = chance.sample(_PATHS, chance.randint(0, len(_PATHS)))
    return [Entry(path, chance.choice(_KINDS), chance.randint(0, 2), chance.randint(0, 2),
                  dict(chance.choice(_HASHES))) for path in paths]  # fmt: skip


def _random_index(chance: random.Random) -> dict[str, tuple[str, int, int, str]]:
    paths = chance.sample(_PATHS, chance.randint(0, len(_PATHS)))
    return {path: (chance.choice(("file", "dir")), chance.randint(0, 2), chance.randint(0, 2),
                   chance.choice(("", "md5:aa", "sha1:cc"))) for path in paths}  # fmt: skip


# Seeded cases rather than hypothesis: tests/core also runs inside Pyodide, which has none.
@pytest.mark.parametrize("seed", range(200))
def test_a_listing_compared_as_it_comes_changes_what_built_entries_change(seed: int) -> None:
    """The refresh's comparison of raw listed pages (entries built for changes alone) finds
    what the comparison of fully built entries finds, in two pages as in one."""
    chance = random.Random(seed)
    listed, indexed = _random_listing(chance), _random_index(chance)
    built = [e for e in (from_listing("s3", item, "me") for item in listed) if e is not None]
    for item in listed:
        entry = from_listing("s3", item)
        assert listed_fingerprint(item) == (entry.fingerprint if entry else None)
    diff = ListingDiff(indexed)
    diff.add_listed("s3", listed[:2], "me")
    diff.add_listed("s3", listed[2:], "me")
    assert diff.changes() == diff_listing(indexed, built)
    assert diff.listed == len(built)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("home:", Location("home", "")),
        ("home:/", Location("home", "")),
        ("s3:photos/2024/", Location("s3", "photos/2024")),
        ("My Drive:a b/c.txt", Location("My Drive", "a b/c.txt")),
    ],
)
def test_locations_parse(raw: str, expected: Location) -> None:
    assert parse_location(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "photos/a.jpg",
        ":a",
        "home:../etc/passwd",
        "home:a/../../b",
        "s3:/abs",
        "home:\ud800",
        "h\x00:a",
    ],
)
def test_bad_locations_say_how_to_write_them(raw: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_location(raw)
    assert raised.value.hint


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a/b.tar.gz", "application/x-tar"), ("x.PDF", "application/pdf"),
     ("photo.JPG", "image/jpeg"), ("my.report.final.pdf", "application/pdf"),
     ("noext", "application/octet-stream"), (".pdf", "application/octet-stream"),
     ("dir.d/file", "application/octet-stream"), ("a/.hidden.txt", "text/plain")],
)  # fmt: skip
def test_the_type_is_guessed_from_the_name_s_suffixes(name: str, expected: str) -> None:
    assert mime_of(name) == expected
