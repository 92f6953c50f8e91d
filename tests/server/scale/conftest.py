"""Session-wide throwaway PostgreSQL, Redis and S3 servers for the scale-out tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    moto_s3,
    rclone_s3,
)
from tests.server.scale.services import Postgres, postgres_server, redis_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url
