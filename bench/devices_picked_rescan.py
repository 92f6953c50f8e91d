"""What looking at a folder picked on disk costs the browser device, in headless Chromium.

    .venv/bin/python bench/devices_picked_rescan.py [--files 1000] [--runs 5]

Where the browser has change events (``FileSystemObserver``) the page scans only the paths they
name (``ProviderFolder.scan_paths``); without them it rescans the whole folder every 2 s
(``device_sync.RESCAN_EVERY``). The page makes ``--files`` files
of 1-4 KiB in 20 subfolders of an OPFS directory (the same ``FileSystemDirectoryHandle`` a
picked folder is) and then, on the same tree in the same page:
- anchor: plain JavaScript, a recursive walk asking every file for its size and
  ``lastModified`` (the least any poll can do: what it must look at to see a change);
- ours: ``ProviderFolder.scan()`` over ``picked_folder.open_folder``, the device's own code
  (Pyodide, the FFI, the index comparison): the first scan (reads and hashes every file), then
  rescans with nothing changed (nothing read), then one after 10 files were rewritten, then
  the same 10 rewritten again and scanned by their paths alone, as a change event names them.
Aim: an unchanged rescan within 3x the anchor's walk, and well under the 2 s interval.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from page_timings import timings_from_page  # bench/ is the script's own folder on sys.path

MAKE_AND_TIME = """
import js, json
from syncoxide.engine.device_sync.index_keeper import MemoryIndexStorage
from syncoxide.engine.device_sync.provider_folder import ProviderFolder
from syncoxide_web.devices import picked_folder

make = js.eval('''(async ([count, touched]) => {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(
    "bench-picked", {create: true});
  for (let i = 0; i < count; i++) {
    if (touched && i % Math.floor(count / touched) !== 0) continue;
    const folder = await root.getDirectoryHandle(`group-${i % 20}`, {create: true});
    const out = await (await folder.getFileHandle(`file-${i}.txt`, {create: true}))
      .createWritable();
    await out.write(new Uint8Array(1024 + (i * 37) % 3072).fill(touched ? 7 : i % 251));
    await out.close();
  }
  return root;
})''')
anchor = js.eval('''(async (root) => {
  const start = performance.now();
  let seen = 0;
  async function walk(dir) {
    for await (const handle of dir.values()) {
      if (handle.kind === "directory") await walk(handle);
      else { const file = await handle.getFile(); seen += file.size > 0 && file.lastModified; }
    }
  }
  await walk(root);
  return performance.now() - start;
})''')
root = await make([FILES, 0])
folder = ProviderFolder("bench", await picked_folder.open_folder("bench", root),
                        MemoryIndexStorage(), "BENCH", fresh_name=lambda: "x")
start = js.performance.now()
first = len(await folder.scan())
first_ms = js.performance.now() - start
runs = []
for _ in range(RUNS):
    raw = await anchor(root)
    start = js.performance.now()
    unchanged = len(await folder.scan())
    runs.append({"raw": raw, "ours": js.performance.now() - start, "changed": unchanged})
await make([FILES, 10])
start = js.performance.now()
touched = len(await folder.scan())
touched_ms = js.performance.now() - start
await make([FILES, 10])
named = [f"group-{i % 20}/file-{i}.txt" for i in range(0, FILES, FILES // 10)]
start = js.performance.now()
by_paths = len(await folder.scan_paths(named))
by_paths_ms = js.performance.now() - start
js.document.body.dataset.timings = json.dumps(
    {"first": first, "first_ms": first_ms, "runs": runs, "touched": touched,
     "touched_ms": touched_ms, "by_paths": by_paths, "by_paths_ms": by_paths_ms})
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    code = MAKE_AND_TIME.replace("FILES", str(args.files)).replace("RUNS", str(args.runs))
    found = timings_from_page(code)
    runs = found["runs"]
    raw = statistics.median(run["raw"] for run in runs)
    ours = statistics.median(run["ours"] for run in runs)
    assert all(run["changed"] == 0 for run in runs), runs
    print(f"{args.files} files of 1-4 KiB, headless Chromium, median of {args.runs} (ms)")
    print(f"{'anchor: JS walk, size + lastModified':<46}{raw:>9.1f}  1.00x")
    print(f"{'ours: rescan, nothing changed (nothing read)':<46}{ours:>9.1f}  {ours / raw:.2f}x")
    print(f"{'ours: rescan after 10 files rewritten':<46}{found['touched_ms']:>9.1f}  "
          f"{found['touched_ms'] / raw:.2f}x  ({found['touched']} changed)")  # fmt: skip
    print(f"{'ours: those 10 again, by the paths named':<46}{found['by_paths_ms']:>9.1f}  "
          f"{found['by_paths_ms'] / raw:.2f}x  ({found['by_paths']} changed)")  # fmt: skip
    print(f"{'ours: first scan (reads + hashes all)':<46}{found['first_ms']:>9.1f}  "
          f"{found['first_ms'] / raw:.2f}x  ({found['first']} indexed)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
