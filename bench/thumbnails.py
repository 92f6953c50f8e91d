"""Photos benchmark: thumbnails per second, and near-duplicate search over 10,000 hashes.

    .venv/bin/python bench/thumbnails.py [--base /tmp/syncoxide-bench-photos] [--count 1000]
                                         [--hashes 10000] [--repeat 3]

Photos: COUNT JPEGs of 1600x1200 with EXIF dates and orientations, drawn from a seed once under
--base (never in the repo). Cases, in the same process and on the same files:

- anchor: a plain Pillow loop, one thread: open, exif_transpose, thumbnail to 320 px, save as
  JPEG (what a straightforward thumbnailer does);
- ours, one thread: ``syncoxide.native.photos.facts.read_facts`` (thumbnail + EXIF date +
  shown size + pHash, JPEG draft decoding), as the server calls it;
- ours, two threads: as the server runs it (two readers at a time).

Near duplicates: HASHES 64-bit hashes (random, plus 10% near copies with 0-6 bits flipped);
``near_pairs`` at 8 bits against comparing every pair, the anchor measured on the first 3,000
hashes and scaled by the pair count (stated as such). Wall and CPU time are both printed: on a
shared machine the wall time says more about the neighbours than about the code.
Medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from syncoxide.native.photos.facts import read_facts
from syncoxide.photos.near_duplicates import near_pairs

EXIF_IFD, DATE_ORIGINAL, ORIENTATION = 0x8769, 0x9003, 0x0112


def generate(folder: Path, count: int, seed: int = 20261206) -> list[Path]:
    marker = folder / ".complete"
    paths = [folder / f"photo{n:05d}.jpg" for n in range(count)]
    if marker.exists() and marker.read_text() == str(count):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for path in paths:
        image = Image.new("RGB", (1600, 1200), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(25):
            x, y = rng.randrange(1600), rng.randrange(1200)
            colour = tuple(rng.randrange(256) for _ in range(3))
            draw.ellipse(
                (x, y, x + rng.randrange(50, 400), y + rng.randrange(50, 300)), fill=colour
            )
        exif = Image.Exif()
        exif.get_ifd(EXIF_IFD)[DATE_ORIGINAL] = f"2026:{rng.randint(1, 12):02d}:10 12:00:00"
        exif[ORIENTATION] = rng.choice((1, 1, 1, 6, 8, 3))
        image.save(path, "JPEG", quality=88, exif=exif)
    marker.write_text(str(count))
    return paths


def plain_pillow(path: Path) -> bytes:
    with Image.open(path) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((320, 320))
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()


def ours(path: Path) -> bytes:
    return read_facts(path).thumbnail


def rate(work: Callable[[Path], bytes], paths: list[Path], threads: int) -> float:
    started = time.perf_counter()
    if threads == 1:
        for path in paths:
            work(path)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, paths))
    return len(paths) / (time.perf_counter() - started)


def hashes_with_near_copies(count: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    base = [rng.getrandbits(64) for _ in range(count - count // 10)]
    near = []
    for value in rng.sample(base, count // 10):
        for bit in rng.sample(range(64), rng.randint(0, 6)):
            value ^= 1 << bit
        near.append(value)
    return base + near


def brute_force(hashes: list[int], distance: int) -> int:
    found = 0
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            if (a ^ b).bit_count() <= distance:
                found += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench-photos"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--hashes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = generate(args.base / f"jpeg-{args.count}", args.count)
    plain_pillow(paths[0]), ours(paths[0])  # warm the imports and the page cache
    cases = {"plain Pillow loop, 1 thread": (plain_pillow, 1),
             "read_facts (thumbnail+EXIF+pHash), 1 thread": (ours, 1),
             "read_facts, 2 threads (the server)": (ours, 2)}  # fmt: skip
    rates = {name: statistics.median(rate(work, paths, threads) for _ in range(args.repeat))
             for name, (work, threads) in cases.items()}  # fmt: skip
    anchor = rates["plain Pillow loop, 1 thread"]
    print(f"thumbnails of {args.count} JPEGs 1600x1200 (median of {args.repeat}):")
    for name, value in rates.items():
        print(f"  {name:<46} {value:7.1f} /s   {value / anchor:5.2f}x the plain loop")

    hashes = hashes_with_near_copies(args.hashes)
    walls, cpus = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        pairs = near_pairs(hashes, 8)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    sample = hashes[:3000]
    started, cpu = time.perf_counter(), time.process_time()
    brute_force(sample, 8)
    brute, brute_cpu = time.perf_counter() - started, time.process_time() - cpu
    scale = (len(hashes) * (len(hashes) - 1)) / (len(sample) * (len(sample) - 1))
    print(f"near duplicates among {len(hashes)} hashes (8 bits):")
    print(f"  near_pairs (multi-index)       wall {statistics.median(walls) * 1000:6.0f} ms"
          f"  cpu {statistics.median(cpus) * 1000:6.0f} ms   {len(pairs)} pairs")  # fmt: skip
    print(f"  every pair, 3,000 measured     wall {brute * 1000:6.0f} ms"
          f"  cpu {brute_cpu * 1000:6.0f} ms   -> cpu {brute_cpu * scale:.1f} s scaled"
          f" to {len(hashes)}")  # fmt: skip


if __name__ == "__main__":
    main()
