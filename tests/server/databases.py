"""The server tests' database: the embedded SQLite file, or a real PostgreSQL on request.

``SYNCOXIDE_TEST_DATABASE=postgresql`` runs every server test on one throwaway PostgreSQL
(tests/server/scale/services.py, one per test worker). As the SQLite file belongs to a data
directory, each data directory a test makes gets its own fresh database, cloned from a template
migrated once (``CREATE DATABASE ... TEMPLATE`` takes about a fifth of creating and migrating
one; docs/scaling.md has the figures):

    in this process    ``ServerConfig.deployment`` answers the data directory's database
                       wherever no database was configured (tests of scale-out set their own)
    programs started   ``start_live_server`` and ``run_cli`` pass it as SYNCOXIDE_DATABASE
                       (tests/conftest.py ``data_dir_env``), so the CLI that makes a user and
                       the server that signs them in meet in the same database

The template sorts text as people read it (ICU, en-US), as an operator's database often does;
the stores must still order paths bytewise. A database goes when the data directory's test (or,
for a module's server, its module) ends, so clients a test left open do not pile up.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from syncoxide.server.config import ServerConfig
from syncoxide.server.deployment.settings import Deployment, Target
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.conftest import data_dir_env
from tests.server.scale.services import Postgres
from tests.server.shared_parts import SharedParts

#: The switch: ``sqlite`` (the default) or ``postgresql``.
SWITCH = "SYNCOXIDE_TEST_DATABASE"
DIALECTS = ("sqlite", "postgresql")
#: A database that sorts text as people read it ("B" after "a", punctuation ignored).
LANGUAGE_ORDER = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
TEMPLATE = "syncoxide_template"
SOURCE = f"{SWITCH}=postgresql (tests/server/databases.py)"


def chosen_dialect() -> str:
    dialect = os.environ.get(SWITCH, "").strip().lower() or "sqlite"
    if dialect not in DIALECTS:
        raise pytest.UsageError(f"{SWITCH}={dialect!r}: use one of {', '.join(DIALECTS)}")
    return dialect


ON_POSTGRESQL = chosen_dialect() == "postgresql"


def database_of(data_dir: Path) -> Database:
    """The database a server on ``data_dir`` writes to, for a test to look into; close it."""
    url = data_dir_env(data_dir).get("SYNCOXIDE_DATABASE")
    return PostgresDatabase(url) if url else sqlite_at(data_dir / "syncoxide.sqlite3")


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Skips a test of the embedded SQLite file itself when the suite runs on PostgreSQL."""
    return pytest.mark.skipif(ON_POSTGRESQL, reason=f"SQLite only: {reason}")


class TestDatabases:
    """Fresh databases on one PostgreSQL server, one per data directory, made from a template."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, server: Postgres) -> None:
        self.server = server
        self._admin = psycopg.connect(server.url(), autocommit=True)
        self._names = itertools.count()
        self._guard = threading.Lock()
        self._by_dir: dict[Path, str] = {}
        self._kept: set[str] = set()
        self._admin.execute(f'CREATE DATABASE "{TEMPLATE}" {LANGUAGE_ORDER}')
        asyncio.run(migrate_postgres(server.url(TEMPLATE)))

    def url_for(self, data_dir: Path, *, keep: bool = False) -> str:
        """The data directory's database, made on first asking; ``keep`` spares it from
        ``drop_since`` (a session's server outlives every module)."""
        where = data_dir.resolve()
        with self._guard:
            name = self._by_dir.get(where)
            if name is None:
                name = f"test_{os.getpid()}_{next(self._names)}"
                self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
                self._by_dir[where] = name
            if keep:
                self._kept.add(name)
        return self.server.url(name)

    def made(self) -> set[Path]:
        with self._guard:
            return set(self._by_dir)

    def drop(self, data_dirs: set[Path]) -> None:
        """Drop these data directories' databases, closing whatever still holds them."""
        with self._guard:
            names = [self._by_dir[d] for d in data_dirs if self._by_dir.get(d) not in self._kept]
            for where in data_dirs:
                if self._by_dir.get(where) not in self._kept:
                    self._by_dir.pop(where, None)
        for name in names:
            self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._admin.close()


class DatabaseChoice:
    """Which database (and, on request, which blob store and bus: shared_parts.py) the server
    tests being run use; set per module (see conftest.py)."""

    def __init__(self) -> None:
        self.dialect = "sqlite"
        self.databases: TestDatabases | None = None
        self.parts: SharedParts | None = None

    def deployment(self, config: ServerConfig, found: Deployment) -> Deployment:
        """``found`` with the data directory's PostgreSQL database (and S3 prefix and bus
        namespace) where none was set."""
        if self.dialect == "postgresql" and found.database.source == "default":
            assert self.databases is not None
            url = self.databases.url_for(config.data_dir)
            found = replace(found, database=Target("postgresql", url, SOURCE))
        return found if self.parts is None else self.parts.applied(found, config.data_dir)

    def environment(self, data_dir: Path) -> dict[str, str]:
        """SYNCOXIDE_DATABASE (and SYNCOXIDE_BLOBS, SYNCOXIDE_BUS) for a program run on
        ``data_dir``, unless a test set its own."""
        env: dict[str, str] = {}
        if self.dialect == "postgresql" and not os.environ.get("SYNCOXIDE_DATABASE"):
            assert self.databases is not None
            env["SYNCOXIDE_DATABASE"] = self.databases.url_for(data_dir)
        if self.parts is not None:
            env.update(self.parts.environment(data_dir))
        return env


CHOICE = DatabaseChoice()


def patched_deployment(original: Any) -> Any:
    def deployment(config: ServerConfig) -> Deployment:
        return CHOICE.deployment(config, original(config))

    return deployment
