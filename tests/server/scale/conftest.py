"""Session-wide throwaway Redis, NATS and S3 servers for the scale-out tests (PostgreSQL's
``postgres`` fixture is tests/server/conftest.py's, shared with every server test)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.server.scale.services import nats_server, redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    if shutil.which("nats-server") is None:
        pytest.skip("nats-server is not installed (apt-get install -y nats-server)")
    with nats_server() as url:
        yield url


@pytest.fixture(params=["redis", "nats"])
def bus_url(request: pytest.FixtureRequest) -> str:
    """The URL of a running shared bus: each test that takes it runs on Redis and on NATS."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url
