"""The watch loop: when gathered change notices start a run, and what a failing source does."""

import asyncio

import pytest

from syncoxide.engine.watch import Debounce, Notify, Ready, WatchSettings, watch_pair

SETTINGS = WatchSettings(quiet_seconds=0.3, longest_wait_seconds=2.0)


def test_a_run_is_due_after_the_quiet_time() -> None:
    pending = Debounce(SETTINGS)
    assert pending.due_at() is None
    pending.notice(10.0, 1)
    assert pending.due_at() == pytest.approx(10.3)
    pending.notice(10.2, 3)  # still changing: wait longer
    assert pending.due_at() == pytest.approx(10.5)
    assert pending.take() == 4 and pending.due_at() is None


def test_endless_changes_still_run_after_the_longest_wait() -> None:
    pending = Debounce(SETTINGS)
    for tick in range(100):
        pending.notice(10.0 + tick * 0.1, 1)
    assert pending.due_at() == pytest.approx(12.0)


class Burst:
    """A change source that notices ``count`` changes, one every ``gap`` seconds."""

    def __init__(self, count: int, gap: float) -> None:
        self.count, self.gap = count, gap

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        ready()
        for _ in range(self.count):
            await asyncio.sleep(self.gap)
            notify(1)
        await asyncio.Event().wait()


def run_watch(sources, runs: int, settings: WatchSettings = SETTINGS) -> list[int]:
    seen: list[int] = []

    async def run_once(changes: int) -> None:
        seen.append(changes)
        await asyncio.sleep(0.05)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(
            watch_pair(run_once, sources, settings=settings, monotonic=loop.time, runs=runs), 10
        )

    asyncio.run(main())
    return seen


def test_a_burst_of_changes_makes_one_run_after_the_first() -> None:
    seen = run_watch([Burst(200, 0.001)], runs=2)
    assert seen[0] == 0 and sum(seen) == 200


def test_a_failing_source_ends_the_watch_with_its_error() -> None:
    async def broken(notify: Notify, ready: Ready) -> None:
        ready()
        raise OSError("inotify watch limit reached")

    with pytest.raises(OSError, match="inotify"):
        run_watch([broken], runs=3)


def test_the_first_run_waits_for_every_source_to_be_ready() -> None:
    order: list[str] = []

    async def slow(notify: Notify, ready: Ready) -> None:
        await asyncio.sleep(0.2)
        order.append("ready")
        ready()
        await asyncio.Event().wait()

    async def main() -> None:
        async def run_once(changes: int) -> None:
            order.append("run")

        await watch_pair(run_once, [slow], settings=SETTINGS, monotonic=lambda: 0.0, runs=1)

    asyncio.run(main())
    assert order == ["ready", "run"]
