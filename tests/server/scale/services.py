"""Throwaway PostgreSQL and Redis from the Debian packages, on free loopback ports.

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.native.providers.server_processes import free_port, require_binary, running

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class Postgres:
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database; its URL."""
        psql = require_binary("psql", "apt-get install -y postgresql")
        subprocess.run(
            [psql, self.url(), "-q", "-c", f'CREATE DATABASE "{name}"'],
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
    ]
    log = Path(tempfile.mkdtemp(prefix="syncoxide-pg-log-")) / "postgres.log"
    try:
        with running(command, port, log) as process:
            try:
                yield Postgres(port)
            finally:
                # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGINT)
                process.wait(timeout=30)
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(log.parent, ignore_errors=True)


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
