"""Job queue overhead: the same actions run directly, and through the SQLite queue and worker.

    .venv/bin/python bench/automation_queue.py [--jobs 40] [--repeat 3]

Each job converts one 1600x1200 JPEG to a 400-pixel WebP with ``run_action`` (its own limited
child process, as always). Direct: one after another in a loop. Queued: all enqueued in a fresh
data directory's SQLite queue, run by a ``JobWorker`` with one slot, waited for until every job
is done. Overhead per job = (queued - direct) / jobs; medians of --repeat runs. Peak memory:
ru_maxrss of this process (the worker) and of its largest child (an action).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from syncoxide.automation.actions import ActionOptions, plan_conversion
from syncoxide.native.actions.runner import ActionRun, run_action
from syncoxide.server.automation.database_queue import DatabaseJobQueue
from syncoxide.server.automation.queue import Job, NewJob
from syncoxide.server.automation.worker import JobControl, JobWorker, WorkerSettings
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.storage.database import SqliteDatabase
from syncoxide.server.storage.sqlite import open_database


def convert(source: Path, target: Path) -> None:
    plan = plan_conversion([str(source)], str(target), ActionOptions(max_size=400))
    run_action(ActionRun(plan, [source], target, replace=True))


def direct(sources: list[Path], out: Path) -> float:
    started = time.perf_counter()
    for n, source in enumerate(sources):
        convert(source, out / f"direct-{n}.webp")
    return time.perf_counter() - started


def queued(sources: list[Path], out: Path) -> float:
    config = ServerConfig(data_dir=out / f"data-{time.monotonic_ns()}", web_root=out)
    prepare_data_dir(config)
    db = open_database(config.database_path)
    db.execute("INSERT INTO users (name, display_name, created_at) VALUES ('b', 'b', 0)")
    queue = DatabaseJobQueue(SqliteDatabase(db))

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        await asyncio.to_thread(convert, Path(job.payload["in"]), Path(job.payload["out"]))
        return {}

    async def main() -> float:
        finished = 0
        everything = asyncio.Event()

        async def told(job: Job, status: str) -> None:
            nonlocal finished
            finished += 1
            if finished == len(sources):
                everything.set()

        worker = JobWorker(queue, {"convert": handler}, WorkerSettings(slots=1), on_finished=told)
        started = time.perf_counter()
        await worker.start()
        for n, source in enumerate(sources):
            payload = {"in": str(source), "out": str(out / f"queued-{n}.webp")}
            queue.enqueue(NewJob(1, "convert", payload))
            worker.wake()
        await everything.wait()
        elapsed = time.perf_counter() - started
        await worker.stop()
        return elapsed

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syncoxide-bench-queue-") as scratch:
        out = Path(scratch)
        sources = []
        for n in range(args.jobs):
            path = out / f"photo{n}.jpg"
            Image.new("RGB", (1600, 1200), (n * 5 % 255, 80, 160)).save(path, quality=88)
            sources.append(path)
        directs, queues = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            directs.append(direct(sources, out))
            queues.append(queued(sources, out))
    d, q = statistics.median(directs), statistics.median(queues)
    print(f"{args.jobs} convert-image jobs (median of {args.repeat}):")
    print(f"  run_action in a loop      {d:7.2f} s   {d / args.jobs * 1000:6.0f} ms/job")
    print(f"  through queue + worker    {q:7.2f} s   {q / args.jobs * 1000:6.0f} ms/job")
    print(f"  queue overhead            {(q - d) / args.jobs * 1000:6.1f} ms/job"
          f"   ({q / d:.2f}x)")  # fmt: skip
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak RSS: worker process {own:.0f} MiB, largest action process {child:.0f} MiB")


if __name__ == "__main__":
    main()
