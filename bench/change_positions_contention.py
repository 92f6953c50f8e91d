"""Many instances taking change positions from one database at once.

    .venv/bin/python bench/change_positions_contention.py [--instances 1,2,4,8] [--seconds 3]
                                                          [--databases sqlite,postgresql]

With a bus, every change an instance commits takes the next position from the deployment's
database (server/files/change_positions.py): an UPDATE of a one-row counter on SQLite, a
sequence's ``nextval`` on PostgreSQL. On SQLite every take is a write, and SQLite lets one
writer in at a time, so instances sharing one file (a one-machine deployment) queue for it.
This measures that queue. Each instance is a process of its own with its own handle (as
instances have), all started together; each loops for ``--seconds``:

  change              a write transaction that records one change (an INSERT into a scratch
                      table, about what a small upload's commit writes): the anchor
  change, then take   the same, then a take in a transaction of its own (how SQLite took
                      positions before, and how PostgreSQL takes them)
  change + position   the change inside ``recording``, as the file service writes one: on
                      SQLite the take is in the change's own write transaction, on
                      PostgreSQL it is the take after the commit again

Figures per number of instances: changes a second over all instances, and the p50/p95/p99
time of one loop. Each case against ``change`` at the same number of instances is the
position's cost under contention. Every run also checks what a position promises: no
position is handed out twice, and none is skipped.

PostgreSQL is a throwaway server on loopback (tests/server/scale/services.py). The machine's
cores bound what any database can do here: more instances than cores also measures the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syncoxide.server.config import ServerConfig  # noqa: E402
from syncoxide.server.datadir import prepare_data_dir  # noqa: E402
from syncoxide.server.files.change_positions import SharedPositions  # noqa: E402
from syncoxide.server.storage.database import Database, sqlite_at  # noqa: E402
from tests.server.scale.services import postgres_server  # noqa: E402

CASES = ("change", "change, then take", "change + position")
SCRATCH = "CREATE TABLE IF NOT EXISTS bench_changes (id INTEGER PRIMARY KEY, body TEXT)"
PG_SCRATCH = "CREATE TABLE IF NOT EXISTS bench_changes (id SERIAL PRIMARY KEY, body TEXT)"
BODY = "x" * 200


@dataclass(frozen=True)
class Target:
    dialect: str
    where: str  # the SQLite file or the PostgreSQL URL


def open_handle(target: Target) -> Database:
    if target.dialect == "sqlite":
        return sqlite_at(Path(target.where))
    from syncoxide.server.storage.postgres_database import PostgresDatabase

    return PostgresDatabase(target.where)


def instance(
    target: Target,
    case: str,
    seconds: float,
    start: EventType,
    results: multiprocessing.Queue[tuple[list[float], list[int]]],
) -> None:
    """One instance: loop changes (and positions) for ``seconds`` once ``start`` is set."""
    database = open_handle(target)
    positions = SharedPositions(database)
    loops: list[float] = []
    taken: list[int] = []
    start.wait()
    ends = time.perf_counter() + seconds
    while (began := time.perf_counter()) < ends:
        if case == "change + position":
            with positions.recording() as position, database.transaction(write=True):
                database.execute("INSERT INTO bench_changes (body) VALUES (?)", (BODY,))
            taken.append(position.position)
        else:
            with database.transaction(write=True):
                database.execute("INSERT INTO bench_changes (body) VALUES (?)", (BODY,))
            if case == "change, then take":
                taken.append(positions.take())
        loops.append(time.perf_counter() - began)
    database.close()
    results.put((loops, taken))


def run_case(
    target: Target, instances: int, case: str, seconds: float
) -> tuple[float, list[float]]:
    """Changes a second over all instances, and every loop's time."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, as an instance is
    start = context.Event()
    results: multiprocessing.Queue[tuple[list[float], list[int]]] = context.Queue()
    workers = [
        context.Process(target=instance, args=(target, case, seconds, start, results))
        for _ in range(instances)
    ]
    for worker in workers:
        worker.start()
    time.sleep(1.0 + 0.2 * instances)  # every instance imported and connected, waiting
    before = current(target)
    start.set()
    answers = [results.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        if worker.exitcode != 0:
            raise RuntimeError(f"an instance failed (exit {worker.exitcode})")
    loops = [loop for loop_times, _ in answers for loop in loop_times]
    if case != "change":
        check_positions(before, [position for _, taken in answers for position in taken])
    return len(loops) / seconds, loops


def current(target: Target) -> int:
    database = open_handle(target)
    try:
        return SharedPositions(database).current()
    finally:
        database.close()


def check_positions(before: int, taken: list[int]) -> None:
    """Each position once, none skipped: what the change feed's tokens rely on."""
    if sorted(taken) != list(range(before + 1, before + 1 + len(taken))):
        raise RuntimeError("positions were handed out twice or skipped")


def prepare(dialect: str, base: Path, postgres_url: str | None) -> Target:
    if dialect == "sqlite":
        config = ServerConfig(data_dir=base / "data", web_root=ROOT / "web")
        config.data_dir.mkdir(mode=0o700, parents=True)
        prepare_data_dir(config)
        target = Target("sqlite", str(config.database_path))
        handle = open_handle(target)
        handle.execute(SCRATCH)
    else:
        assert postgres_url is not None
        from syncoxide.server.storage.postgres import migrate_postgres

        asyncio.run(migrate_postgres(postgres_url))
        target = Target("postgresql", postgres_url)
        handle = open_handle(target)
        handle.execute(PG_SCRATCH)
    handle.close()
    return target


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(
    dialect: str, counts: list[int], figures: dict[tuple[int, str], tuple[float, list[float]]]
) -> None:
    print(f"\n{dialect}: instances sharing one database, one change (and position) per loop")
    columns = ("changes/s", "p50 ms", "p95 ms", "p99 ms")
    print(
        f"  {'instances':>9} {'case':<18}" + "".join(f" {c:>10}" for c in columns) + "  x of change"
    )
    for count in counts:
        anchor = figures[(count, "change")][0]
        for case in CASES:
            rate, loops = figures[(count, case)]
            ms = [loop * 1000 for loop in loops]
            times = (statistics.median(ms), percentile(ms, 0.95), percentile(ms, 0.99))
            print(
                f"  {count:>9} {case:<18} {rate:>10.0f}"
                + "".join(f" {t:>10.3f}" for t in times)
                + f"  x{rate / anchor:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1,2,4,8")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    counts = [int(number) for number in args.instances.split(",")]
    dialects = [name.strip() for name in args.databases.split(",") if name.strip()]
    with (
        tempfile.TemporaryDirectory(prefix="syncoxide-contention-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        postgres = stack.enter_context(postgres_server()) if "postgresql" in dialects else None
        for dialect in dialects:
            url = None
            if dialect == "postgresql" and postgres is not None:
                url = postgres.create_database("bench_contention")
            target = prepare(dialect, Path(scratch) / dialect, url)
            figures = {}
            for count in counts:
                for case in CASES:  # alternated per count, so drift hits both alike
                    figures[(count, case)] = run_case(target, count, case, args.seconds)
            report(dialect, counts, figures)


if __name__ == "__main__":
    main()
