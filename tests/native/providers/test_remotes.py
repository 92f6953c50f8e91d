"""Named remotes: added, listed and removed from the CLI, secrets sealed at rest, and NAME:path
used by syncoxide sync against a real S3 server (rclone serve s3) and WebDAV (wsgidav)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from syncoxide.errors import TamperedDataError, UsageError
from syncoxide.native.remotes.location import split_location
from syncoxide.native.remotes.store import RemoteStore, open_remote
from tests.conftest import PROJECT_ROOT
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.live


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
    env.pop("AWS_CA_BUNDLE", None)
    return subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )


def test_secrets_are_sealed_and_bound_to_their_remote(tmp_path: Path) -> None:
    store = RemoteStore(tmp_path)
    store.add("box", "s3", {"bucket": "b", "secret_access_key": "TOPSECRET", "region": "eu"})
    text = store.path.read_text()
    assert "TOPSECRET" not in text and '"region": "eu"' in text
    assert oct(store.key_path.stat().st_mode & 0o777) == "0o600"
    assert store.options("box") == (
        "s3",
        {"bucket": "b", "region": "eu", "secret_access_key": "TOPSECRET"},
    )
    document = json.loads(text)
    document["remotes"]["copy"] = document["remotes"]["box"]  # a sealed value moved elsewhere
    store.path.write_text(json.dumps(document))
    with pytest.raises(TamperedDataError, match="does not open"):
        store.options("copy")


@pytest.mark.parametrize(
    ("name", "kind", "options", "words"),
    [
        ("box", "ftp", {}, "Unknown remote type"),
        ("b", "s3", {"bucket": "x"}, "cannot name a remote"),
        ("box", "s3", {}, "needs bucket"),
        ("box", "s3", {"bucket": "x", "colour": "red"}, "does not take colour"),
    ],
)
def test_bad_remotes_are_refused_with_a_clear_message(
    tmp_path: Path, name: str, kind: str, options: dict[str, str], words: str
) -> None:
    with pytest.raises(UsageError, match=words):
        RemoteStore(tmp_path).add(name, kind, options)
    assert not (tmp_path / "remotes.json").exists()


def test_an_s3_remote_takes_its_part_memory(tmp_path: Path) -> None:
    from syncoxide.native.providers.s3.provider import S3Provider

    store = RemoteStore(tmp_path)
    store.add("box", "s3", {"bucket": "b", "part_memory": "16777216"})
    provider = open_remote(*store.options("box"), "")
    assert isinstance(provider, S3Provider)
    assert provider.settings.part_memory == 16 * 1024 * 1024


@pytest.mark.parametrize(
    ("option", "value"),
    [("part_memory", "0"), ("part_size", "1048576"), ("upload_concurrency", "0")],
)
def test_an_s3_remote_refuses_tuning_out_of_bounds_when_opened(option: str, value: str) -> None:
    with pytest.raises(UsageError, match=f"Option {option} must be between"):
        open_remote("s3", {"bucket": "b", option: value}, "")


def test_only_known_remotes_are_remote_paths() -> None:
    assert split_location("box:photos/2024", {"box"}) == ("box", "photos/2024")
    assert split_location("C:/Users/ann", {"box"}) == (None, "C:/Users/ann")
    assert split_location("other:x", {"box"}) == (None, "other:x")


def test_cli_add_list_remove(tmp_path: Path) -> None:
    added = cli(
        tmp_path,
        "remote",
        "add",
        "nas",
        "webdav",
        "url=http://127.0.0.1:1/dav",
        "username=ann",
        "password=hunter2",
    )
    assert added.returncode == 0, added.stderr
    listed = cli(tmp_path, "remote", "list")
    assert (
        "nas: webdav url=http://127.0.0.1:1/dav username=ann password=(encrypted)" in listed.stdout
    )
    assert "hunter2" not in listed.stdout
    assert cli(tmp_path, "remote", "remove", "nas").returncode == 0
    again = cli(tmp_path, "remote", "remove", "nas")
    assert again.returncode == 2 and "no remote named nas" in again.stderr


def test_sync_a_folder_to_an_s3_remote_and_back(tmp_path: Path, rclone_s3: S3Server) -> None:
    config, source = tmp_path / "config", tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "a.txt").write_text("alpha")
    (source / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    added = cli(
        config,
        "remote",
        "add",
        "box",
        "s3",
        f"bucket={rclone_s3.bucket}",
        f"endpoint={rclone_s3.endpoint}",
        f"access_key_id={ACCESS_KEY}",
        f"secret_access_key={SECRET_KEY}",
    )
    assert added.returncode == 0, added.stderr
    state = ["--state-dir", str(tmp_path / "state")]
    first = cli(config, "sync", str(source), "box:remotes-test/backup", "--json", *state)
    assert first.returncode == 0, first.stderr
    second = cli(config, "sync", str(source), "box:remotes-test/backup", "--json", *state)
    assert json.loads(second.stdout)["planned"] == 0, second.stdout
    (tmp_path / "back").mkdir()
    back = cli(config, "sync", "box:remotes-test/backup", str(tmp_path / "back"), *state)
    assert back.returncode == 0, back.stderr
    assert (tmp_path / "back" / "docs" / "a.txt").read_text() == "alpha"
    assert (tmp_path / "back" / "big.bin").read_bytes() == (source / "big.bin").read_bytes()
