"""Swaps, cycles and renames onto taken names through real providers, killed at every step.

The local folder is path1; path2 is a real local folder, S3 (rclone serve s3, moto) or SFTP
(OpenSSH). Each case syncs a tree, changes names on path1, then syncs again, once straight
through and once killed at each of the move chain's steps on path2 (the provider's ``move``
or ``delete`` raising), followed by a normal run: path2 must end with the right bytes under
the right names, no file content written to it (every step a server-side move), nothing left
parked, and a further run with nothing to do.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.sftp.provider import SftpProvider
from syncoxide.providers.contract import Provider
from syncoxide.sync.plan import Mode
from syncoxide.system import SystemClock, SystemRandom
from tests.native.providers.s3 import test_provider_s3
from tests.native.providers.sftp import test_provider_sftp
from tests.native.providers.tree_contents import file_contents

pytestmark = pytest.mark.live

A, B, C = (bytes([n]) * 70_000 for n in b"ABC")
T0 = 1_700_000_000


def _swap(root: Path) -> None:
    (root / "d/a").rename(root / "t")
    (root / "d/b").rename(root / "d/a")
    (root / "t").rename(root / "d/b")


def _cycle(root: Path) -> None:  # a -> b -> c -> a
    (root / "d/c").rename(root / "t")
    (root / "d/b").rename(root / "d/c")
    (root / "d/a").rename(root / "d/b")
    (root / "t").rename(root / "d/a")


def _onto(root: Path) -> None:  # a renamed over b
    (root / "d/a").replace(root / "d/b")


# name: (files before, the change on path1, files after, chain steps on path2)
CASES: dict[str, tuple[dict[str, bytes], Callable[[Path], None], dict[str, bytes], int]] = {
    "swap": ({"d/a": A, "d/b": B}, _swap, {"d/a": B, "d/b": A}, 3),
    "cycle": ({"d/a": A, "d/b": B, "d/c": C}, _cycle, {"d/a": C, "d/b": A, "d/c": B}, 4),
    "onto": ({"d/a": A, "d/b": B}, _onto, {"d/b": A}, 2),
}


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


def _target(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if kind == "local":
        (tmp_path / "two").mkdir()
        return LocalProvider(tmp_path / "two")
    if kind.startswith("s3-"):
        server = request.getfixturevalue(f"{kind[3:]}_s3")
        return S3Provider(test_provider_s3._settings(server))
    return SftpProvider(test_provider_sftp._settings(request.getfixturevalue("sshd_server")))


class _Instrumented:
    """Counts path2's writes and moves, and raises ``_Killed`` at a chosen change."""

    def __init__(self, target: Any) -> None:
        self.target, self.writes, self.moves = target, 0, 0
        self.kill_at: int | None = None
        self.real = {name: getattr(target, name) for name in ("write", "move", "delete")}
        for name in self.real:
            setattr(target, name, self._wrap(name))

    def _wrap(self, name: str) -> Callable[..., Any]:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            if name != "write" and self.kill_at is not None:
                if self.kill_at == 0:
                    self.kill_at = None
                    raise _Killed
                self.kill_at -= 1
            self.writes += name == "write"
            self.moves += name == "move"
            return await self.real[name](*args, **kwargs)

        return counted


async def _run(one: Provider, two: Provider, store: MemoryPairStore, mode: Mode) -> RunReport:
    options = RunOptions(mode=mode, transfers=4)
    return await run_pair(one, two, store, options, clock=SystemClock(), random=SystemRandom())


def _seed(root: Path, files: dict[str, bytes]) -> None:
    for number, (path, content) in enumerate(sorted(files.items())):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
        stamp = T0 + 100 * number  # apart by more than any provider's time step
        os.utime(root / path, (stamp, stamp))  # moved files keep their times


async def _case(source: Path, target: Any, name: str, mode: Mode, *, kill_at: int | None) -> None:
    before, change, after, _ = CASES[name]
    _seed(source, before)
    one, store = LocalProvider(source), MemoryPairStore()
    watch = _Instrumented(target)
    try:
        first = await _run(one, target, store, mode)
        assert not first.failures, first.failures
        change(source)
        watch.writes = watch.moves = 0
        if kill_at is not None:
            watch.kill_at = kill_at
            with pytest.raises(_Killed):
                await _run(one, target, store, mode)
            assert store.journal is not None
        report = await _run(one, target, store, mode)
        assert not report.failures, report.failures
        assert await file_contents(target) == after  # right bytes, right names, nothing parked
        # Server-side moves only, on S3 and SFTP too: a one-way sync pairs by the digests
        # the pair remembered from the first run's copies (syncoxide.sync.digest_cache).
        assert watch.writes == 0 and watch.moves >= 1
        assert (await _run(one, target, store, mode)).plan.actions == ()
    finally:
        if hasattr(target, "aclose"):  # network providers hold a session
            await target.aclose()


KINDS = ["local", "s3-rclone", "s3-moto", "sftp"]


@pytest.mark.parametrize("mode", [Mode.SYNC, Mode.BISYNC], ids=lambda m: m.value)
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("kind", KINDS)
def test_moves_onto_taken_names(
    kind: str, name: str, mode: Mode, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = tmp_path / "one"
    source.mkdir()
    target = _target(kind, request, tmp_path)
    asyncio.run(_case(source, target, name, mode, kill_at=None))


@pytest.mark.parametrize("mode", [Mode.SYNC, Mode.BISYNC], ids=lambda m: m.value)
@pytest.mark.parametrize("kind", KINDS)
def test_killed_at_each_step_loses_nothing_and_converges(
    kind: str, mode: Mode, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for name, (_, _, _, steps) in sorted(CASES.items()):
        for kill_at in range(steps):
            base = tmp_path / f"{name}-{kill_at}"
            (base / "one").mkdir(parents=True)
            target = _target(kind, request, base)
            asyncio.run(_case(base / "one", target, name, mode, kill_at=kill_at))
