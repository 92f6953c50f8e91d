"""CPU and wall time of journalling one changed index entry, against rewriting the whole index
(what each local change cost before), on the same entries in the same run.

    .venv/bin/python bench/devices_index_journal.py [--entries 1000 10000] [--saves 200]

Both write to the same file system and fsync; medians of ``--saves`` saves, one entry changed
per save (the steady state of a daemon with one change a second).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.devices.index_journal import snapshot_bytes
from syncoxide.native.atomic_file import replace_file
from syncoxide.native.devices.index_file import IndexFile

DEVICE = "IYYEZ7P-V7BDYGB-YMB54VN-2FZNVOY"


def entry(number: int, counter: int) -> FileEntry:
    digest = f"{number:064x}"
    return FileEntry(f"folder/{number:06}.txt", 9_000, 1_700_000_000_000_000_000 + counter,
                     {DEVICE: counter}, (digest,), False, DEVICE)  # fmt: skip


def timed(save: Callable[[int], None], saves: int) -> tuple[float, float]:
    """Median (CPU ms, wall ms) of one save."""
    cpu, wall = [], []
    for counter in range(saves):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        save(counter)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def run(entries: int, saves: int, folder: Path) -> None:
    index = FolderIndex({e.path: e for e in (entry(n, 1) for n in range(entries))})
    whole = folder / f"whole-{entries}.json"

    def rewrite(counter: int) -> None:
        changed = entry(counter % entries, counter + 2)
        index.entries[changed.path] = changed
        replace_file(whole, snapshot_bytes(index, 0))

    journalled = IndexFile(folder / f"journal-{entries}.json")
    journalled.compact(index)

    def append(counter: int) -> None:
        changed = entry(counter % entries, counter + 2)
        index.entries[changed.path] = changed
        journalled.append([changed], index)

    anchor, ours = timed(rewrite, saves), timed(append, saves)
    print(f"{entries:>8} {anchor[0]:10.2f} {ours[0]:10.2f} {ours[0] / anchor[0]:6.2f}"
          f" {anchor[1]:10.2f} {ours[1]:10.2f} {ours[1] / anchor[1]:6.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    print(f"{'entries':>8} {'rewrite':>10} {'journal':>10} {'ratio':>6}"
          f" {'rewrite':>10} {'journal':>10} {'ratio':>6}")  # fmt: skip
    print(f"{'':>8} {'CPU ms':>10} {'CPU ms':>10} {'':>6} {'wall ms':>10} {'wall ms':>10}")
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:
        for entries in args.entries:
            run(entries, args.saves, Path(folder))


if __name__ == "__main__":
    main()
