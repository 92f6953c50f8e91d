"""A real torrent client (Debian's aria2c) downloads shares from our web seed alone: no
tracker, no DHT, no peers. Files are compared by SHA-256 with what was shared."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest
import torf

from tests.conftest import LiveServer, account_token, run_cli
from tests.server.torrents.web_seed_clients import libtorrent_download

ARIA2C = shutil.which("aria2c")
pytestmark = pytest.mark.skipif(ARIA2C is None, reason="Debian's aria2 is not installed")
ALONE = [
    "--enable-dht=false",
    "--enable-dht6=false",
    "--bt-enable-lpd=false",
    "--enable-peer-exchange=false",
    "--seed-time=0",
    "--bt-stop-timeout=10",  # a refused web seed gives up instead of waiting for peers forever
    "--console-log-level=warn",
    "--summary-interval=0",
]


@pytest.fixture(scope="module")
def server_args(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    token = account_token(live_server, "seeder", tmp_path_factory.mktemp("seeder"))
    return ["--server", live_server.url, "--token", token]


def _share(path: Path, server_args: list[str], *options: str) -> str:
    done = run_cli("share", path, *options, *server_args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _aria2c(torrent: bytes, out: Path) -> subprocess.CompletedProcess[str]:
    out.mkdir(parents=True, exist_ok=True)
    (out.parent / "share.torrent").write_bytes(torrent)
    command = [str(ARIA2C), *ALONE, "--dir", str(out), str(out.parent / "share.torrent")]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".aria2")
    }


def test_aria2c_downloads_a_folder_share_from_the_web_seed(
    server_args: list[str], tmp_path: Path
) -> None:
    folder = tmp_path / "Album"
    tree = {"cover.jpg": os.urandom(3_000_000), "raw/one.bin": os.urandom(70_000), "empty.txt": b""}
    for name, data in tree.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    link = _share(folder, server_args)
    torrent = httpx.get(link + ".torrent", timeout=30)
    assert torrent.status_code == 200
    done = _aria2c(torrent.content, tmp_path / "got")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _digests(tmp_path / "got" / "Album") == _digests(folder)


def test_aria2c_downloads_a_password_share_only_through_the_signed_seed(
    server_args: list[str], tmp_path: Path
) -> None:
    data = os.urandom(2_500_000)
    (tmp_path / "report.pdf").write_bytes(data)
    (tmp_path / "pw").write_text("open sesame\n")
    link = _share(tmp_path / "report.pdf", server_args, "--password-file", str(tmp_path / "pw"))
    browser = httpx.Client(timeout=30)
    assert browser.get(link + ".torrent").status_code == 401
    browser.post(link, data={"password": "open sesame"})
    torrent = browser.get(link + ".torrent")
    assert torrent.status_code == 200
    done = _aria2c(torrent.content, tmp_path / "got")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "got" / "report.pdf").read_bytes() == data
    unsigned = torf.Torrent.read_stream(io.BytesIO(torrent.content))
    unsigned.webseeds = [link + "/seed/none/report.pdf"]
    refused = _aria2c(unsigned.dump(), tmp_path / "refused")
    assert refused.returncode != 0
    kept = tmp_path / "refused" / "report.pdf"  # aria2c may create the file before any byte
    assert not kept.is_file() or data[:4096] not in kept.read_bytes()


def test_libtorrent_downloads_file_and_folder_shares_from_the_web_seed(
    server_args: list[str], tmp_path: Path
) -> None:
    pytest.importorskip("libtorrent")
    folder = tmp_path / "Trip"
    tree = {"day1.jpg": os.urandom(1_700_000), "notes/plan.txt": os.urandom(5_000)}
    for name, data in tree.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (tmp_path / "single.bin").write_bytes(os.urandom(900_000))
    for shared, got in ((folder, "Trip"), (tmp_path / "single.bin", "single.bin")):
        link = _share(shared, server_args)
        torrent = httpx.get(link + ".torrent", timeout=30)
        assert torrent.status_code == 200
        libtorrent_download(torrent.content, tmp_path / "lt")
        if shared.is_dir():
            assert _digests(tmp_path / "lt" / got) == _digests(shared)
        else:
            assert (tmp_path / "lt" / got).read_bytes() == shared.read_bytes()
