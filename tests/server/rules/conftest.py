"""Rule tests use the shared real servers (rclone S3, wsgidav WebDAV, sshd: tests/servers.py).

They (and the FAKE Drive and Dropbox) listen on loopback, which a server refuses to connect
to for its users unless allowed: these tests allow it as an operator would.
"""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    yield
