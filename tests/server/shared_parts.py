"""The server tests' blob store and bus: local disk and in-process, or real ones on request.

``SYNCOXIDE_TEST_BLOBS=s3`` keeps every test server's blobs in the worker's ``rclone serve s3``
(tests/servers.py), under a prefix of its own per data directory; ``SYNCOXIDE_TEST_BUS=redis``
or ``nats`` gives every server a test starts the worker's Redis or NATS, in a namespace of its
own per data directory (syncoxide/server/deployment/bus_namespace.py), so the servers of two
tests never hear each other while two instances on one data directory do. With
``SYNCOXIDE_TEST_DATABASE=postgresql`` (databases.py) the three run the server tests on the
parts a scaled-out deployment runs on:

    SYNCOXIDE_TEST_DATABASE=postgresql SYNCOXIDE_TEST_BLOBS=s3 SYNCOXIDE_TEST_BUS=redis \\
        .venv/bin/python -m pytest tests/server -n 2 --dist loadgroup

A test that configures a blob store or bus itself (the scale-out tests) keeps its own.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from syncoxide.server.deployment.settings import Deployment, Target
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

BLOBS_SWITCH = "SYNCOXIDE_TEST_BLOBS"
BUS_SWITCH = "SYNCOXIDE_TEST_BUS"
BLOB_KINDS = ("local", "s3")
BUS_KINDS = ("memory", "redis", "nats")
#: What an in-process server needs to reach the test S3 server (keys never sit in a URL).
S3_KEYS = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}


def _chosen(switch: str, kinds: tuple[str, ...]) -> str:
    kind = os.environ.get(switch, "").strip().lower() or kinds[0]
    if kind not in kinds:
        raise pytest.UsageError(f"{switch}={kind!r}: use one of {', '.join(kinds)}")
    return kind


def chosen_blobs() -> str:
    return _chosen(BLOBS_SWITCH, BLOB_KINDS)


def chosen_bus() -> str:
    return _chosen(BUS_SWITCH, BUS_KINDS)


def local_blobs_only(reason: str) -> pytest.MarkDecorator:
    """Skips a test of the local blob folder itself when the blobs are in S3."""
    return pytest.mark.skipif(chosen_blobs() != "local", reason=f"local blobs only: {reason}")


def _own_name(data_dir: Path) -> str:
    """A short name of the data directory, the same for every process that runs on it."""
    return "t" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SharedParts:
    """The worker's S3 server and bus, when the switches ask for them."""

    s3: S3Server | None = None
    bus_url: str | None = None

    def blobs_for(self, data_dir: Path) -> str | None:
        if self.s3 is None:
            return None
        where = f"{self.s3.bucket}/{_own_name(data_dir)}"
        return f"s3://{where}?endpoint={self.s3.endpoint}&region=us-east-1"

    def bus_for(self, data_dir: Path) -> str | None:
        if self.bus_url is None:
            return None
        url = self.bus_url
        if url.startswith("redis://"):
            # Keys in a database of their own: the bus tests empty database 0 (FLUSHDB) after
            # each test, which would take a running test server's rooms and heartbeat too.
            url = url.rsplit("/", 1)[0] + "/1"
        return f"{url}?namespace={_own_name(data_dir)}"

    def applied(self, found: Deployment, data_dir: Path) -> Deployment:
        """``found`` with this data directory's blobs where none was configured. The bus is
        given to started servers only (``environment``): an app served in the test process
        by Starlette's TestClient runs each request outside a ``with`` block on an event loop
        of its own, and a bus connection belongs to the loop that opened it (a server has
        one loop for its life)."""
        blobs = self.blobs_for(data_dir)
        if blobs is not None and found.blobs.source == "default":
            found = replace(found, blobs=Target("s3", blobs, BLOBS_SWITCH))
        return found

    def environment(self, data_dir: Path) -> dict[str, str]:
        """SYNCOXIDE_BLOBS (with the S3 keys) and SYNCOXIDE_BUS for a program run on
        ``data_dir``, unless a test set its own."""
        env: dict[str, str] = {}
        blobs, bus = self.blobs_for(data_dir), self.bus_for(data_dir)
        if blobs is not None and not os.environ.get("SYNCOXIDE_BLOBS"):
            env.update(SYNCOXIDE_BLOBS=blobs, **S3_KEYS)
        if bus is not None and not os.environ.get("SYNCOXIDE_BUS"):
            env["SYNCOXIDE_BUS"] = bus
        return env


def shared_parts(request: pytest.FixtureRequest) -> SharedParts | None:
    """The parts the switches ask for, from the worker's session servers; None for the
    embedded defaults."""
    blobs, bus = chosen_blobs(), chosen_bus()
    if blobs == "local" and bus == "memory":
        return None
    s3: S3Server | None = request.getfixturevalue("rclone_s3") if blobs == "s3" else None
    bus_url: str | None = None if bus == "memory" else request.getfixturevalue(f"{bus}_url")
    return SharedParts(s3, bus_url)
