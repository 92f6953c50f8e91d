"""CPU of the receiving daemon's rescan of a file it has just taken from a peer, with the note
its rename left (the event is known as ours: nothing is listed or hashed) against without it
(what every received file cost before: a stat, and the parent folder's listing compared with
the index), on the same batch in the same run.

    .venv/bin/python bench/devices_own_echo.py [--files 1000 10000] [--rounds 100]

Each round changes one file on a source folder, takes it into the target folder (assembled,
fsynced, renamed into place: the real receive), then rescans the batch the watcher hands over
for it (the file's path, and its folder's listing) twice: first with the receive's note, which
uses it up, then without. The folder is flat (every file in one folder: the listing is the
whole folder); medians of CPU ms per rescan.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

from syncoxide.native.devices.local_folder import LocalFolder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.native.devices.peer_blocks import fetch_from


def device(base: Path, name: str, files: int) -> LocalFolder:
    folder = base / name / "docs"
    folder.mkdir(parents=True)
    for number in range(files):
        (folder / f"{number:05}.txt").write_text(f"file {number}")
    return LocalFolder("f", base / name, base / f"{name}.json", name.upper())


async def cpu_ms(work: Awaitable[object]) -> float:
    start = time.process_time()
    await work
    return (time.process_time() - start) * 1000


async def run(files: int, rounds: int, base: Path) -> tuple[float, float]:
    source, target = device(base, f"source{files}", 0), device(base, f"target{files}", files)
    await source.scan()
    await target.scan()
    noted, unnoted = [], []
    changed = source.root / "docs" / "00007.txt"
    for number in range(rounds):
        changed.write_text(f"round {number}")
        [theirs] = await source.scan()
        assert await target.take(theirs, fetch_from(source, theirs.path), version=theirs.version)
        await target.save()
        batch = ({theirs.path}, {"docs"})  # what the rename's MOVED_TO hands over
        noted.append(await cpu_ms(target.scan_paths(*batch)))
        unnoted.append(await cpu_ms(target.scan_paths(*batch)))  # the note is used up
    return statistics.median(noted), statistics.median(unnoted)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    print(f"{'files':>7} {'without note (before)':>22} {'with note (after)':>18}", "after/before")
    with tempfile.TemporaryDirectory(prefix="devices-own-echo-") as base:
        for files in args.files:
            after, before = asyncio.run(run(files, args.rounds, Path(base)))
            print(f"{files:7} {before:19.3f} ms {after:15.3f} ms {after / before:13.2f}")


if __name__ == "__main__":
    main()
