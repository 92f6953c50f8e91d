"""Many instances taking change positions from one database at once.

    .venv/bin/python bench/change_positions_contention.py [--instances 1,2,4,8] [--seconds 3]
                                       [--repeats 3] [--databases sqlite,postgresql]

With a bus, every change an instance commits takes the next position from the deployment's
database (server/files/change_positions.py): an UPDATE of a one-row counter, inside the
change's own write transaction. On SQLite that transaction holds the one write lock; on
PostgreSQL the counter's row stays locked from the UPDATE to the commit, so writers commit
one after another from there. This measures that queue. Each instance is a process of its
own with its own handle (as instances have), all started together; each loops for
``--seconds``:

  change              a write transaction that records one change (an INSERT into a scratch
                      table, about what a small upload's commit writes): the anchor
  change, then take   the same, then a position taken on its own after the commit, as it
                      was before (SQLite: the counter's UPDATE in a transaction of its own;
                      PostgreSQL: ``nextval`` of a sequence, which hands numbers out in
                      whatever order transactions ask, so it was only ever taken after the
                      commit)
  change + position   the change inside ``recording``, as the file service writes one: the
                      change and its position in one transaction, in commit order
  change + lock, nextval
                      PostgreSQL only, the alternative not taken: ``pg_advisory_xact_lock``
                      then ``nextval`` as the transaction's last statements (ordered by the
                      lock held to the commit, but a number burnt whenever the commit fails)

Each (instances, case) runs ``--repeats`` times, the cases alternated within a repeat so
drift hits them alike. Figures per number of instances: the median over repeats of changes
a second over all instances, p50/p95/p99 of one loop's time (all repeats' loops), and two
multiples, each the median over repeats of that repeat's ratio: against ``change`` (what a
position costs under contention) and against ``change, then take`` (now against before).
Every run also checks what a position promises: no position is handed out twice, and none
is skipped.

PostgreSQL is a throwaway server on loopback (tests/server/scale/services.py; ``fsync=off``,
so a commit there costs no disk flush, which on a real server is the time the counter's row
stays locked). The machine's cores bound what any database can do here: more instances than
cores also measures the CPU.
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

CHANGE, THEN_TAKE, WITH_POSITION, LOCK_NEXTVAL = (
    "change",
    "change, then take",
    "change + position",
    "change + lock, nextval",
)
CASES: dict[str, tuple[str, ...]] = {"sqlite": (CHANGE, THEN_TAKE, WITH_POSITION)}
CASES["postgresql"] = (*CASES["sqlite"], LOCK_NEXTVAL)
SCRATCH = "CREATE TABLE IF NOT EXISTS bench_changes (id INTEGER PRIMARY KEY, body TEXT)"
PG_SCRATCH = (
    "CREATE TABLE IF NOT EXISTS bench_changes (id SERIAL PRIMARY KEY, body TEXT);"
    " CREATE SEQUENCE IF NOT EXISTS bench_positions"
)
#: The advisory lock of the alternative (any fixed number; the server takes none like it).
BENCH_LOCK = 0x62656E6368
BODY = "x" * 200


@dataclass(frozen=True)
class Target:
    dialect: str
    where: str  # the SQLite file or the PostgreSQL URL


@dataclass(frozen=True)
class Run:
    """One case's run: changes a second over all instances, every loop's time."""

    rate: float
    loops: list[float]


def open_handle(target: Target) -> Database:
    if target.dialect == "sqlite":
        return sqlite_at(Path(target.where))
    from syncoxide.server.storage.postgres_database import PostgresDatabase

    return PostgresDatabase(target.where)


def nextval(database: Database) -> int:
    row = database.execute("SELECT nextval('bench_positions')").one()
    assert row is not None
    return int(row[0])


def one_loop(database: Database, positions: SharedPositions, case: str) -> int:
    """One change (and position) as ``case`` records it; the position, 0 for none."""
    insert = "INSERT INTO bench_changes (body) VALUES (?)"
    if case == WITH_POSITION:
        with positions.recording() as taken, database.transaction(write=True):
            database.execute(insert, (BODY,))
        return taken.position
    if case == LOCK_NEXTVAL:
        with database.transaction(write=True):
            database.execute(insert, (BODY,))
            database.execute("SELECT pg_advisory_xact_lock(?)", (BENCH_LOCK,))
            return nextval(database)
    with database.transaction(write=True):
        database.execute(insert, (BODY,))
    if case != THEN_TAKE:
        return 0
    return nextval(database) if database.dialect == "postgresql" else positions.take()


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
        taken.append(one_loop(database, positions, case))
        loops.append(time.perf_counter() - began)
    database.close()
    results.put((loops, taken))


def run_case(target: Target, instances: int, case: str, seconds: float) -> Run:
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
    before = current(target, case)
    start.set()
    answers = [results.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        if worker.exitcode != 0:
            raise RuntimeError(f"an instance failed (exit {worker.exitcode})")
    loops = [loop for loop_times, _ in answers for loop in loop_times]
    if case != CHANGE:
        check_positions(before, [position for _, taken in answers for position in taken])
    return Run(len(loops) / seconds, loops)


def current(target: Target, case: str) -> int:
    """The last position ``case`` took so far."""
    database = open_handle(target)
    try:
        if database.dialect == "postgresql" and case in (THEN_TAKE, LOCK_NEXTVAL):
            row = database.execute(
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM bench_positions"
            ).one()
            assert row is not None
            return int(row[0])
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


def multiple(runs: dict[str, list[Run]], case: str, anchor: str) -> float:
    """The median over repeats of ``case``'s rate over ``anchor``'s in the same repeat."""
    pairs = zip(runs[case], runs[anchor], strict=True)
    return statistics.median(mine.rate / theirs.rate for mine, theirs in pairs)


def report(dialect: str, figures: dict[int, dict[str, list[Run]]]) -> None:
    print(f"\n{dialect}: instances sharing one database, one change (and position) per loop")
    columns = ("changes/s", "p50 ms", "p95 ms", "p99 ms", "x change", "x before")
    print(f"  {'instances':>9} {'case':<22}" + "".join(f" {c:>9}" for c in columns))
    for count, runs in figures.items():
        for case, repeats in runs.items():
            ms = [loop * 1000 for run in repeats for loop in run.loops]
            rate = statistics.median(run.rate for run in repeats)
            times = (statistics.median(ms), percentile(ms, 0.95), percentile(ms, 0.99))
            print(
                f"  {count:>9} {case:<22} {rate:>9.0f}"
                + "".join(f" {t:>9.3f}" for t in times)
                + f" {multiple(runs, case, CHANGE):>9.2f} {multiple(runs, case, THEN_TAKE):>9.2f}"
            )


def measure(
    target: Target, counts: list[int], seconds: float, repeats: int
) -> dict[int, dict[str, list[Run]]]:
    cases = CASES[target.dialect]
    figures: dict[int, dict[str, list[Run]]] = {}
    for count in counts:
        runs: dict[str, list[Run]] = {case: [] for case in cases}
        for _ in range(repeats):
            for case in cases:  # alternated within each repeat, so drift hits all alike
                runs[case].append(run_case(target, count, case, seconds))
        figures[count] = runs
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1,2,4,8")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
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
            report(dialect, measure(target, counts, args.seconds, args.repeats))


if __name__ == "__main__":
    main()
