"""Deterministic crashes: stop a run after its k-th write, then check the journal resumes it."""

import pytest

from syncoxide.providers.memory import MemoryProvider
from syncoxide.wal.replay import replay_journal

from .sync_harness import T0, Pair


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no cleanup, no exception handler."""


class DiesAfterWrites(MemoryProvider):
    def __init__(self, name: str, writes_left: int) -> None:
        super().__init__(name)
        self.writes_left = writes_left

    async def write(self, path, chunks, **options):
        if self.writes_left == 0:
            raise Killed
        self.writes_left -= 1
        return await super().write(path, chunks, **options)


def _crashing_pair(writes: int) -> Pair:
    pair = Pair()
    dying = DiesAfterWrites("two", writes)
    pair.two = dying
    for i in range(6):
        pair.one.put(f"f{i}", bytes([i]) * (i + 1), T0 + i)
    return pair


@pytest.mark.parametrize("writes", [0, 1, 3, 5])
def test_copy_killed_after_k_writes_resumes_from_the_journal(writes: int) -> None:
    pair = _crashing_pair(writes)
    with pytest.raises(Killed):
        pair.run("sync")
    replay = replay_journal(pair.store.journal or b"")
    assert replay.sealed and not replay.finished
    pair.two.writes_left = -1  # the machine is back
    report = pair.run("sync")
    assert len(report.resumed) == 6 - len(replay.done)
    assert pair.store.journal is None
    assert pair.two.snapshot() == pair.one.snapshot()
    assert pair.run("sync").plan.actions == ()


def test_bisync_state_is_not_advanced_by_a_killed_run() -> None:
    pair = _crashing_pair(-1)
    pair.run()
    saved = pair.store.state
    for i in range(6):
        pair.one.put(f"f{i}", b"changed" + bytes([i]), T0 + 100 + i)
    pair.two.writes_left = 2
    with pytest.raises(Killed):
        pair.run(force=True)  # every file changed: the all-changed stop is lifted
    assert pair.store.state == saved
    pair.two.writes_left = -1
    pair.run(force=True)
    assert pair.user_files(pair.one) == pair.user_files(pair.two)
    assert len(pair.trash(pair.two)) == 6  # every overwritten version was set aside first
    assert pair.run().plan.actions == ()


def test_resume_skips_an_action_whose_target_changed_since_the_plan() -> None:
    pair = _crashing_pair(0)
    with pytest.raises(Killed):
        pair.run("sync")
    pair.two.writes_left = -1
    pair.two.put("f3", b"someone wrote this meanwhile", T0 + 999)
    report = pair.run("sync")
    skipped = [o for o in report.resumed if o.action.path == "f3"]
    assert skipped and skipped[0].noop and "changed" in skipped[0].message
    assert pair.two.snapshot() == pair.one.snapshot()  # the fresh plan after resume decides
