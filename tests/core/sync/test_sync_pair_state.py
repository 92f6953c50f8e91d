"""The saved pair state: version 2 keeps each side's file id; version 1 files still read."""

from __future__ import annotations

import json

import pytest

from syncoxide.errors import JournalError
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.state import PairRecord, PairState, decode_state, encode_state

ONE = Entry("a.txt", EntryKind.FILE, 5, 17, {"sha1": "ab" * 20}, file_id="2049:77")
TWO = Entry("a.txt", EntryKind.FILE, 5, 18, {})

VERSION_1 = (
    b'{"format": "syncoxide-pair-state", "version": 1, "files": '
    b'[["a.txt", "a.txt", 5, 17, {"sha1": "' + b"ab" * 20 + b'"}, "a.txt", 5, 18, {}]], '
    b'"dirs": []}'
)


def test_version_2_round_trips_file_ids() -> None:
    blob = encode_state(PairState({"a.txt": PairRecord(ONE, TWO)}, set()))
    body = json.loads(blob)
    assert body["version"] == 2
    side_one = ["a.txt", 5, 17, ONE.hashes, "2049:77"]
    assert body["files"][0] == ["a.txt", *side_one, "a.txt", 5, 18, {}, ""]
    record = decode_state(blob).files["a.txt"]
    assert (record.one.file_id, record.two.file_id) == ("2049:77", "")
    assert record.one.hashes == ONE.hashes and record.two.mtime_ns == 18


def test_a_version_1_state_still_reads_without_file_ids() -> None:
    record = decode_state(VERSION_1).files["a.txt"]
    assert (record.one.size, record.one.mtime_ns, record.two.mtime_ns) == (5, 17, 18)
    assert record.one.hashes == {"sha1": "ab" * 20}
    assert record.one.file_id == record.two.file_id == ""


@pytest.mark.parametrize(
    "blob",
    [
        b"[]",
        b'{"format": "syncoxide-pair-state", "version": 3, "files": [], "dirs": []}',
        VERSION_1.replace(b'"version": 1', b'"version": 2'),  # rows one field short per side
    ],
)
def test_an_unreadable_state_is_a_clear_error(blob: bytes) -> None:
    with pytest.raises(JournalError, match="saved bisync state cannot be read"):
        decode_state(blob)
