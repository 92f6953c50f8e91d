"""Read the photos of a device folder in headless Chromium: ours beside the browser's bare loop.

    .venv/bin/python bench/photos_browser.py [--photos 100] [--runs 3]

The page makes ``--photos`` JPEGs of 1600x1200 (drawn shapes, quality 0.9) and then, on the
same files in the same page:
- anchor: plain JavaScript, per photo ``createImageBitmap`` and a 320-pixel JPEG thumbnail on an
  ``OffscreenCanvas`` (the least any browser-side thumbnailer does);
- ours: ``device_photos.read_photo`` from Python in Pyodide, the Photos view's own code:
  the same thumbnail, plus SHA-256 of the bytes (WebCrypto), the EXIF date and the pHash
  (pure-Python core), bytes crossing the FFI; one at a time as the view runs it, then four
  side by side (the browser decodes off the page's thread: does overlapping pay?).
Aim: ours >= 50 % of the anchor's photos per second (it does more than the anchor). A photo
read before is not decoded at all on the next visit (``photo_cache``; the e2e test counts it).
"""

from __future__ import annotations

import argparse
import statistics
import sys

from page_timings import timings_from_page  # bench/ is the script's own folder on sys.path

MAKE_AND_TIME = """
import asyncio, js, json
from syncoxide_web.photos.device_photos import read_photo
SIDE_BY_SIDE = 4

make = js.eval('''(async (count) => {
  const files = [];
  for (let i = 0; i < count; i++) {
    const canvas = new OffscreenCanvas(1600, 1200), g = canvas.getContext("2d");
    g.fillStyle = `hsl(${i * 37 %% 360} 60%% 50%%)`; g.fillRect(0, 0, 1600, 1200);
    for (let n = 0; n < 12; n++) {
      g.fillStyle = `hsl(${(i * 53 + n * 71) %% 360} 70%% ${30 + n * 4}%%)`;
      const x = (i * 97 + n * 131) %% 1600, y = (i * 53 + n * 71) %% 1200;
      g.beginPath(); g.ellipse(x, y, 200, 150, 0, 0, 7);
      g.fill();
    }
    const blob = await canvas.convertToBlob({type: "image/jpeg", quality: 0.9});
    files.push(new File([blob], `photo-${i}.jpg`, {type: "image/jpeg"}));
  }
  return files;
})''')
anchor = js.eval('''(async (files) => {
  const start = performance.now();
  for (const file of files) {
    const bitmap = await createImageBitmap(file, {imageOrientation: "from-image"});
    const scale = Math.min(1, 320 / Math.max(bitmap.width, bitmap.height));
    const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale),
                                       Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    await canvas.convertToBlob({type: "image/jpeg", quality: 0.8});
    bitmap.close();
  }
  return performance.now() - start;
})''')
files = await make(%(photos)d)
results = []
for _ in range(%(runs)d):
    raw = await anchor(files)
    start = js.performance.now()
    for file in files:
        await read_photo(file)
    ours = js.performance.now() - start
    start = js.performance.now()
    for at in range(0, len(files), SIDE_BY_SIDE):
        await asyncio.gather(*(read_photo(f) for f in files[at : at + SIDE_BY_SIDE]))
    batched = js.performance.now() - start
    results.append({"raw": raw, "ours": ours, "batched": batched})
js.document.body.dataset.timings = json.dumps(results)
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    code = MAKE_AND_TIME % {"photos": args.photos, "runs": args.runs}
    runs = timings_from_page(code)
    raw = statistics.median(args.photos / (run["raw"] / 1000) for run in runs)
    ours = statistics.median(args.photos / (run["ours"] / 1000) for run in runs)
    batched = statistics.median(args.photos / (run["batched"] / 1000) for run in runs)
    print(f"{args.photos} JPEGs of 1600x1200, headless Chromium, median of {args.runs} (photos/s)")
    print(f"{'anchor: bitmap + thumbnail (JS)':<44}{raw:>8.1f}  1.00x")
    print(f"{'ours: read_photo one at a time (the view)':<44}{ours:>8.1f}  {ours / raw:.2f}x")
    print(f"{'ours: read_photo, four side by side':<44}{batched:>8.1f}  {batched / raw:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
