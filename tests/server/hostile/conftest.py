"""Hostile tests reach the shared WebDAV server (tests/servers.py) on loopback, allowed as an
operator would allow it."""

from collections.abc import Iterator

import pytest


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    yield
