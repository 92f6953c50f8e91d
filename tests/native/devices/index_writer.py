"""A process that keeps changing one file and scanning it, printing each version once its scan
returned (the daemon announces only then); killed with SIGKILL by test_index_file.py."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from syncoxide.native.devices.local_folder import LocalFolder


async def main(root: Path, snapshot: Path) -> None:
    folder = LocalFolder("f", root, snapshot, "ME")
    known = folder.index.entries.get("file.txt")
    print(f"loaded {known.version['ME'] if known else 0}", flush=True)
    for round_number in range(1_000_000):
        for extra in range(3):  # neighbours, so a save appends several records at once
            (root / f"other{extra}.txt").write_text(f"{round_number}-{extra}")
        (root / "file.txt").write_text(f"round {round_number}")
        for changed in await folder.scan():
            if changed.path == "file.txt":
                print(f"announced {changed.version['ME']}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
