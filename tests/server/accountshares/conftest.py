"""Share tests use the shared real servers (rclone S3, wsgidav WebDAV: tests/servers.py),
reachable on loopback as an operator would allow it."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    yield
