"""The real provider servers (rclone S3, wsgidav WebDAV) for share tests, reachable on
loopback as an operator would allow it."""

from collections.abc import Iterator

import pytest

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
    wsgidav_server,
)


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    yield
