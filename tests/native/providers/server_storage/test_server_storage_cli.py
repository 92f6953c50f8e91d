"""``syncoxide remote add home server`` and ``syncoxide sync ./photos home:photos`` end to end,
against a live syncoxide server on loopback, with the token saved the way `syncoxide login` does."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.native.providers.server_storage.live_syncoxide import LiveAccounts, live_accounts
from tests.native.providers.test_remotes import cli

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAccounts]:
    with live_accounts(tmp_path_factory.mktemp("cli-storage") / "data", "carol") as accounts:
        yield accounts


def _logged_in(config: Path, live: LiveAccounts) -> None:
    """What `syncoxide login --server URL` leaves behind (the browser step is tested elsewhere)."""
    config.mkdir()
    saved = {"default": live.url, "servers": {live.url: live.tokens["carol"]}}
    (config / "credentials.json").write_text(json.dumps(saved))


def _stored(live: LiveAccounts, folder: str) -> dict[str, str]:
    reply = httpx2.get(
        f"{live.url}/api/v1/storage",
        params={"path": folder, "recursive": "true"},
        headers={"Authorization": f"Bearer {live.tokens['carol']}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return {e["path"]: e["sha1"] for e in reply.json()["entries"] if e["kind"] == "file"}


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def test_sync_a_folder_into_your_server_storage(tmp_path: Path, live: LiveAccounts) -> None:
    config = tmp_path / "config"
    _logged_in(config, live)
    photos = tmp_path / "photos"
    (photos / "2024").mkdir(parents=True)
    big = os.urandom(9 << 20)  # over the one-request size: goes through tus
    (photos / "2024" / "big.raw").write_bytes(big)
    (photos / "a.jpg").write_bytes(b"jpeg bytes")

    added = cli(config, "remote", "add", "home", "server")
    assert added.returncode == 0, added.stderr
    listed = cli(config, "remote", "list")
    assert (
        f"home: server url={live.url}" in listed.stdout
        and live.tokens["carol"] not in listed.stdout
    )

    state = ["--state-dir", str(tmp_path / "state")]
    first = cli(config, "sync", str(photos), "home:photos", "--mode", "copy", *state)
    assert first.returncode == 0, first.stdout + first.stderr
    assert _stored(live, "photos") == {
        "photos/2024/big.raw": _sha1(big),
        "photos/a.jpg": _sha1(b"jpeg bytes"),
    }

    (photos / "a.jpg").write_bytes(b"edited jpeg")
    second = cli(config, "sync", str(photos), "home:photos", "--mode", "copy", *state, "--json")
    assert second.returncode == 0, second.stdout + second.stderr
    assert _stored(live, "photos")["photos/a.jpg"] == _sha1(b"edited jpeg")

    back = tmp_path / "back"
    back.mkdir()
    pulled = cli(config, "sync", "home:photos", str(back), "--mode", "copy", *state)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert (back / "2024" / "big.raw").read_bytes() == big
    assert list((live.server.data_dir / "uploads").iterdir()) == [], "no upload left open"


def test_remote_with_explicit_url_and_a_wrong_token_says_so(
    tmp_path: Path, live: LiveAccounts
) -> None:
    config = tmp_path / "config"
    added = cli(config, "remote", "add", "away", "server", f"url={live.url}", "token=sxo_wrong")
    assert added.returncode == 0, added.stderr
    assert "sxo_wrong" not in (config / "remotes.json").read_text(), "the token is sealed"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"x")
    state = ["--state-dir", str(tmp_path / "state")]
    run = cli(config, "sync", str(tmp_path / "src"), "away:f", "--mode", "copy", *state)
    assert run.returncode != 0
    assert "refused the token" in run.stderr


def test_adding_without_a_login_explains_what_to_do(tmp_path: Path) -> None:
    added = cli(tmp_path / "config", "remote", "add", "home", "server")
    assert added.returncode != 0
    assert "syncoxide login" in added.stderr
    assert not (tmp_path / "config" / "remotes.json").exists()
