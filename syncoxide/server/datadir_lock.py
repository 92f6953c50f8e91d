"""Who is using a data directory: ``syncoxide serve`` holds a shared lock on
``DATA/server.lock`` while it runs, ``syncoxide admin migrate`` an exclusive one.

Several instances may serve one data directory on one host (they share the lock); a
migration needs the directory to itself, so it is refused while any server runs on it, and
a server is refused while a migration runs. The lock is ``flock``: the kernel drops it when
the process ends, killed or not, so a crash leaves nothing to clean up.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syncoxide.errors import ConfigError

LOCK_NAME = "server.lock"


@contextmanager
def serving(data_dir: Path) -> Iterator[None]:
    """Held by a running server (shared with other servers of the same directory)."""
    with _locked(data_dir, fcntl.LOCK_SH) as taken:
        if not taken:
            raise ConfigError(
                f"A migration (syncoxide admin migrate) is running on {data_dir}.",
                hint="Start the server once it has finished.",
            )
        yield


@contextmanager
def migrating(data_dir: Path) -> Iterator[None]:
    """Held by a migration: no server may run on the directory meanwhile."""
    with _locked(data_dir, fcntl.LOCK_EX) as taken:
        if not taken:
            raise ConfigError(
                f"A syncoxide server is running on {data_dir} (it holds {LOCK_NAME}).",
                hint="Stop every server on this data directory, then run the migration again: "
                "its data must not change while it is copied. Nothing was changed.",
            )
        yield


@contextmanager
def _locked(data_dir: Path, mode: int) -> Iterator[bool]:
    if not data_dir.is_dir():
        raise ConfigError(
            f"No data directory at {data_dir}.", hint="Pass the server's one with --data-dir."
        )
    path = data_dir / LOCK_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)  # closing releases the lock
