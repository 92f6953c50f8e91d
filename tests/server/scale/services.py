"""Throwaway PostgreSQL, Redis and NATS from the Debian packages, on free loopback ports.

Started like the suite's sshd: in their own process group, waited for, stopped by PID.
PostgreSQL refuses to run as root, so its cluster belongs to the ``postgres`` account and
lives in a folder that account can reach (pytest's own temporary root is private to root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from syncoxide.server.bus.nats_link import BUCKET_PREFIX, NatsLink
from syncoxide.server.deployment.bus_namespace import namespaced
from tests.native.providers.server_processes import free_port, require_binary, running

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class Postgres:
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, options: str = "") -> str:
        """A fresh, empty database (``options`` as CREATE DATABASE takes them); its URL."""
        psql = require_binary("psql", "apt-get install -y postgresql")
        subprocess.run(
            [psql, self.url(), "-q", "-c", f'CREATE DATABASE "{name}" {options}'],
            check=True,
            capture_output=True,
            timeout=30,
        )
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    if not (PG_BIN / "postgres").exists():
        raise RuntimeError("PostgreSQL 15 is not installed; run: apt-get install -y postgresql")
    base = Path(tempfile.mkdtemp(prefix="syncoxide-pg-"))
    base.chmod(0o755)
    shutil.chown(base, "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "initdb"),
            "-D",
            str(base / "data"),
            "--auth=trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    command = [
        *as_postgres,
        str(PG_BIN / "postgres"),
        "-D",
        str(base / "data"),
        "-p",
        str(port),
        "-k",
        str(base),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        # Every server test may run on it (tests/server/databases.py): room for the connections
        # of a module's servers and clients until the module's databases are dropped.
        "-c",
        "max_connections=300",
    ]
    log = Path(tempfile.mkdtemp(prefix="syncoxide-pg-log-")) / "postgres.log"
    try:
        with running(command, port, log, folders=(base,)) as process:
            try:
                server = Postgres(port)
                _wait_until_accepting(server, log)
                yield server
            finally:
                # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGINT)
                process.wait(timeout=30)
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(log.parent, ignore_errors=True)


def _wait_until_accepting(server: Postgres, log: Path) -> None:
    """The port opens before recovery ends ("the database system is starting up")."""
    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(server.url(), connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text()}") from None
            time.sleep(0.05)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis with no persistence; yields its URL."""
    binary = require_binary("redis-server", "apt-get install -y redis-server")
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="syncoxide-redis-"))
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    try:
        with running(command, port, folder / "redis.log"):
            yield f"redis://127.0.0.1:{port}/0"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def nats_server(
    jetstream: bool = True, port: int | None = None, folder: Path | None = None
) -> Iterator[str]:
    """A NATS server, with JetStream (file store in a throwaway folder) unless told; yields
    its URL. Given a port and a folder, it restarts where a previous one stopped."""
    binary = require_binary("nats-server", "apt-get install -y nats-server")
    port = port or free_port()
    ours = folder is None  # a folder given outlives this server, for the next one
    folder = folder or Path(tempfile.mkdtemp(prefix="syncoxide-nats-"))
    command = [binary, "-a", "127.0.0.1", "-p", str(port)]
    if jetstream:
        command += ["-js", "-sd", str(folder / "js")]
    try:
        with running(command, port, folder / "nats.log"):
            yield f"nats://127.0.0.1:{port}"
    finally:
        if ours:
            shutil.rmtree(folder, ignore_errors=True)


#: The KV buckets the server makes on NATS (bus/nats_bus.py, bus/nats_state.py).
NATS_BUCKETS = ("rooms", "instances", "limits", "login_requests", "login_codes")


async def drop_nats_buckets(link: NatsLink, namespaces: tuple[str, ...] = ("",)) -> None:
    """The server's KV buckets in these namespaces go, as FLUSHDB empties Redis between
    tests; other namespaces' (test servers on the shared bus: shared_parts.py) stay."""
    js = (await link.client()).jetstream()
    doomed = {
        "KV_" + namespaced(BUCKET_PREFIX, namespace, "_") + bucket
        for namespace in namespaces
        for bucket in NATS_BUCKETS
    }
    for stream in await js.streams_info():
        if stream.config.name in doomed:
            await js.delete_stream(stream.config.name)
