"""The real servers of the provider tests (rclone S3, wsgidav WebDAV, sshd), for rule tests.

They (and the FAKE Drive and Dropbox) listen on loopback, which a server refuses to connect
to for its users unless allowed: these tests allow it as an operator would.
"""

from collections.abc import Iterator

import pytest

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
    sshd_server,
    wsgidav_server,
)


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    yield
