"""``syncoxide share --to`` and ``syncoxide shares`` against a real ``syncoxide serve`` whose
mail goes to an SMTP server on loopback: invite by address, accept into a folder of one's
own, the server copies the files with no client running, revoke, and the refusals."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import LiveServer, account_token, run_cli, start_live_server
from tests.server.mail.smtp_world import Inbox, smtp_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Inbox]]:
    folder = tmp_path_factory.mktemp("shares-live")
    with smtp_server() as inbox:
        settings = folder / "settings.toml"
        settings.write_text(inbox.settings())
        live = start_live_server(folder / "data", env={"SYNCOXIDE_SETTINGS": str(settings)})
        try:
            yield live, inbox
        finally:
            live.stop()


def _login(live: LiveServer, name: str, scratch: Path) -> tuple[str, ...]:
    token = account_token(live, name, scratch)
    done = run_cli("user", "email", name, f"{name}@example.org", "--data-dir", live.data_dir)
    assert done.returncode == 0, done.stderr
    return ("--server", live.url, "--token", token)


def _storage(live: LiveServer, login: tuple[str, ...]) -> httpx2.Client:
    return httpx2.Client(base_url=live.url, headers={"Authorization": f"Bearer {login[3]}"})


def test_share_with_an_account_accept_and_the_files_arrive(
    server: tuple[LiveServer, Inbox], tmp_path: Path
) -> None:
    live, inbox = server
    alice, bob = _login(live, "ann", tmp_path), _login(live, "ben", tmp_path)
    with _storage(live, alice) as api:
        put = api.put("/api/v1/storage/content", params={"path": "proj/plan.txt"}, content=b"v1")
        assert put.status_code == 200, put.text

    invited = run_cli("share", "--to", "ben@example.org", "home:proj", *alice)
    assert invited.returncode == 0, invited.stderr
    assert "Invited ben to home:proj (read-write)" in invited.stdout
    mail = [m for m in inbox.wait(1) if m["To"] == "ben@example.org"]
    assert mail and mail[-1]["Subject"] == "ann shared 'proj' with you"

    [seen] = json.loads(run_cli("shares", "list", "--json", *bob).stdout)["shares"]
    assert (seen["role"], seen["owner"], seen["state"]) == ("recipient", "ann", "invited")
    accepted = run_cli("shares", "accept", str(seen["id"]), "--place", "home:from-ann", *bob)
    assert accepted.returncode == 0, accepted.stderr
    assert "from ann" in accepted.stdout and "accepted" in accepted.stdout

    with _storage(live, bob) as api:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            got = api.get("/api/v1/storage/content", params={"path": "from-ann/plan.txt"})
            if got.status_code == 200:
                break
            time.sleep(0.3)
        assert got.status_code == 200 and got.content == b"v1"

    revoked = run_cli("shares", "revoke", str(seen["id"]), *alice)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    listed = run_cli("shares", "list", *alice)
    assert f"{seen['id']:>5}  proj  to ben  read-write  revoked" in listed.stdout


def test_the_cli_refuses_bad_shares_clearly(
    server: tuple[LiveServer, Inbox], tmp_path: Path
) -> None:
    live, _ = server
    login = _login(live, "cat", tmp_path)
    _login(live, "dan", tmp_path)
    themself = run_cli("share", "--to", "cat", "home:x", *login)
    assert themself.returncode == 2 and "cannot share with yourself" in themself.stderr
    unknown = run_cli("share", "--to", "nobody", "home:x", *login)
    assert unknown.returncode == 2 and "No account here" in unknown.stderr
    local = run_cli("share", "--to", "dan", tmp_path, *login)
    assert local.returncode == 2 and "folder on this machine" in local.stderr
    mixed = run_cli("share", "--to", "dan", "--email", "d@example.org", "home:x", *login)
    assert mixed.returncode == 2 and "--email is for share links" in mixed.stderr
    made = json.loads(run_cli("share", "--to", "dan", "home:x", "--json", *login).stdout)
    run_cli("shares", "revoke", str(made["id"]), *login)
    dan = ("--server", live.url, "--token", account_token(live, "dan2", tmp_path))
    foreign = run_cli("shares", "accept", str(made["id"]), *dan)
    assert foreign.returncode == 2 and "no share" in foreign.stderr
    assert run_cli("shares", "accept", "zero", *dan).returncode == 2
