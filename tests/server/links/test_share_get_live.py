"""`syncoxide get LINK` against a live server: encrypted and password-protected shares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, cli_env

CLI = [sys.executable, "-m", "syncoxide.cli.main"]
TREE = {"a.txt": b"alpha\n" * 1000, "deep/b.bin": os.urandom(150_000), "empty": b""}


def _run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CLI, *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(*args),
    )
    assert (done.returncode == 0) is ok, done.stderr
    return done


@pytest.fixture(scope="module")
def server_args(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    password = tmp_path_factory.mktemp("getter") / "pw"
    password.write_text("getter password\n")
    data = str(live_server.data_dir)
    _run("user", "add", "getter", "--password-file", str(password), "--data-dir", data)
    token = _run("token", "create", "--user", "getter", "--data-dir", data).stdout.strip()
    return ["--server", live_server.url, "--token", token]


def _tree(tmp_path: Path) -> Path:
    folder = tmp_path / "Band"
    for name, data in TREE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _read(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_get_decrypts_an_encrypted_share_in_one_counted_visit(
    server_args: list[str], tmp_path: Path
) -> None:
    shared = _run("share", str(_tree(tmp_path)), "--encrypt", "--max-downloads", "1", *server_args)
    link = shared.stdout.strip().splitlines()[-1]
    out = tmp_path / "out"
    _run("get", link, "-o", str(out))
    assert _read(out) == {f"Band/{name}": data for name, data in TREE.items()}
    again = _run("get", link, "-o", str(out), ok=False)  # the one download is used up
    assert "download limit" in again.stderr
    assert _read(out) == {f"Band/{name}": data for name, data in TREE.items()}


def test_a_wrong_key_or_no_key_writes_nothing(server_args: list[str], tmp_path: Path) -> None:
    link = _run("share", str(_tree(tmp_path)), "--encrypt", *server_args).stdout.split()[-1]
    out = tmp_path / "out"
    wrong = _run("get", link.split("#")[0] + "#k=" + "A" * 43, "-o", str(out), ok=False)
    assert "authentication" in wrong.stderr
    missing = _run("get", link.split("#")[0], "-o", str(out), ok=False)
    assert "no key" in missing.stderr
    assert not out.exists() or not any(out.rglob("*"))


def test_get_a_password_share_and_never_overwrite(server_args: list[str], tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("open sesame\n")
    folder = _tree(tmp_path)
    link = _run("share", str(folder), "--password-file", str(secret), *server_args).stdout
    link = link.strip().splitlines()[-1]
    out = tmp_path / "out"
    refused = _run("get", link, "-o", str(out), ok=False)
    assert "password" in refused.stderr
    _run("get", link, "-o", str(out), "--password-file", str(secret))
    _run("get", link, "-o", str(out), "--password-file", str(secret))
    got = _read(out)
    assert got["Band/a.txt"] == got["Band/a (1).txt"] == TREE["a.txt"]
    assert got["Band/deep/b (1).bin"] == TREE["deep/b.bin"]
