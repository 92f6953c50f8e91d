import pytest

from syncoxide.errors import JournalError
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.plan import Action, ActionKind, Side
from syncoxide.wal.actions import action_from_json, action_to_json
from syncoxide.wal.codec import (
    HEADER,
    encode_action,
    encode_begin,
    encode_done,
    encode_failed,
    encode_finish,
    encode_sealed,
)
from syncoxide.wal.replay import replay_journal

COPY = Action(
    ActionKind.COPY,
    Side.PATH2,
    "dir/b.txt",
    "changed",
    source_path="dir/b.txt",
    source=Entry("dir/b.txt", EntryKind.FILE, 5, 123, {"sha1": "ab"}),
    target=Entry("dir/b.txt", EntryKind.FILE, 4, 99),
    backup=True,
    key="dir/b.txt",
)
TRASH = Action(ActionKind.TRASH, Side.PATH1, "gone", "deleted on path2", key="gone")


def journal(*tail: bytes) -> bytes:
    head = HEADER + encode_begin({"trash": ".syncoxide/trash/p/r"})
    head += encode_action(0, action_to_json(COPY)) + encode_action(1, action_to_json(TRASH))
    return head + encode_sealed(2) + b"".join(tail)


def test_known_answer_header_and_done_record() -> None:
    assert HEADER == b"SXWAL\x01\x00\x00"
    # length 4 | kind 4 | index 7 | crc32(kind + payload)
    assert encode_done(7).hex() == "00000004" + "04" + "00000007" + "adc6c47e"


def test_actions_round_trip() -> None:
    assert action_from_json(action_to_json(COPY)) == COPY
    assert action_from_json(action_to_json(TRASH)) == TRASH
    assert action_from_json(action_to_json(COPY)).source.hashes == {"sha1": "ab"}


def test_a_move_chain_step_keeps_its_chain_and_order() -> None:
    park = Action(
        ActionKind.RENAME,
        Side.PATH2,
        ".sxpart-park-ab12cd-1",
        "moved aside: its name is taken by a rename",
        source_path="a",
        source=Entry("a", EntryKind.FILE, 3, 1),
        key="a",
        chain=1,
        step=1,
    )
    body = action_to_json(park)
    assert (body["ch"], body["st"]) == (1, 1)
    assert action_from_json(body) == park
    assert "ch" not in action_to_json(TRASH)  # plain actions are written as before


def test_replay_pending_after_some_done() -> None:
    replay = replay_journal(journal(encode_done(0)))
    assert replay.needs_resume and [i for i, _ in replay.pending()] == [1]
    assert replay.header["trash"] == ".syncoxide/trash/p/r"


def test_unsealed_plan_means_nothing_started() -> None:
    blob = HEADER + encode_begin({}) + encode_action(0, action_to_json(COPY))
    assert not replay_journal(blob).needs_resume


def test_finished_journal_needs_nothing() -> None:
    assert not replay_journal(
        journal(encode_done(0), encode_failed(1, "x"), encode_finish())
    ).needs_resume


def test_failed_actions_are_retried() -> None:
    replay = replay_journal(journal(encode_done(0), encode_failed(1, "disk full")))
    assert [i for i, _ in replay.pending()] == [1] and replay.failed == {1: "disk full"}


@pytest.mark.parametrize("cut", range(1, 13))
def test_torn_tail_is_ignored_at_every_cut(cut: int) -> None:
    full = journal(encode_done(0), encode_done(1))
    replay = replay_journal(full[:-cut])
    assert replay.sealed and 0 in replay.done and 1 not in replay.done


def test_corrupt_record_stops_reading() -> None:
    blob = bytearray(journal(encode_done(0)))
    blob[-6] ^= 0xFF
    assert replay_journal(bytes(blob)).done == set()


def test_unknown_record_kinds_are_skipped() -> None:
    import struct
    import zlib

    unknown = struct.pack(">IB", 2, 99) + b"hi" + struct.pack(">I", zlib.crc32(b"\x63hi"))
    assert replay_journal(journal(unknown, encode_done(0))).done == {0}


def test_bad_header_and_version_refused() -> None:
    with pytest.raises(JournalError):
        replay_journal(b"NOTAWAL!")
    with pytest.raises(JournalError):
        replay_journal(b"SXWAL\x09\x00\x00")
