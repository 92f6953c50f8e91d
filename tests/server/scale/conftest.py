"""Both buses for the scale-out tests. The session's throwaway PostgreSQL, Redis and NATS are
tests/server/conftest.py's (shared with every server test, which may run on them on request);
its S3 servers are tests/servers.py's."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["redis", "nats"])
def bus_url(request: pytest.FixtureRequest) -> str:
    """The URL of a running shared bus: each test that takes it runs on Redis and on NATS."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url
