"""What ``syncoxide admin migrate`` refuses, with a message that says why and that nothing
was changed: a running server, bad or unreachable addresses, wrong credentials, a target
already holding other data (until ``--replace-target``); and ``--dry-run`` writes nothing."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from syncoxide.server.datadir_lock import migrating
from tests.conftest import PROJECT_ROOT, start_live_server
from tests.native.providers.server_processes import free_port
from tests.server.scale.migrate_world import add_users, cli, put_object
from tests.server.scale.services import Postgres
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.live
KEYS = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small embedded deployment: two users made by the CLI, nothing else (every test
    only reads it: a migration never writes its source)."""
    folder = tmp_path_factory.mktemp("small")
    add_users(folder / "data", folder)
    return folder / "data"


def _blobs(s3: S3Server, prefix: str) -> str:
    return f"s3://{s3.bucket}/{prefix}?endpoint={s3.endpoint}"


def _migrate(data_dir: Path, to: str, blobs: str, *more: str, env: dict[str, str] = KEYS) -> (
    subprocess.CompletedProcess[str]
):  # fmt: skip
    return cli(data_dir, "admin", "migrate", "--to", to, "--blobs", blobs, *more, env=env)


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return sorted(row[0] for row in rows)


def test_a_running_server_and_a_running_migration_keep_each_other_out(
    data_dir: Path, postgres: Postgres, rclone_s3: S3Server
) -> None:
    to = postgres.create_database("refused_running")
    server = start_live_server(data_dir)
    try:
        refused = _migrate(data_dir, to, _blobs(rclone_s3, "refused-running"))
    finally:
        server.stop()
    assert refused.returncode == 1
    assert "A syncoxide server is running" in refused.stderr, refused.stderr
    assert "Nothing was changed" in refused.stderr and _tables(to) == []

    with migrating(data_dir):
        port = str(free_port())
        serve = subprocess.run(
            [sys.executable, "-m", "syncoxide.cli.main", "serve", "--port", port,
             "--data-dir", str(data_dir)],
            capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
        )  # fmt: skip
    assert serve.returncode == 1 and "A migration" in serve.stderr, serve.stderr


@pytest.mark.parametrize(
    ("to", "blobs", "env", "said"),
    [
        ("mysql://db/x", "s3", KEYS, "is not a PostgreSQL URL"),
        ("pg-dead", "s3", KEYS, "PostgreSQL refused or could not be reached"),
        ("pg-missing-db", "s3", KEYS, 'database "no_such_db" does not exist'),
        ("pg-wrong-user", "s3", KEYS, 'role "nobody" does not exist'),
        ("pg", "http://example.org/bucket", KEYS, "is not an S3 location"),
        ("pg", "s3", {}, "No S3 keys"),
        ("pg", "s3-dead", KEYS, "Could not reach the S3 endpoint"),
        ("pg", "s3", {"AWS_ACCESS_KEY_ID": "wrongkey1234", "AWS_SECRET_ACCESS_KEY": "nope5678"},
         "InvalidAccessKeyId"),
        ("pg", "s3-no-bucket", KEYS, "no-such-bucket"),
    ],
)  # fmt: skip
def test_bad_addresses_and_credentials_are_refused_clearly(
    data_dir: Path, postgres: Postgres, rclone_s3: S3Server,
    to: str, blobs: str, env: dict[str, str], said: str,
) -> None:  # fmt: skip
    dead = f"127.0.0.1:{free_port()}"
    urls = {
        "pg": postgres.url(),
        "pg-dead": f"postgresql://postgres@{dead}/x",
        "pg-missing-db": postgres.url("no_such_db"),
        "pg-wrong-user": postgres.url().replace("postgres@", "nobody@"),
        "s3": _blobs(rclone_s3, "bad-addresses"),
        "s3-dead": f"s3://{rclone_s3.bucket}?endpoint=http://{dead}",
        "s3-no-bucket": f"s3://no-such-bucket?endpoint={rclone_s3.endpoint}",
    }
    clean = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", **env}
    refused = _migrate(data_dir, urls.get(to, to), urls.get(blobs, blobs), env=clean)
    assert refused.returncode == 1, refused.stdout
    assert said in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    assert "users" not in _tables(postgres.url())  # nothing was created


def test_a_target_holding_other_data_is_refused_unless_replaced(
    data_dir: Path, tmp_path: Path, postgres: Postgres, rclone_s3: S3Server
) -> None:
    in_use = postgres.create_database("in_use")
    served = {"SYNCOXIDE_DATABASE": in_use}  # a deployment already running on it
    (tmp_path / "other").mkdir()
    (tmp_path / "password").write_text("zed's password\n")
    made = cli(tmp_path / "other", "user", "add", "zed", "--password-file",
               str(tmp_path / "password"), env=served)  # fmt: skip
    assert made.returncode == 0, made.stderr
    blobs = _blobs(rclone_s3, "in-use")
    refused = _migrate(data_dir, in_use, blobs)
    assert refused.returncode == 1 and "already holds a deployment's data" in refused.stderr
    assert "users (1 rows)" in refused.stderr, refused.stderr

    replaced = _migrate(data_dir, in_use, blobs, "--replace-target")
    assert replaced.returncode == 0, replaced.stderr
    with psycopg.connect(in_use) as db:
        names = sorted(row[0] for row in db.execute("SELECT name FROM users"))
    assert names == ["bob", "pia"]

    (tmp_path / "second").mkdir()  # another deployment onto the same target
    add_users(tmp_path / "second" / "data", tmp_path / "second")
    other = _migrate(tmp_path / "second" / "data", in_use, _blobs(rclone_s3, "second"))
    assert other.returncode == 1 and "from another deployment" in other.stderr, other.stderr

    stray = _blobs(rclone_s3, "stray")
    asyncio.run(put_object(rclone_s3, "stray/left-behind"))
    fresh = postgres.create_database("fresh_for_stray")
    refused_bucket = _migrate(data_dir, fresh, stray)
    assert refused_bucket.returncode == 1, refused_bucket.stdout
    assert "already holds 1 objects" in refused_bucket.stderr, refused_bucket.stderr


def test_a_dry_run_reports_what_would_be_copied_and_writes_nothing(
    data_dir: Path, postgres: Postgres, rclone_s3: S3Server
) -> None:
    to = postgres.create_database("dry_run")
    shown = _migrate(data_dir, to, _blobs(rclone_s3, "dry-run"), "--dry-run")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Dry run: nothing is written")
    [users] = [line for line in lines if line.startswith("users ")]
    assert " 2 rows" in users and "to copy" in users
    [tokens] = [line for line in lines if line.startswith("api_tokens ")]
    assert lines.index(users) < lines.index(tokens)  # a parent before what references it
    assert lines[-1].startswith("Total:")
    assert _tables(to) == []


def test_a_data_directory_of_another_version_or_none_is_refused(
    data_dir: Path, tmp_path: Path, postgres: Postgres, rclone_s3: S3Server
) -> None:
    older = tmp_path / "older"
    shutil.copytree(data_dir, older)
    with sqlite3.connect(older / "syncoxide.sqlite3") as db:
        db.execute("UPDATE schema_version SET version = 5")
    db.close()
    blobs = _blobs(rclone_s3, "versions")
    refused = _migrate(older, postgres.url(), blobs)
    assert refused.returncode == 1 and "schema is version 5" in refused.stderr, refused.stderr
    assert "Start the server of this version on it once" in refused.stderr

    nowhere = _migrate(tmp_path / "nowhere", postgres.url(), blobs)
    assert nowhere.returncode == 1 and "No data directory" in nowhere.stderr, nowhere.stderr
    assert not (tmp_path / "nowhere").exists()
