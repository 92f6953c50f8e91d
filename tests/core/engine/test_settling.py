"""The settle check for polled files, with the times given: a file arrives only after two looks
``quiet`` apart found it unchanged, any change restarts its wait, and the pending set never
holds more than its limit while every file still settles in turn."""

from __future__ import annotations

from syncoxide.engine.settling import Settling


def test_a_file_settles_after_two_looks_a_quiet_window_apart() -> None:
    settling: Settling[int] = Settling(quiet=5.0)
    assert settling.look(1, {"a.jpg": "10:1"}, now=0.0) == []
    assert settling.due(1) == 5.0 and settling.waiting(1) == 1
    assert settling.look(1, {"a.jpg": "10:1"}, now=4.9) == [], "not quiet long enough"
    assert settling.look(1, {"a.jpg": "10:1"}, now=5.0) == ["a.jpg"]
    assert settling.due(1) is None and len(settling) == 0


def test_a_file_still_growing_waits_until_it_stops() -> None:
    settling: Settling[int] = Settling(quiet=5.0)
    for second, size in enumerate(range(10, 60, 10)):
        assert settling.look(1, {"big.mov": f"{size}:{second}"}, now=second * 6.0) == []
    assert settling.due(1) == 4 * 6.0 + 5.0
    assert settling.look(1, {"big.mov": "50:4"}, now=29.0) == ["big.mov"]


def test_files_gone_or_of_removed_groups_are_forgotten() -> None:
    settling: Settling[int] = Settling(quiet=5.0)
    settling.look(1, {"a": "1:1", "b": "1:1"}, now=0.0)
    settling.look(2, {"c": "1:1"}, now=0.0)
    assert settling.look(1, {"b": "1:1"}, now=1.0) == [] and settling.waiting(1) == 1
    settling.keep_groups({1})
    assert len(settling) == 1 and settling.due(2) is None


def test_no_wait_at_all_when_quiet_is_zero() -> None:
    settling: Settling[int] = Settling(quiet=0.0)
    assert settling.look(1, {"a": "1:1"}, now=0.0) == ["a"]


def test_the_pending_set_is_bounded_and_every_file_settles_in_turn() -> None:
    settling: Settling[int] = Settling(quiet=5.0, limit=3)
    listing = {f"f{n}": "1:1" for n in range(7)}
    settled: list[str] = []
    now = 0.0
    for _ in range(10):
        settled += settling.look(1, {k: v for k, v in listing.items() if k not in settled}, now)
        assert len(settling) <= 3
        due = settling.due(1)
        if due is None:
            break
        now = due
    assert sorted(settled) == sorted(listing), "room freed by settled files lets the rest in"
    assert now == 15.0, "three rounds of at most three files, each one quiet window long"


def test_a_forgotten_group_has_nothing_waiting_and_frees_its_room() -> None:
    settling: Settling[int] = Settling(quiet=5.0, limit=2)
    settling.look(1, {"a": "1:1", "b": "1:1"}, now=0.0)
    settling.look(2, {"c": "1:1"}, now=0.0)
    assert settling.due(2) == 5.0, "no room: group 2 is crowded out"
    settling.forget(1)
    assert settling.waiting(1) == 0 and settling.due(1) is None and len(settling) == 0
    assert settling.look(2, {"c": "1:1"}, now=1.0) == [] and settling.waiting(2) == 1


def test_waits_kept_before_a_restart_resume_where_they_were() -> None:
    before: Settling[int] = Settling(quiet=5.0)
    before.look(1, {"still": "1:1", "growing": "1:1"}, now=100.0)
    kept = before.pending(1)
    assert kept == {"still": ("1:1", 100.0), "growing": ("1:1", 100.0)}
    after: Settling[int] = Settling(quiet=5.0)  # a new process, nothing in memory
    after.resume(1, kept)
    assert after.due(1) == 105.0 and len(after) == 2
    assert after.look(1, {"still": "1:1", "growing": "2:2"}, now=105.0) == ["still"]
    assert after.pending(1) == {"growing": ("2:2", 105.0)}, "changed: a window of its own"


def test_resumed_waits_keep_to_the_limit_and_what_waits_already() -> None:
    settling: Settling[int] = Settling(quiet=5.0, limit=2)
    settling.look(1, {"a": "1:1"}, now=50.0)
    settling.resume(1, {"a": ("0:0", 1.0), "b": ("1:1", 2.0), "c": ("1:1", 3.0)})
    assert settling.pending(1) == {"a": ("1:1", 50.0), "b": ("1:1", 2.0)}
    assert len(settling) == 2 and settling.due(1) == 7.0, "crowded out: looked at soon"
    settling.resume(2, {})
    assert settling.waiting(2) == 0 and settling.due(2) is None
