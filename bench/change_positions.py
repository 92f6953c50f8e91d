"""What a change's position costs each write when instances share it through the database.

    .venv/bin/python bench/change_positions.py [--uploads 200] [--rounds 5] [--takes 2000]
                                               [--databases sqlite,postgresql]

With a bus, each change to a user's files takes its position from the deployment's database
(server/files/change_positions.py): one more statement in the change's own transaction on the
event loop, an UPDATE of a one-row counter on either database (this bench was first run when
PostgreSQL took a sequence's ``nextval`` after the commit). Without a
bus it is a counter in memory. Cases, on each database, same machine, same run:

  no bus         the app on its own (positions in memory): the anchor
  bus            SYNCOXIDE_BUS on a throwaway Redis: positions in the database, each change
                 also published on the bus (what a deployment of several instances runs)
  bus, memory    the same app with its positions put back in memory: what the bus costs
                 without the database round trip, so bus - bus, memory is the position's share

Figures: the median time of one small upload (``PUT /api/v1/storage/content``, 1 KiB, a new
path each) through the app in this process (Starlette's TestClient; its overhead is the same
in every case), and the median time of one ``take`` alone. Rounds alternate the cases;
medians over rounds are reported. PostgreSQL and Redis are throwaway servers on loopback
(tests/server/scale/services.py).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syncoxide.server.app import create_app  # noqa: E402
from syncoxide.server.config import ServerConfig  # noqa: E402
from syncoxide.server.files.change_positions import (  # noqa: E402
    ProcessPositions,
    SharedPositions,
)
from tests.server.scale.services import Postgres, postgres_server, redis_server  # noqa: E402
from tests.server.signin import add_user, sign_in  # noqa: E402

CASES = ("no bus", "bus", "bus, memory")
BODY = b"x" * 1024


def settings(database: str, bus: str | None) -> str:
    lines = ["[deployment]"]
    if database != "sqlite":
        lines.append(f'database = "{database}"')
    if bus is not None:
        lines.append(f'bus = "{bus}"')
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def signed_in(
    folder: Path, database: str, bus: str | None
) -> Iterator[tuple[Starlette, TestClient]]:
    """A started app on ``database`` (and ``bus``), with alice signed in."""
    folder.mkdir(mode=0o700, parents=True)  # as the server wants its data directory
    (folder / "settings.toml").write_text(settings(database, bus))
    (folder / "settings.toml").chmod(0o600)
    app = create_app(ServerConfig(data_dir=folder, web_root=ROOT / "web"))
    add_user(app, "alice")
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = sign_in(client, "alice")
        yield app, client


def upload_ms(client: TestClient, uploads: int, prefix: str) -> float:
    """The median time of one small upload to a new path, in milliseconds."""
    times = []
    for n in range(uploads):
        started = time.perf_counter()
        stored = client.put(
            "/api/v1/storage/content", params={"path": f"{prefix}/{n}.txt"}, content=BODY
        )
        times.append(time.perf_counter() - started)
        if stored.status_code not in (200, 201):
            raise RuntimeError(f"upload failed: {stored.status_code} {stored.text}")
    return statistics.median(times) * 1000


def take_us(take: Callable[[], int], takes: int) -> float:
    times = []
    for _ in range(takes):
        started = time.perf_counter()
        take()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def database_urls(postgres: Postgres | None, run: str) -> dict[str, str]:
    """A fresh database per case (so no case writes into another's)."""
    urls = {}
    for case in CASES:
        tag = case.replace(" ", "").replace(",", "_")
        if postgres is None:
            urls[case] = "sqlite"
        else:
            urls[case] = postgres.create_database(f"bench_{run}_{tag}")
    return urls


def one_database(
    dialect: str, postgres: Postgres | None, redis: str, args: argparse.Namespace, base: Path
) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {f"{case} upload ms": [] for case in CASES}
    figures["take us"] = []
    figures["memory take us"] = []
    urls = database_urls(postgres, dialect)
    with contextlib.ExitStack() as stack:
        clients = {}
        for case in CASES:
            bus = None if case == "no bus" else redis
            app, client = stack.enter_context(signed_in(base / dialect / case, urls[case], bus))
            if case == "bus, memory":
                app.state.files.changes.positions = ProcessPositions()
            clients[case] = (app, client)
        shared = clients["bus"][0].state.files.changes.positions
        assert isinstance(shared, SharedPositions), "the bus case must share its positions"
        for _, client in clients.values():
            upload_ms(client, 20, "warm")  # connections, caches, first-call imports
        for number in range(args.rounds):
            order = CASES if number % 2 == 0 else tuple(reversed(CASES))
            for case in order:
                client = clients[case][1]
                figures[f"{case} upload ms"].append(upload_ms(client, args.uploads, f"r{number}"))
            figures["take us"].append(take_us(shared.take, args.takes))
            figures["memory take us"].append(take_us(ProcessPositions().take, args.takes))
    return figures


def report(dialect: str, figures: dict[str, list[float]]) -> None:
    median = {name: statistics.median(values) for name, values in figures.items()}
    anchor = median["no bus upload ms"]
    rounds = len(figures["take us"])
    print(f"\n{dialect}: one 1 KiB upload through the app (median of {rounds} rounds)")
    for case in CASES:
        ms = median[f"{case} upload ms"]
        print(f"  {case:<12} {ms:7.3f} ms   x{ms / anchor:.3f} of no bus")
    position = median["bus upload ms"] - median["bus, memory upload ms"]
    take = median["take us"] / 1000
    print(f"  position's share (bus - bus, memory): {position:+.3f} ms per upload")
    print(
        f"  take alone: {median['take us']:.1f} us in the database, "
        f"{median['memory take us']:.2f} us in memory; "
        f"{100 * take / anchor:.1f}% of one upload without a bus"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--takes", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    dialects = [name.strip() for name in args.databases.split(",") if name.strip()]
    with tempfile.TemporaryDirectory(prefix="syncoxide-positions-") as scratch:
        base = Path(scratch)
        with redis_server() as redis, contextlib.ExitStack() as stack:
            postgres = None
            if "postgresql" in dialects:
                postgres = stack.enter_context(postgres_server())
            for dialect in dialects:
                pg = postgres if dialect == "postgresql" else None
                report(dialect, one_database(dialect, pg, redis, args, base))


if __name__ == "__main__":
    main()
