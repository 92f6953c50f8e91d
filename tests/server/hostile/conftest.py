"""Real servers for the hostile tests (wsgidav WebDAV on loopback), allowed as an operator would."""

from collections.abc import Iterator

import pytest

from tests.native.providers.conftest import wsgidav_server  # noqa: F401 - fixture by name


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    yield
