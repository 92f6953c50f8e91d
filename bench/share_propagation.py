"""Account shares: time from a change on one side to its arrival on the other, with many
active shares on one server, beside a bare engine run of the same kind of pair.

    .venv/bin/python bench/share_propagation.py [--shares 100] [--changes 40]

One in-process server (its share scheduler running, as under ``syncoxide serve``), two
accounts, ``--shares`` accepted read-write shares from alice's storage to bob's, each primed
with a file. Then ``--changes`` times, a random share's file is rewritten through the storage
API (alice's side) and the clock runs until bob's copy holds the new bytes. Reported:
- ours: median and p95 of change -> arrival, and the server process's CPU per change;
- anchor: the same engine (``run_pair``) run directly on one home->home pair with one changed
  file, the cost of one sync with nothing around it (what a client would pay per run).
Goal (issue 19): p95 < 5 s with change feeds (a ``home:`` place is one: the storage tells the
scheduler at once), < one poll interval (60 s) otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.webbuild import project_root

ARRIVAL_TIMEOUT = 120.0


def _people(app: Any) -> dict[str, tuple[int, str]]:
    accounts = app.state.services.accounts

    async def make(name: str) -> tuple[int, str]:
        user = await accounts.add_local_user(name, f"{name} bench password")
        secret, _ = await accounts.create_token(user, "bench")
        return user.id, str(secret)

    return {name: asyncio.run(make(name)) for name in ("alice", "bob")}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _bob_has(app: Any, bob_id: int, path: str, data: bytes) -> bool:
    files = app.state.files
    try:
        stored = files.file(bob_id, path)
    except Exception:
        return False
    return bool(stored.size == len(data) and stored.sha1 == _sha1(data))


def _sha1(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(data).hexdigest()


def _wait(check: Any, what: str, timeout: float = ARRIVAL_TIMEOUT) -> float:
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"{what} did not arrive within {timeout:.0f} s")
        time.sleep(0.005)
    return time.perf_counter() - start


def ours(data_dir: Path, shares: int, changes: int) -> tuple[list[float], float]:
    app = create_app(ServerConfig(data_dir=data_dir, web_root=project_root() / "web"))
    people = _people(app)
    (alice_id, alice), (bob_id, bob) = people["alice"], people["bob"]
    with TestClient(app) as client:
        made = []
        for number in range(shares):
            put = client.put(
                "/api/v1/storage/content",
                params={"path": f"s{number}/f.txt"},
                content=b"v0",
                headers=_auth(alice),
            )
            assert put.status_code == 200, put.text
            share = client.post(
                "/api/v1/account-shares",
                headers=_auth(alice),
                json={"to": "bob", "place": f"home:s{number}"},
            ).json()
            accepted = client.post(
                f"/api/v1/account-shares/{share['id']}/accept",
                headers=_auth(bob),
                json={"place": f"home:in/s{number}"},
            )
            assert accepted.status_code == 200, accepted.text
            made.append(number)
        for number in made:  # primed: every share ran once
            _wait(lambda n=number: _bob_has(app, bob_id, f"in/s{n}/f.txt", b"v0"), "a first copy")
        latencies = []
        cpu_start = time.process_time()
        for step in range(changes):
            number = random.choice(made)
            data = f"change {step}".encode()
            changed = client.put(
                "/api/v1/storage/content",
                params={"path": f"s{number}/f.txt"},
                content=data,
                headers=_auth(alice),
            )
            assert changed.status_code == 200, changed.text
            path = f"in/s{number}/f.txt"
            latencies.append(_wait(lambda p=path, d=data: _bob_has(app, bob_id, p, d), path))
        cpu = (time.process_time() - cpu_start) / changes
    del alice_id
    return latencies, cpu


def anchor(data_dir: Path, rounds: int) -> list[float]:
    """``run_pair`` on one home->home pair with one changed file, nothing around it."""
    from syncoxide.engine.run import RunOptions, run_pair
    from syncoxide.native.local.pair_store import FilePairStore
    from syncoxide.server.files.provider import OwnFilesProvider
    from syncoxide.sync.conflicts import ConflictPolicy
    from syncoxide.sync.plan import Mode
    from syncoxide.system import SystemClock, SystemRandom

    app = create_app(ServerConfig(data_dir=data_dir, web_root=project_root() / "web"))
    user_id, _ = _people(app)["alice"]
    files = app.state.files
    (data_dir / "anchor-pair").mkdir(parents=True)
    pairs = FilePairStore(data_dir / "anchor-pair")
    files.mkdir(user_id, "b")
    options = RunOptions(mode=Mode.BISYNC, policy=ConflictPolicy("keep-both"))

    async def one(step: int) -> float:
        async def body() -> Any:
            yield f"anchor {step}".encode()

        await files.put(user_id, "a/f.txt", body(), mtime_ns=0, expected_sha1=None)
        start = time.perf_counter()
        one_side = OwnFilesProvider(files, user_id, "a")
        two_side = OwnFilesProvider(files, user_id, "b")
        pairs.lock()
        try:
            await run_pair(
                one_side, two_side, pairs, options, clock=SystemClock(), random=SystemRandom()
            )
        finally:
            pairs.unlock()
        return time.perf_counter() - start

    return [asyncio.run(one(step)) for step in range(rounds)]


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shares", type=int, default=100)
    parser.add_argument("--changes", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        latencies, cpu = ours(Path(scratch) / "ours", args.shares, args.changes)
        bare = anchor(Path(scratch) / "anchor", args.changes)
    print(f"{args.shares} active shares, {args.changes} changes, home: -> home:")
    median, p95 = statistics.median(latencies) * 1000, _p95(latencies) * 1000
    print(f"ours   change->arrival median {median:8.1f} ms   p95 {p95:8.1f} ms", end="")
    print(f"   server CPU/change {cpu * 1000:6.1f} ms")
    print(
        f"anchor run_pair alone   median {statistics.median(bare) * 1000:8.1f} ms"
        f"   p95 {_p95(bare) * 1000:8.1f} ms"
    )
    ratio = statistics.median(latencies) / statistics.median(bare)
    print(f"ratio (median ours / anchor): {ratio:.1f}")
    print("goal: p95 < 5000 ms")


if __name__ == "__main__":
    main()
