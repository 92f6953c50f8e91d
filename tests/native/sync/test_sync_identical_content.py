"""Identical content is settled once: hashed once, times aligned, digests kept (issue 26, 2).

Two files that changed on both sides to the same size with other times are compared by digest;
equal bytes are no conflict. The older copy then takes the newer time where its store sets
times in place; where it cannot (Dropbox rewrites the file to do it) the pair state records
both times. Either way the digests stay in the pair state, so no later run reads them again.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from syncoxide.engine.executor import CopySettings, Executor
from syncoxide.providers.memory import MemoryProvider
from syncoxide.sync.plan import Action, ActionKind, Side
from syncoxide.sync.state import decode_state

from .sync_harness import T0, Pair, plan_lines

OLD, NEW = T0 - 86_400 * 10**9, T0


def identical_pair() -> Pair:
    pair = Pair()
    pair.one.put("f.txt", b"same", OLD)
    pair.two.put("f.txt", b"same", NEW)
    return pair


def recorded(pair: Pair) -> tuple[int, int, dict[str, str], dict[str, str]]:
    assert pair.store.state is not None
    record = decode_state(pair.store.state).files["f.txt"]
    return record.one.mtime_ns, record.two.mtime_ns, record.one.hashes, record.two.hashes


def test_the_older_copy_takes_the_newer_time_and_no_data_moves() -> None:
    pair = identical_pair()
    report = pair.run("bisync", policy="keep-both")
    assert plan_lines(report) == ["touch path1 f.txt"]
    assert report.plan.conflicts == () and not report.failures
    assert pair.one.calls["hash"] == pair.two.calls["hash"] == 1
    assert pair.one.bytes_written == pair.two.bytes_written == 0
    assert asyncio.run(pair.one.stat("f.txt")).mtime_ns == NEW
    one_time, two_time, one_hashes, two_hashes = recorded(pair)
    assert one_time == two_time == NEW
    assert one_hashes == two_hashes and one_hashes  # the digests stay in the pair state
    assert pair.run("bisync").plan.actions == ()
    assert pair.one.calls["hash"] == pair.two.calls["hash"] == 1
    assert recorded(pair)[2:] == (one_hashes, two_hashes)  # and survive later runs


def test_a_store_that_cannot_set_times_in_place_keeps_both_times_in_the_state() -> None:
    pair = identical_pair()
    pair.one.pretend(sets_mtime_in_place=False)  # as Dropbox, which uploads again to do it
    report = pair.run("bisync")
    assert report.plan.actions == () and report.plan.conflicts == ()
    assert asyncio.run(pair.one.stat("f.txt")).mtime_ns == OLD
    one_time, two_time, one_hashes, _ = recorded(pair)
    assert (one_time, two_time) == (OLD, NEW) and one_hashes
    assert pair.run("bisync").plan.actions == ()
    assert pair.one.calls["hash"] == pair.two.calls["hash"] == 1


def test_times_only_move_forward_whichever_side_is_older() -> None:
    pair = Pair()
    pair.one.put("f.txt", b"same", NEW)
    pair.two.put("f.txt", b"same", OLD)
    assert plan_lines(pair.run("bisync")) == ["touch path2 f.txt"]
    assert asyncio.run(pair.two.stat("f.txt")).mtime_ns == NEW


def test_a_kept_digest_spares_reading_the_unchanged_side_when_the_other_is_touched() -> None:
    pair = identical_pair()
    pair.run("bisync")
    asyncio.run(pair.one.set_mtime("f.txt", NEW + 10**9))  # a `touch` on path1 only
    pair.one.calls.clear()
    pair.two.calls.clear()
    report = pair.run("bisync")
    assert plan_lines(report) == ["copy path2 f.txt"]
    assert pair.one.calls["hash"] == 1 and pair.two.calls["hash"] == 0  # path2's was kept
    assert pair.two.bytes_written == 0
    assert asyncio.run(pair.two.stat("f.txt")).mtime_ns == NEW + 10**9
    assert pair.run("bisync").plan.actions == ()


def test_a_file_edited_after_the_listing_keeps_its_own_time() -> None:
    one = MemoryProvider("one")
    one.put("f.txt", b"edited meanwhile", NEW + 5)
    listed = asyncio.run(one.stat("f.txt"))
    touch = Action(
        ActionKind.TOUCH,
        Side.PATH1,
        "f.txt",
        "same content as path2: its time",
        source_path="f.txt",
        source=replace(listed, mtime_ns=NEW + 10),
        target=replace(listed, size=4, mtime_ns=OLD),  # what the plan saw
        key="f.txt",
    )
    executor = Executor(
        {Side.PATH1: one, Side.PATH2: MemoryProvider("two")},
        store=None,
        trash_root=".syncoxide/trash/x",
        settings=CopySettings(hash_kind="sha1"),
    )
    (outcome,) = asyncio.run(executor.run([(0, touch)]))
    assert outcome.ok and outcome.noop and outcome.message == "changed since the plan"
    assert asyncio.run(one.stat("f.txt")).mtime_ns == NEW + 5
