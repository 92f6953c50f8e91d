"""Folder index entries from peers, and what to do with them (syncoxide/devices/index.py)."""

from __future__ import annotations

import hashlib

import pytest

from syncoxide.devices.index import (
    BLOCK_SIZE,
    Decision,
    FileEntry,
    decide,
    dominates,
    loser_name,
    merged,
)
from syncoxide.errors import RemoteProtocolError

H = hashlib.sha256(b"block").hexdigest()
G = hashlib.sha256(b"other").hexdigest()


def entry(version: dict[str, int], blocks: tuple[str, ...] = (H,), **more: object) -> FileEntry:
    return FileEntry(
        "a/b.txt", 10 * len(blocks), int(more.get("mtime_ns", 1)), version, blocks,  # type: ignore[call-overload]
        bool(more.get("deleted", False)), str(more.get("modified_by", "AAAAAAA")),
    )  # fmt: skip


def test_vectors_dominate_and_merge() -> None:
    assert dominates({"a": 2, "b": 1}, {"a": 1})
    assert not dominates({"a": 1}, {"b": 1})
    assert merged({"a": 2}, {"a": 1, "b": 3}) == {"a": 2, "b": 3}


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        (None, entry({"b": 1}), Decision.TAKE),
        (None, entry({"b": 1}, (), deleted=True), Decision.IGNORE),
        (entry({"a": 2}), entry({"a": 1}, (G,)), Decision.IGNORE),
        (entry({"a": 1}), entry({"a": 2}, (G,)), Decision.TAKE),
        (entry({"a": 1}), entry({"b": 1}), Decision.MERGE),
        (entry({"a": 1}), entry({"b": 1}, (G,), mtime_ns=5), Decision.CONFLICT_THEIRS_WINS),
        (entry({"a": 1}, mtime_ns=9), entry({"b": 1}, (G,)), Decision.CONFLICT_OURS_WINS),
        (entry({"a": 1}), entry({"b": 1}, (), deleted=True), Decision.CONFLICT_OURS_WINS),
        (entry({"a": 1}, (), deleted=True), entry({"b": 1}), Decision.TAKE),
    ],
)
def test_decide(ours: FileEntry | None, theirs: FileEntry, expected: Decision) -> None:
    assert decide(ours, theirs) is expected


def test_both_sides_of_a_conflict_agree_on_the_winner_and_the_loser_name() -> None:
    mine = entry({"AAAAAAA": 1}, mtime_ns=3)
    yours = entry({"BBBBBBB": 1}, (G,), mtime_ns=3, modified_by="BBBBBBB")
    assert {decide(mine, yours), decide(yours, mine)} == {
        Decision.CONFLICT_THEIRS_WINS,
        Decision.CONFLICT_OURS_WINS,
    }
    assert loser_name(mine) == "a/b.conflict-1-AAAAAAA.txt"


def wire(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "path": "docs/x.txt", "size": BLOCK_SIZE + 1, "mtime_ns": 1, "deleted": False,
        "version": {"A": 1}, "blocks": [H, G], "modified_by": "A",
    }  # fmt: skip
    return {**body, **changes}


def test_a_well_formed_entry_is_read() -> None:
    assert FileEntry.from_json(wire()).blocks == (H, G)


@pytest.mark.parametrize(
    "path", ["../etc/passwd", "a/../../b", "/etc/passwd", "a//b", "./a", "a\\b", ".syncoxide/tmp/x"]
)
def test_an_index_entry_with_an_unsafe_path_is_refused(path: str) -> None:
    with pytest.raises(RemoteProtocolError, match="Refused the path"):
        FileEntry.from_json(wire(path=path))


@pytest.mark.parametrize(
    "changes",
    [
        {"blocks": [H]},  # fewer blocks than the size needs
        {"blocks": [H, "zz" * 32]},  # not a hash
        {"size": -1},
        {"version": {"A": -1}},
        {"version": "nope"},
        {"size": "big"},
    ],
)
def test_an_entry_that_does_not_add_up_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(RemoteProtocolError):
        FileEntry.from_json(wire(**changes))
