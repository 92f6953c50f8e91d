"""Bytes the browser's folder index hands to storage per one-file change: the snapshot +
journal the core's ``IndexKeeper`` keeps (what the page stores in IndexedDB), against saving the
whole index on every change (what the page did before, and the anchor), on the same entries in
the same run. CPU per save is measured too, on CPython (the page runs the same code in Pyodide,
1-2x slower: FACTS).

    .venv/bin/python bench/devices_browser_index.py [--entries 10000] [--saves 5000]

One entry changes per save (the steady state of a folder with one edit at a time); the journal
figure is amortised over every save, so the compactions it triggers are counted in it
("record": the median append alone; "cmp": compactions; ms: median CPU per save).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.engine.device_sync.index_keeper import IndexKeeper, MemoryIndexStorage

DEVICE = "IYYEZ7P-V7BDYGB-YMB54VN-2FZNVOY"


def entry(number: int, counter: int) -> FileEntry:
    digest = f"{number:064x}"
    return FileEntry(f"folder/{number:06}.txt", 9_000, 1_700_000_000_000_000_000 + counter,
                     {DEVICE: counter}, (digest,), False, DEVICE)  # fmt: skip


def whole_index(index: FolderIndex) -> bytes:
    """The document the page saved on every change before the journal."""
    entries = [e.to_json() for e in index.entries.values()]
    return json.dumps({"version": 1, "entries": entries}).encode()


async def run(entries: int, saves: int) -> None:
    index = FolderIndex({e.path: e for e in (entry(n, 1) for n in range(entries))})
    storage = MemoryIndexStorage()
    keeper = IndexKeeper(storage)
    await keeper.compact(index)
    start_generation, storage.bytes_written = keeper.tally.generation, 0
    whole_bytes, whole_cpu, ours_cpu, records = 0, [], [], []
    for counter in range(saves):
        changed = entry(counter % entries, counter + 2)
        index.entries[changed.path] = changed
        started = time.process_time()
        whole_bytes += len(whole_index(index))
        whole_cpu.append((time.process_time() - started) * 1000)
        started, before = time.process_time(), keeper.tally.journal_size
        await keeper.append([changed], index)
        ours_cpu.append((time.process_time() - started) * 1000)
        if keeper.tally.journal_size > before:  # not compacted: what one record costs
            records.append(keeper.tally.journal_size - before)
    anchor, ours = whole_bytes / saves, storage.bytes_written / saves
    compactions = keeper.tally.generation - start_generation
    print(f"{entries:>8} {saves:>6} {anchor:>12,.0f} {statistics.median(records):>7,.0f}"
          f" {ours:>10,.0f} {anchor / ours:>8.0f}x"
          f" {compactions:>4} {statistics.median(whole_cpu):>9.2f}"
          f" {statistics.median(ours_cpu):>9.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000])
    parser.add_argument("--saves", type=int, default=5_000)
    args = parser.parse_args()
    print(f"{'entries':>8} {'saves':>6} {'whole B/save':>12} {'record':>7} {'ours B/save':>10}"
          f" {'less':>9}"
          f" {'cmp':>4} {'whole ms':>9} {'ours ms':>9}")  # fmt: skip
    for entries in args.entries:
        asyncio.run(run(entries, args.saves))


if __name__ == "__main__":
    main()
