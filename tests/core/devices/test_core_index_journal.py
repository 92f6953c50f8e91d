"""The folder index journal's bytes: known answers, torn tails, generations (pure: runs in
Pyodide too)."""

from __future__ import annotations

import binascii
import json
from dataclasses import replace
from pathlib import Path

import pytest

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.devices.index_journal import (
    HEADER_SIZE,
    drop_record,
    journal_header,
    put_record,
    read_journal,
    read_snapshot,
    replay,
    snapshot_bytes,
)
from syncoxide.errors import JournalError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "devices" / "index_journal_v1.json"
DIGEST = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def entry(path: str, counter: int) -> FileEntry:
    return FileEntry(path, 5, 1_700_000_000 + counter, {"ME": counter}, (DIGEST,), False, "ME")


def test_journal_bytes_match_the_known_answers() -> None:
    header, put, dropped, _stamped = json.loads(VECTORS.read_text())["cases"]
    assert journal_header(header["generation"]).hex() == header["bytes"]
    assert put_record(FileEntry.from_json(put["entry"])).hex() == put["bytes"]
    assert drop_record(dropped["path"]).hex() == dropped["bytes"]
    # The layout, checked by hand: length, CRC-32 of kind + payload, kind, payload.
    raw = bytes.fromhex(dropped["bytes"])
    assert raw[:4] == (7).to_bytes(4, "big") and raw[8:] == b"\x02a/b.txt"
    assert raw[4:8] == binascii.crc32(raw[8:]).to_bytes(4, "big")
    parsed = read_journal(bytes.fromhex(header["bytes"] + put["bytes"] + dropped["bytes"]))
    assert parsed.generation == 7
    assert parsed.changes == [FileEntry.from_json(put["entry"]), "a/b.txt"]


def test_a_journal_cut_at_any_byte_reads_as_a_prefix_of_what_was_written() -> None:
    written: list[FileEntry | str] = [entry("a", 1), entry("b", 1), "a", entry("a", 2)]
    records = [put_record(c) if isinstance(c, FileEntry) else drop_record(c) for c in written]
    data = journal_header(3) + b"".join(records)
    ends = [HEADER_SIZE + sum(map(len, records[:k])) for k in range(len(records) + 1)]
    for cut in range(HEADER_SIZE, len(data) + 1):
        parsed = read_journal(data[:cut])
        whole = max(k for k, end in enumerate(ends) if end <= cut)
        assert parsed.changes == written[:whole], cut
        assert parsed.valid_bytes == ends[whole]


def test_a_flipped_byte_in_the_last_record_drops_that_record_only() -> None:
    data = bytearray(journal_header(0) + put_record(entry("a", 1)) + put_record(entry("b", 1)))
    data[-3] ^= 0x01
    parsed = read_journal(bytes(data))
    assert parsed.changes == [entry("a", 1)]
    assert parsed.valid_bytes == HEADER_SIZE + len(put_record(entry("a", 1)))


def test_a_record_whose_checksum_holds_but_whose_entry_is_bad_is_an_error() -> None:
    bad = (2).to_bytes(4, "big") + binascii.crc32(b"\x01{}").to_bytes(4, "big") + b"\x01{}"
    with pytest.raises(JournalError, match="cannot read"):
        read_journal(journal_header(0) + bad)


def test_a_bad_header_is_refused() -> None:
    with pytest.raises(JournalError, match="another syncoxide version"):
        read_journal(b"SXIJ\x02" + bytes(8))
    with pytest.raises(JournalError, match="shorter than its header"):
        read_journal(b"SXIJ")


def test_snapshots_round_trip_and_version_one_reads_as_generation_zero() -> None:
    index = FolderIndex({"a": entry("a", 1)})
    assert read_snapshot(snapshot_bytes(index, 4)) == (index, 4)
    old = json.dumps({"version": 1, "entries": [entry("a", 1).to_json()]}).encode()
    assert read_snapshot(old) == (index, 0)
    with pytest.raises(JournalError, match="another syncoxide version"):
        read_snapshot(b'{"version": 9, "entries": []}')
    with pytest.raises(JournalError, match="damaged"):
        read_snapshot(b'{"version": 2, "entries": [{"path": "../x"}]}')


def test_replay_puts_and_drops_in_order() -> None:
    index = FolderIndex({"a": entry("a", 1)})
    replay(index, [entry("b", 1), "a", entry("b", 2)])
    assert index.entries == {"b": entry("b", 2)}


def test_a_stamped_put_matches_its_known_answer_and_the_stamp_stays_off_the_wire() -> None:
    cases = json.loads(VECTORS.read_text())["cases"]
    put, stamped = cases[1], cases[3]
    entry = FileEntry.from_record(stamped["entry"])
    assert entry.stamp == (1_700_000_000_123_456_789, 1_234_567)
    raw = put_record(entry)
    assert raw.hex() == stamped["bytes"]
    assert raw[9:].endswith(b',"stamp":[1700000000123456789,1234567]}')
    assert raw[4:8] == binascii.crc32(raw[8:]).to_bytes(4, "big")
    assert read_journal(journal_header(0) + raw).changes[0].stamp == entry.stamp  # type: ignore[union-attr]
    # A peer is never told it, and one a peer sends is not taken.
    assert "stamp" not in entry.to_json()
    assert FileEntry.from_json(stamped["entry"]).stamp is None
    assert entry == FileEntry.from_json(put["entry"])  # not part of what an entry is


def test_records_and_snapshots_written_before_stamps_load_with_none() -> None:
    header, put, _dropped, _stamped = json.loads(VECTORS.read_text())["cases"]
    [old] = read_journal(bytes.fromhex(header["bytes"] + put["bytes"])).changes
    assert isinstance(old, FileEntry) and old.stamp is None
    version_2 = json.dumps({"version": 2, "generation": 4, "entries": [put["entry"]]})
    index, generation = read_snapshot(version_2.encode())
    assert generation == 4 and index.entries["a/b.txt"].stamp is None
    stamped = FolderIndex({"a": replace(entry("a", 1), stamp=(5, 6)), "b": entry("b", 1)})
    back, _ = read_snapshot(snapshot_bytes(stamped, 1))
    assert (back.entries["a"].stamp, back.entries["b"].stamp) == ((5, 6), None)


@pytest.mark.parametrize("stamp", [[1], "12", [1, "x"], {"a": 1}])
def test_a_malformed_stamp_is_a_damaged_index(stamp: object) -> None:
    body = {**entry("a", 1).to_json(), "stamp": stamp}
    snapshot = json.dumps({"version": 2, "generation": 0, "entries": [body]}).encode()
    with pytest.raises(JournalError):
        read_snapshot(snapshot)
