"""Links through a live server: the CLI shares a folder, a stranger resumes its zip, a
standard tus client (tuspy) drops files on a request link, and the CLI pulls them back."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import httpx2
import pytest
from tusclient.client import TusClient

from tests.conftest import LiveServer, run_cli

CLI = [sys.executable, "-m", "syncoxide.cli.main"]


def _run(*args: str) -> str:
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def token(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    password = tmp_path_factory.mktemp("linker") / "pw"
    password.write_text("linker password\n")
    data = str(live_server.data_dir)
    _run("user", "add", "linker", "--password-file", str(password), "--data-dir", data)
    return _run("token", "create", "--user", "linker", "--data-dir", data).strip()


def test_cli_shares_a_folder_and_a_stranger_resumes_the_zip(
    live_server: LiveServer, token: str, tmp_path: Path
) -> None:
    folder = tmp_path / "Album"
    (folder / "raw").mkdir(parents=True)
    tree = {"cover.jpg": os.urandom(300_000), "raw/one.bin": os.urandom(5000), "empty.txt": b""}
    for name, data in tree.items():
        (folder / name).write_bytes(data)
    server = ["--server", live_server.url, "--token", token]
    printed = _run("share", str(folder), "--expires", "7d", "--max-downloads", "3", *server)
    link = printed.strip().splitlines()[-1]
    assert link.startswith(f"{live_server.url}/s/")
    described = httpx2.get(link.replace("/s/", "/api/v1/shares/"), timeout=10).json()
    whole = httpx2.get(live_server.url + described["zip_url"], timeout=30)
    assert whole.status_code == 200
    rest = httpx2.get(
        live_server.url + described["zip_url"],
        headers={"Range": "bytes=200000-", "If-Range": whole.headers["etag"]},
        timeout=30,
    )
    assert rest.status_code == 206 and rest.content == whole.content[200_000:]
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == {
            f"Album/{name}": data for name, data in tree.items()
        }


def test_a_tus_client_drops_files_and_the_cli_pulls_them(
    live_server: LiveServer, token: str, tmp_path: Path
) -> None:
    server = ["--server", live_server.url, "--token", token]
    link = _run("request", "create", "--title", "Scans", "--allow-late", *server).strip()
    link_id = link.rsplit("/", 1)[-1]
    assert httpx2.get(link, timeout=10).status_code == 200
    sent = {"scans/page 1.png": os.urandom(70_000), "scans/../notes.txt": b"notes"}
    by_header = TusClient(f"{live_server.url}/api/v1/drop/", headers={"Syncoxide-Link": link_id})
    own_url = httpx2.get(f"{live_server.url}/api/v1/requests/{link_id}", timeout=10).json()
    plain = TusClient(live_server.url + own_url["upload_url"])  # any tus client, no extra header
    for client, (path, data) in zip((plain, by_header), sent.items(), strict=True):
        uploader = client.uploader(
            file_stream=io.BytesIO(data), chunk_size=16_384, metadata={"path": path}
        )
        uploader.upload()
    target = tmp_path / "pulled"
    (target / "scans").mkdir(parents=True)  # ".." is dropped: the file lands in scans/
    (target / "scans/notes.txt").write_bytes(b"already here, kept")
    _run("request", "pull", link_id, str(target), *server)
    assert (target / "scans/page 1.png").read_bytes() == sent["scans/page 1.png"]
    assert (target / "scans/notes.txt").read_bytes() == b"already here, kept"
    assert (target / "scans/notes (1).txt").read_bytes() == b"notes"
