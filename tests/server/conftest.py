"""The server tests' database, SQLite or PostgreSQL (tests/server/databases.py says how), and on
request their blob store and bus (S3, Redis or NATS: tests/server/shared_parts.py).

``SYNCOXIDE_TEST_DATABASE=postgresql`` runs every server test on PostgreSQL. Without it, a test
marked ``both_databases`` runs twice, on SQLite and (in the live layer) on PostgreSQL; a module
whose fixtures build a server once must have them take ``server_database`` so they are built
again for the second run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.server.config import ServerConfig
from tests.conftest import DATA_DIR_ENV, LiveServer, start_live_server
from tests.server.databases import (
    CHOICE,
    ON_POSTGRESQL,
    TestDatabases,
    chosen_dialect,
    patched_deployment,
)
from tests.server.scale.services import Postgres, nats_server, postgres_server, redis_server
from tests.server.shared_parts import S3_KEYS, shared_parts


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_databases") is None or ON_POSTGRESQL:
        return
    metafunc.parametrize(
        "server_database",
        ["sqlite", pytest.param("postgresql", marks=pytest.mark.live)],
        indirect=True,
        scope="module",
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One throwaway PostgreSQL for this test process (each worker has its own)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def test_databases(postgres: Postgres) -> Iterator[TestDatabases]:
    databases = TestDatabases(postgres)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """One throwaway Redis for this test process."""
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    """One throwaway NATS (with JetStream) for this test process."""
    if shutil.which("nats-server") is None:
        pytest.skip("nats-server is not installed (apt-get install -y nats-server)")
    with nats_server() as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def server_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """``sqlite`` or ``postgresql``: what the servers this module's tests build run on (and
    on request their blob store and bus, shared_parts.py)."""
    dialect: str = getattr(request, "param", chosen_dialect())
    parts = shared_parts(request)
    if dialect == "sqlite" and parts is None:
        yield dialect
        return
    databases: TestDatabases | None = None
    if dialect == "postgresql":
        databases = request.getfixturevalue("test_databases")
    before = databases.made() if databases is not None else set()
    original_env = DATA_DIR_ENV[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ServerConfig, "deployment", patched_deployment(ServerConfig.deployment))
        patch.setattr(CHOICE, "dialect", dialect)
        patch.setattr(CHOICE, "databases", databases)
        patch.setattr(CHOICE, "parts", parts)
        if parts is not None and parts.s3 is not None:
            for name, value in S3_KEYS.items():
                patch.setenv(name, value)  # in-process servers read the keys from here
        DATA_DIR_ENV[0] = CHOICE.environment
        try:
            yield dialect
        finally:
            DATA_DIR_ENV[0] = original_env
    if databases is not None:
        databases.drop(databases.made() - before)


@pytest.fixture(autouse=True)
def _drop_test_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test's own data directories' databases go with the test."""
    databases = CHOICE.databases
    if databases is None or "tmp_path" not in request.fixturenames:
        yield
        return
    own: Path = request.getfixturevalue("tmp_path").resolve()
    before = databases.made()
    yield
    databases.drop({d for d in databases.made() - before if d.is_relative_to(own)})


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """The session's ``syncoxide serve`` (tests/conftest.py), on its own PostgreSQL database
    when the suite runs on PostgreSQL."""
    data_dir = tmp_path_factory.mktemp("live-data")
    env: dict[str, str] = {}
    if ON_POSTGRESQL:
        databases: TestDatabases = request.getfixturevalue("test_databases")
        env["SYNCOXIDE_DATABASE"] = databases.url_for(data_dir, keep=True)
    parts = shared_parts(request)
    if parts is not None:
        env.update(parts.environment(data_dir))
    server = start_live_server(data_dir, env=env)
    yield server
    server.stop()
