"""borg list/create JSON, as borg 1.2.4 writes it, into dataclasses; browsing folders."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from syncoxide.backup.listing import (
    children,
    parse_create_stats,
    parse_entries,
    parse_repository,
)
from syncoxide.errors import RemoteProtocolError

REPOSITORY = json.dumps(
    {
        "archives": [
            {"archive": "one", "barchive": "one", "id": "4a95", "name": "one",
             "start": "2026-12-06T06:30:31.000000", "time": "2026-12-06T06:30:31.000000"}
        ],
        "encryption": {"mode": "repokey-blake2"},
        "repository": {"id": "4b5c", "last_modified": "2026-12-06T06:30:31", "location": "/tmp/r"},
    }
)  # fmt: skip
BASE = {"healthy": True, "linktarget": "", "size": 0, "mtime": "2026-12-06T06:30:30.121918"}
LINES = [
    json.dumps({**BASE, "type": "d", "mode": "drwxr-xr-x", "path": "src"}),
    json.dumps({**BASE, "type": "-", "mode": "-rw-r--r--", "path": "src/a", "size": 300000}),
    json.dumps({**BASE, "type": "l", "mode": "lrwxrwxrwx", "path": "src/link", "linktarget": "a"}),
    json.dumps({**BASE, "type": "-", "mode": "-rw-r--r--", "path": "src/deep/er/b", "size": 3}),
    "",
]


def test_repository_listing() -> None:
    summary = parse_repository(REPOSITORY)
    assert summary.encryption == "repokey-blake2"
    assert summary.location == "/tmp/r"
    assert [a.name for a in summary.archives] == ["one"]
    assert summary.archives[0].time == datetime(2026, 12, 6, 6, 30, 31)


def test_entries_and_folders() -> None:
    entries = list(parse_entries(LINES))
    assert [e.kind for e in entries] == ["dir", "file", "symlink", "file"]
    assert entries[2].link_target == "a"
    assert [e.path for e in children(entries, "")] == ["src"]
    inside = children(entries, "src/")
    assert [(e.path, e.kind) for e in inside] == [
        ("src/deep", "dir"),
        ("src/a", "file"),
        ("src/link", "symlink"),
    ]
    assert [e.path for e in children(entries, "src/deep")] == ["src/deep/er"]


def test_create_stats() -> None:
    stats = parse_create_stats(
        '{"archive": {"name": "one", "duration": 0.5, "stats": {"compressed_size": 10,'
        ' "deduplicated_size": 7, "nfiles": 2, "original_size": 12}}}'
    )
    assert (stats.archive, stats.files, stats.original_size, stats.added) == ("one", 2, 12, 7)


@pytest.mark.parametrize("bad", ["not json", "[]", '{"archives": [{"name": "x", "time": "soon"}]}'])
def test_answers_that_are_not_borgs_are_protocol_errors(bad: str) -> None:
    with pytest.raises(RemoteProtocolError):
        parse_repository(bad)
