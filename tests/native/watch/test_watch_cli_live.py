"""``syncoxide sync --watch`` as a user runs it: a child process, real files, stopped by PID."""

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.native.watch.watch_process import WatchProcess, wait_until

pytestmark = pytest.mark.live

#: A change must show at the destination this soon (settle 0.2 s + one run, on a loaded machine).
ARRIVAL_BOUND = 5.0


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    source, dest, state = tmp_path / "src", tmp_path / "dst", tmp_path / "state"
    source.mkdir()
    (source / "before.txt").write_text("there at start")
    return source, dest, state


@pytest.fixture
def watcher(pair) -> Iterator[WatchProcess]:
    source, dest, state = pair
    process = WatchProcess(source, dest, state, "--mode", "sync", "--settle", "0.2")
    yield process
    process.kill()


def test_changes_arrive_within_the_bound_and_ctrl_c_exits_130(pair, watcher) -> None:
    source, dest, _ = pair
    assert watcher.next_run()["done"] == {"copy": 1}
    assert (dest / "before.txt").read_text() == "there at start"
    (source / "new").mkdir()
    (source / "new" / "a.txt").write_text("alpha")
    wait_until(lambda: (dest / "new" / "a.txt").exists(), ARRIVAL_BOUND)
    assert (dest / "new" / "a.txt").read_text() == "alpha"
    (source / "before.txt").unlink()
    wait_until(lambda: not (dest / "before.txt").exists(), ARRIVAL_BOUND)
    code, err = watcher.stop(signal.SIGINT)
    assert code == 130 and "watch stopped" in err


def test_sigterm_stops_it_with_130_too(pair, watcher) -> None:
    watcher.next_run()
    code, err = watcher.stop(signal.SIGTERM)
    assert code == 130 and "watch stopped" in err


def test_a_burst_of_200_changes_makes_few_runs(pair, watcher) -> None:
    source, dest, _ = pair
    watcher.next_run()
    for number in range(200):
        (source / f"burst-{number:03}.txt").write_text(f"file {number}")
    wait_until(lambda: len(list(dest.glob("burst-*.txt"))) == 200, 4 * ARRIVAL_BOUND)
    time.sleep(1.0)  # a late run would show here
    code, _ = watcher.stop()
    later = watcher.runs[1:]
    assert code == 130
    assert sum(run["done"].get("copy", 0) for run in later) == 200
    assert 1 <= len(later) <= 4, [run["done"] for run in later]


def test_a_file_being_written_is_not_copied_half_way(pair, tmp_path) -> None:
    source, dest, state = pair
    process = WatchProcess(source, dest, state, "--settle", "0.5")
    try:
        process.next_run()
        block = os.urandom(64 * 1024)
        seen: list[int] = []
        stop = threading.Event()

        def look() -> None:
            while not stop.is_set():
                if (dest / "slow.bin").exists():
                    seen.append((dest / "slow.bin").stat().st_size)
                time.sleep(0.01)

        looker = threading.Thread(target=look)
        looker.start()
        with open(source / "slow.bin", "wb") as handle:
            for _ in range(20):  # 2 s of writing, a burst every 0.1 s
                handle.write(block)
                handle.flush()
                time.sleep(0.1)
        wait_until(lambda: (dest / "slow.bin").exists(), ARRIVAL_BOUND)
        wait_until(lambda: (dest / "slow.bin").stat().st_size == 20 * len(block), ARRIVAL_BOUND)
        stop.set()
        looker.join()
        assert set(seen) <= {20 * len(block)}, "a part-written version reached the destination"
        assert (dest / "slow.bin").read_bytes() == block * 20
    finally:
        process.kill()


def test_bisync_carries_changes_both_ways(pair) -> None:
    source, dest, state = pair
    dest.mkdir()
    process = WatchProcess(source, dest, state, "--mode", "bisync", "--settle", "0.2")
    try:
        process.next_run()
        (dest / "from-dest.txt").write_text("made at the destination")
        wait_until(lambda: (source / "from-dest.txt").exists(), ARRIVAL_BOUND)
        (source / "from-source.txt").write_text("made at the source")
        wait_until(lambda: (dest / "from-source.txt").exists(), ARRIVAL_BOUND)
        assert process.stop()[0] == 130
    finally:
        process.kill()


def test_bad_combinations_are_refused_before_anything_runs(pair) -> None:
    source, dest, state = pair
    for extra in (["--mode", "move"], ["--dry-run"], ["--settle", "0"]):
        process = WatchProcess(source, dest, state, *extra)
        assert process.process.wait(timeout=20) == 2
        assert not dest.exists()
