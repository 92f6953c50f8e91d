"""Shared helpers for engine tests: run a pair of memory providers through the real engine."""

from __future__ import annotations

import asyncio

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.memory import MemoryProvider
from syncoxide.sync.conflicts import ConflictPolicy
from syncoxide.sync.plan import Mode

T0 = 1_700_000_000 * 10**9


class Pair:
    def __init__(self, *, case_sensitive: bool = True, two_case_sensitive: bool | None = None):
        # two_case_sensitive: path2 alone ignores case (an NTFS or APFS disk beside ext4).
        two_sensitive = case_sensitive if two_case_sensitive is None else two_case_sensitive
        self.one = MemoryProvider("one", case_sensitive=case_sensitive)
        self.two = MemoryProvider("two", case_sensitive=two_sensitive)
        self.store = MemoryPairStore()
        self.clock = FixedClock(1_700_000_000.0)
        self.random = SeededRandom(b"tests")

    def run(self, mode: str = "bisync", **options: object) -> RunReport:
        policy = options.pop("policy", "newer")
        opts = RunOptions(Mode(mode), policy=ConflictPolicy(policy), **options)  # type: ignore[arg-type]
        report = asyncio.run(
            run_pair(self.one, self.two, self.store, opts, clock=self.clock, random=self.random)
        )
        self.clock.advance(60)
        return report

    def user_files(self, side: MemoryProvider) -> dict[str, bytes]:
        return {p: c for p, c in side.snapshot().items() if not p.startswith(".syncoxide/")}

    def trash(self, side: MemoryProvider) -> dict[str, bytes]:
        return {p: c for p, c in side.snapshot().items() if p.startswith(".syncoxide/trash/")}


def plan_lines(report: RunReport) -> list[str]:
    return [f"{a.kind.value} {a.side.value} {a.path}" for a in report.plan.ordered()]
