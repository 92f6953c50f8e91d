"""Catalog search p50/p95/p99 under load: alone, with K searchers at once, and while a refresh
writes, through a real uvicorn server on loopback; on SQLite and on PostgreSQL, same run.

    .venv/bin/python bench/catalog_search_load.py [--files 100000] [--clients 16]
        [--seconds 6] [--rounds 3] [--databases sqlite,postgresql] [--modes words,runs]
        [--no-refresh]

The tree and the queries are bench/catalog_search.py's (seeded names, the mixed query set).
For each database, one server process (``create_app`` under uvicorn, one event loop, as
``syncoxide serve`` runs it) indexes the tree (``LocalProvider``, source ``s3``, a connection of
the user's) into its real catalog, then serves ``GET /api/v1/catalog/search`` (Bearer token,
100 results). Each round runs these phases, each ``--seconds`` long, in turn, with 1 client
and then K at once (one HTTP connection each) for each K in ``--clients``:
- lookup K: each client fetches one entry by its id (``GET /catalog/entries/{id}``, an
  indexed row by its key, through the same server and client): the anchor;
- words K, runs K: K searchers, the first tier of a one-word search ranked by the words index
  (every match read, as before the name runs) or read from the name runs (the store's
  ``name_runs``, switched in the server between phases; both are kept up to date);
- runs 1 + refresh, runs K + refresh: while the server itself, on its event loop as
  ``POST /catalog/refresh`` runs it, refreshes the source again and again, each time after
  200 changes to the tree (100 changed, 50 added, 50 deleted: catalog_search.one_change_each).
Printed per phase: p50/p95/p99 over the round's answers, their medians over rounds, answers
per second, and the ratio of each p95 to the lookup's with as many clients in the same round;
the refreshes' median.
PostgreSQL is a throwaway server (tests/server/scale/services.py). The load client runs in
this process and shares the machine's cores with the server: its own cost is in every figure,
the anchor's too. The refresh and the mode are switched through routes only this bench adds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2
import uvicorn
from catalog_search import (  # bench/ is the script's own folder on sys.path
    SOURCE,
    free_port,
    make_tree,
    one_change_each,
    percentile,
    queries,
)
from scale import stop_group
from starlette.requests import Request
from starlette.responses import JSONResponse

from syncoxide.catalog.refresh import refresh_source
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.rules.store import Connection
from syncoxide.server.webbuild import project_root

SEARCH = "/api/v1/catalog/search"
LOOKUP = "/api/v1/catalog/entries/"  # + an entry's id: the anchor, one indexed row by its key
REFRESH_SWITCH = "/bench/refresh"  # the bench's own routes, in the server process only
RUNS_SWITCH = "/bench/runs"
MODES = {"words": False, "runs": True}  # how the first tier of a one-word search is read


# -- the server process -------------------------------------------------------------------


class Refresher:
    """Refreshes the source on the server's event loop, each time after 200 changes, while
    switched on (answering once the first refresh has begun); answers, when switched off, the
    seconds each finished refresh took and for how long one was running."""

    def __init__(self, app: Any, user_id: int, tree: Path) -> None:
        self.store = app.state.catalog.store
        self.user_id = user_id
        self.provider = LocalProvider(tree, durable=False)
        self.tree = tree
        self.files: list[str] = []
        self.task: asyncio.Task[None] | None = None
        self.times: list[float] = []
        self.batch = 0
        self.begun = asyncio.Event()
        self.since = 0.0  # when the running refresh began; 0: none is running
        self.busy = 0.0

    async def switch(self, request: Request) -> JSONResponse:
        if (await request.json())["run"]:
            self.times, self.busy, self.begun = [], 0.0, asyncio.Event()
            self.task = asyncio.create_task(self._loop())
            await asyncio.wait_for(self.begun.wait(), 300)
            self.busy = -(time.perf_counter() - self.since)  # counted from this answer on
            return JSONResponse({"times": []})
        assert self.task is not None
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        except Exception as error:  # told to the bench, which stops
            return JSONResponse({"times": self.times, "error": repr(error)})
        if self.since:
            self.busy += time.perf_counter() - self.since
            self.since = 0.0
        return JSONResponse({"times": self.times, "busy": self.busy})

    async def _loop(self) -> None:
        if not self.files:  # the tree's files, read once off the loop (not the index's)
            self.files = await asyncio.to_thread(_files_of, self.tree)
        while True:
            self.batch += 1
            chance = random.Random(self.batch)
            picked = chance.sample(self.files, 150)
            # the last 50 are deleted: forgotten first, as the task may stop amid the changes
            self.files = await asyncio.to_thread(_without, self.files, set(picked[100:]))
            await one_change_each(self.provider, picked, chance, self.batch)
            self.since = time.perf_counter()
            self.begun.set()
            await refresh_source(self.store, self.user_id, SOURCE, self.provider,
                                 now=self.batch)  # fmt: skip
            self.times.append(time.perf_counter() - self.since)
            self.busy += self.times[-1]
            self.since = 0.0
            await asyncio.sleep(0.05)  # the next 200 changes come a little later


def _without(files: list[str], gone: set[str]) -> list[str]:
    """``files`` but those ``one_change_each`` deleted."""
    return [path for path in files if path not in gone]


def _files_of(tree: Path) -> list[str]:
    return sorted(
        str((Path(folder) / name).relative_to(tree))
        for folder, _, names in os.walk(tree)
        for name in names
    )


def serve(data_dir: Path, tree: Path, port: int) -> None:
    config = ServerConfig(data_dir=data_dir, web_root=project_root() / "web")
    app = create_app(config)
    user_id, token = asyncio.run(_index(app, tree))
    refresher = Refresher(app, user_id, tree)
    app.add_route(REFRESH_SWITCH, refresher.switch, methods=["POST"])

    async def runs_switch(request: Request) -> JSONResponse:
        app.state.catalog.store.name_runs = (await request.json())["on"]
        return JSONResponse({})

    app.add_route(RUNS_SWITCH, runs_switch, methods=["POST"])
    (data_dir / "token").write_text(token)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _index(app: Any, tree: Path) -> tuple[int, str]:
    """The user, a connection named as the source (a search answers only from places the user
    reaches), the full index of the tree, and a token."""
    accounts = app.state.services.accounts
    user = await accounts.add_local_user("bench", "bench password")
    secret, _ = await accounts.create_token(user, "bench")
    reached = Connection(0, user.id, SOURCE, "s3", {"bucket": "tree"}, {}, "unchecked", "", 0,
                         None)  # fmt: skip
    await app.state.rules.store.add_connection(reached)
    provider = LocalProvider(tree, durable=False)
    await refresh_source(app.state.catalog.store, user.id, SOURCE, provider, now=0)
    return user.id, str(secret)


@contextlib.contextmanager
def server_process(data_dir: Path, tree: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    data_dir.mkdir(parents=True)
    log = data_dir.parent / "server.log"
    command = [sys.executable, __file__, "--serve", str(data_dir), "--tree", str(tree),
               "--port", str(port)]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env}, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, log)
        yield url
    finally:
        stop_group(process, 30)


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 1800  # the first index of 100,000 files
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()}")
        try:
            httpx2.get(url + "/", timeout=1)
            return
        except httpx2.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


# -- the load -------------------------------------------------------------------------------


async def searchers(
    url: str, token: str, clients: int, seconds: float, lookups: list[int] | None = None
) -> list[float]:
    """Seconds of each search made by ``clients`` clients at once for ``seconds``; with
    ``lookups``, of each lookup of one of these entries by its id instead (the anchor)."""
    mixed, _ = queries(random.Random(7))
    deadline = time.perf_counter() + seconds
    times: list[float] = []

    async def one_client(number: int) -> None:
        order = random.Random(number)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
            while time.perf_counter() < deadline:
                query = order.choice(mixed)
                started = time.perf_counter()
                if lookups:
                    answer = await client.get(LOOKUP + str(order.choice(lookups)))
                else:
                    answer = await client.get(SEARCH, params={"q": query, "limit": "100"})
                times.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise SystemExit(f"search {query!r}: {answer.status_code} {answer.text}")

    await asyncio.gather(*(one_client(n) for n in range(clients)))
    return times


async def with_refresh(
    url: str, token: str, clients: int, seconds: float
) -> tuple[list[float], list[float], float]:
    """The searches' seconds, the finished refreshes' seconds, and the share of the phase a
    refresh was running."""
    async with httpx2.AsyncClient(base_url=url, timeout=600) as control:
        await control.post(REFRESH_SWITCH, json={"run": True})  # answers once one has begun
        started = time.perf_counter()
        times = await searchers(url, token, clients, seconds)
        answer = (await control.post(REFRESH_SWITCH, json={"run": False})).json()
        elapsed = time.perf_counter() - started
    if "error" in answer:
        raise SystemExit(f"the refresh failed: {answer['error']}")
    return times, answer["times"], answer["busy"] / elapsed


def phases_of(args: Any) -> list[str]:
    """Each phase's name: "lookup K" (the anchor: K clients each fetching one entry by id),
    "MODE K" (K searchers, the first tier read as MODE says), "runs K + refresh"."""
    loads = [1, *(int(k) for k in args.clients.split(","))]
    phases = [f"lookup {k}" for k in loads]
    phases += [f"{mode} {k}" for mode in args.modes.split(",") for k in loads]
    if args.refresh:
        phases += [f"runs {k} + refresh" for k in loads[:2]]
    return phases


async def one_phase(url: str, token: str, phase: str, seconds: float, ids: list[int]) -> Any:
    """(the times, the finished refreshes' seconds, the share of the phase one ran)."""
    kind, clients = phase.split()[0], int(phase.split()[1])
    if kind == "lookup":
        return await searchers(url, token, clients, seconds, ids), [], None
    async with httpx2.AsyncClient(base_url=url, timeout=60) as control:
        await control.post(RUNS_SWITCH, json={"on": MODES[kind]})
    if phase.endswith("refresh"):
        return await with_refresh(url, token, clients, seconds)
    return await searchers(url, token, clients, seconds), [], None


async def entry_ids(url: str, token: str) -> list[int]:
    """Ids of entries the mixed queries find, for the lookups."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        ids = []
        for query in queries(random.Random(7))[0]:
            answer = (await client.get(SEARCH, params={"q": query, "limit": "100"})).json()
            ids += [entry["id"] for entry in answer["entries"]]
    return ids


async def one_database(name: str, url: str, token: str, args: Any) -> None:
    phases = phases_of(args)
    found: dict[str, list[tuple[float, float, float, float]]] = {p: [] for p in phases}
    refreshes: list[float] = []
    busy: list[float] = []
    ratios: dict[str, list[float]] = {p: [] for p in phases}
    for number in range(args.rounds):
        ids = await entry_ids(url, token)  # anew: the refresh phases delete files
        round_figures: dict[str, tuple[float, float, float, float]] = {}
        for phase in phases:
            times, done, share = await one_phase(url, token, phase, args.seconds, ids)
            refreshes += done
            if share is not None:
                busy.append(share)
            round_figures[phase] = (
                percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99),
                len(times) / args.seconds,
            )  # fmt: skip
            found[phase].append(round_figures[phase])
        for phase in phases:
            anchor = round_figures[f"lookup {phase.split()[1]}"][1]
            ratios[phase].append(round_figures[phase][1] / anchor)
        print(f"{name} round {number + 1}: " + "; ".join(
            f"{p} p95 {f[1] * 1e3:.1f} ms" for p, f in round_figures.items()))  # fmt: skip
    print(f"\n{name}: medians over {args.rounds} rounds of {args.seconds:g} s phases")
    heads = ("p50 ms", "p95 ms", "p99 ms", "answers/s", "p95/lookup")
    print(f"  {'phase':<18} " + " ".join(f"{head:>10}" for head in heads))
    for phase in phases:
        p50, p95, p99, rate = (statistics.median(f[i] for f in found[phase]) for i in range(4))
        print(f"  {phase:<18} {p50 * 1e3:10.1f} {p95 * 1e3:10.1f} {p99 * 1e3:10.1f} "
              f"{rate:10.0f} {statistics.median(ratios[phase]):9.1f}x")  # fmt: skip
    if busy:
        finished = f"median {statistics.median(refreshes):.2f} s" if refreshes else "none"
        print(f"  refreshes after 200 changes finished during the refresh phases: "
              f"{len(refreshes)}, {finished}; a refresh was "
              f"running {statistics.median(busy):.0%} of a phase (median)")  # fmt: skip
    print()


@contextlib.contextmanager
def database_env(name: str) -> Iterator[dict[str, str]]:
    if name == "sqlite":
        yield {}
        return
    from tests.server.scale.services import postgres_server

    with postgres_server() as postgres:
        yield {"SYNCOXIDE_DATABASE": postgres.create_database("catalog_load")}


def run(args: Any) -> None:
    base = Path(args.base)
    tree = base / "s3" / "tree"
    make_tree(tree, args.files)
    print(f"tree: {args.files} files under {tree}; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="catalog-load-", dir=base))
    try:
        for name in args.databases.split(","):
            with database_env(name) as env:
                started = time.perf_counter()
                data_dir = work / name / "data"
                with server_process(data_dir, tree, env) as url:
                    print(f"{name}: indexed and serving in {time.perf_counter() - started:.0f} s")
                    token = (data_dir / "token").read_text()
                    asyncio.run(one_database(name, url, token, args))
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--clients", default="16", help="searchers at once, comma-separated")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--modes",
        default="words,runs",
        help="first tier of one-word searches: words (the words index ranks every match, as"
        " before the name runs) and/or runs (the name runs)",
    )
    parser.add_argument(
        "--no-refresh", dest="refresh", action="store_false", help="skip the refresh phases"
    )
    parser.add_argument(
        "--base",
        default=str(Path(tempfile.gettempdir()) / "syncoxide-catalog-load"),
        help="where the tree is kept between runs (the refreshes change it)",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args: Any = parser.parse_args()
    if args.serve:
        serve(args.serve, args.tree, args.port)
        return
    Path(args.base).mkdir(parents=True, exist_ok=True)
    run(args)


if __name__ == "__main__":
    main()
