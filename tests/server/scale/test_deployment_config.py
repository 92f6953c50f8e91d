"""The deployment's targets: parsed from settings.toml and the environment, checked live."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syncoxide.errors import ConfigError
from syncoxide.server.config import ServerConfig
from syncoxide.server.deployment.settings import parse_deployment
from tests.conftest import PROJECT_ROOT
from tests.server.scale.services import Postgres, nats_server
from tests.server.shared_parts import local_blobs_only


def test_nothing_configured_is_the_embedded_default() -> None:
    deployment = parse_deployment({}, {}, "settings.toml")
    assert [t.kind for t in deployment.targets().values()] == ["sqlite", "local", "memory"]
    assert deployment.embedded


@local_blobs_only("it reads the blobs left to their default, which SYNCOXIDE_TEST_BLOBS sets")
def test_the_environment_overrides_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "settings.toml").write_text(
        '[deployment]\ndatabase = "postgresql://a@db1/x"\nbus = "redis://bus1:6379/0"\n'
    )
    monkeypatch.setenv("SYNCOXIDE_DATABASE", "postgresql://b:pw@db2:5432/y")
    monkeypatch.delenv("SYNCOXIDE_BUS", raising=False)
    monkeypatch.delenv("SYNCOXIDE_BLOBS", raising=False)
    monkeypatch.delenv("SYNCOXIDE_SETTINGS", raising=False)
    deployment = ServerConfig.embedded_defaults(tmp_path).deployment()
    assert deployment.database.url == "postgresql://b:pw@db2:5432/y"
    assert deployment.database.source == "SYNCOXIDE_DATABASE"
    assert deployment.database.shown == "postgresql://b:***@db2:5432/y"
    assert deployment.bus.url == "redis://bus1:6379/0"
    assert "settings.toml" in deployment.bus.source
    assert deployment.blobs.kind == "local" and not deployment.embedded


def test_s3_blobs_take_keys_from_the_environment_only() -> None:
    from syncoxide.server.deployment.settings import s3_location

    environ = {
        "SYNCOXIDE_BLOBS": "s3://bucket/some/prefix?endpoint=http://127.0.0.1:9000&region=r1",
        "AWS_ACCESS_KEY_ID": "key-id",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    target = parse_deployment(environ, {}, "settings.toml").blobs
    where = s3_location(target, environ)
    assert (where.bucket, where.prefix, where.endpoint, where.region) == (
        "bucket",
        "some/prefix",
        "http://127.0.0.1:9000",
        "r1",
    )
    assert where.access_key_id == "key-id" and "secret" not in repr(where)


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("SYNCOXIDE_DATABASE", "mysql://db/x", "is not a database"),
        ("SYNCOXIDE_DATABASE", "postgresql:///nohost", "names no host"),
        ("SYNCOXIDE_BUS", "kafka://k:9092", "is not a bus"),
        ("SYNCOXIDE_BLOBS", "s3://bucket?endpoint=ftp://x", "not an http(s) URL"),
        ("SYNCOXIDE_BLOBS", "s3://bucket?secret=x", "not an S3 location"),
    ],
)
def test_a_wrong_target_is_refused_with_an_example(variable: str, value: str, said: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(said)) as refused:
        parse_deployment({variable: value}, {}, "settings.toml")
    assert refused.value.hint and "for example" in refused.value.hint.lower()


def test_unknown_deployment_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown settings: queue"):
        parse_deployment({}, {"queue": "x"}, "settings.toml")
    with pytest.raises(ConfigError, match="must be a URL"):
        parse_deployment({}, {"bus": 6379}, "settings.toml")


def _check_config(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "serve",
            "--check-config",
            "--data-dir",
            str(data_dir),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_check_config_passes_when_every_target_answers(
    tmp_path: Path, postgres: Postgres, redis_url: str
) -> None:
    database = postgres.create_database("check_ok")
    result = _check_config(tmp_path, SYNCOXIDE_DATABASE=database, SYNCOXIDE_BUS=redis_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PostgreSQL 15" in result.stdout and "Redis 7" in result.stdout
    assert "Ready: every part of the deployment answers." in result.stdout


def test_check_config_names_what_does_not_answer(tmp_path: Path, postgres: Postgres) -> None:
    wrong_database = postgres.url("no_such_database")
    result = _check_config(
        tmp_path,
        SYNCOXIDE_DATABASE=wrong_database.replace("postgres@", "postgres:hunter2@"),
        SYNCOXIDE_BUS="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 1
    assert "database  FAILED" in result.stdout and "no_such_database" in result.stdout
    assert "bus       FAILED" in result.stdout and "hunter2" not in result.stdout
    assert "Not ready: database, bus did not answer." in result.stdout


def test_a_nats_bus_is_read_from_the_environment() -> None:
    deployment = parse_deployment({"SYNCOXIDE_BUS": "nats://u:pw@bus1:4222"}, {}, "s.toml")
    assert deployment.bus.kind == "nats" and deployment.bus.shown == "nats://u:***@bus1:4222"
    with pytest.raises(ConfigError, match="names no host"):
        parse_deployment({"SYNCOXIDE_BUS": "nats://"}, {}, "s.toml")


def test_check_config_pings_nats_and_its_jetstream(tmp_path: Path, nats_url: str) -> None:
    result = _check_config(tmp_path, SYNCOXIDE_BUS=nats_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "NATS 2." in result.stdout and "JetStream enabled" in result.stdout


def test_check_config_refuses_nats_without_jetstream_or_answer(tmp_path: Path) -> None:
    if shutil.which("nats-server") is None:
        pytest.skip("nats-server is not installed (apt-get install -y nats-server)")
    with nats_server(jetstream=False) as url:
        result = _check_config(tmp_path, SYNCOXIDE_BUS=url)
    assert result.returncode == 1
    assert "bus       FAILED" in result.stdout and "JetStream" in result.stdout
    assert "-js" in result.stdout  # says how to turn it on
    result = _check_config(tmp_path, SYNCOXIDE_BUS="nats://ops:hunter2@127.0.0.1:1")
    assert result.returncode == 1
    assert "NATS could not be reached" in result.stdout and "hunter2" not in result.stdout
