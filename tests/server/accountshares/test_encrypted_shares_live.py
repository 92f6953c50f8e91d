"""End-to-end encrypted shares between accounts, through the CLI against a real ``syncoxide
serve``: keys made on each side, a folder sealed by the owner, carried by the server's share
sync as ciphertext, opened by the recipient; the storage holds no plaintext and no share key;
wrong passphrases, tampering, revocation and a third account all fail clearly."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from syncoxide.crypto.account_key import unlock_account_key
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_folder import open_keys
from syncoxide.crypto.share_grant import GRANT_SIZE, KEYRING_NAME, parse_keyring
from syncoxide.native.crypto.backend import CryptographyBackend
from tests.conftest import LiveServer, account_token, run_cli, start_live_server
from tests.servers import DAV_PASSWORD, DAV_USER, WebDavServer

pytestmark = pytest.mark.live  # starts a real server

SECRET = b"the budget is 1,234,567 and nobody else may read it\n"
LATER = b"written after carol was removed from the share\n"
NAMES = (b"budget-plan.txt", b"quarterly-notes.md")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("e2e-shares")
    server = start_live_server(folder / "data")
    try:
        yield server
    finally:
        server.stop()


class Account:
    def __init__(self, live: LiveServer, name: str, scratch: Path) -> None:
        self.name = name
        self.live = live
        self.login = ("--server", live.url, "--token", account_token(live, name, scratch))
        self.passphrase = scratch / f"{name}-passphrase"
        self.passphrase.write_text(f"{name}'s long passphrase\n")

    def cli(self, *args: str | Path, passphrase: Path | None = None) -> Any:
        given = ("--passphrase-file", str(passphrase or self.passphrase))
        needs = args[0] in ("keys", "share") or args[1] in ("ls", "get", "cat", "put", "revoke")
        return run_cli(*args, *(given if needs and args[1] != "show" else ()), *self.login)

    def api(self) -> httpx2.Client:
        return httpx2.Client(
            base_url=self.live.url, headers={"Authorization": f"Bearer {self.login[3]}"}
        )

    def stored(self, folder: str) -> dict[str, bytes]:
        with self.api() as api:
            listed = api.get("/api/v1/storage", params={"path": folder, "recursive": "true"})
            if listed.status_code == 404:
                return {}
            found = {}
            for entry in listed.json()["entries"]:
                if entry["kind"] == "file":
                    got = api.get("/api/v1/storage/content", params={"path": entry["path"]})
                    found[entry["path"]] = got.content
            return found

    def put(self, path: str, content: bytes) -> None:
        with self.api() as api:
            put = api.put("/api/v1/storage/content", params={"path": path}, content=content)
            assert put.status_code == 200, put.text


def _wait_for(account: Account, folder: str, count: int) -> dict[str, bytes]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = account.stored(folder)
        if len(found) >= count:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{folder} of {account.name} holds {sorted(account.stored(folder))}")


def _share_key(owner: Account, folder: str) -> list[bytes]:
    """Every share key of the folder, unwrapped the way only the owner can: for the scan."""
    backend = CryptographyBackend()
    with owner.api() as api:
        mine = api.get("/api/v1/account-key").json()
    public, vault = base64.b64decode(mine["public_key"]), base64.b64decode(mine["vault"])
    passphrase = SecretBytes(owner.passphrase.read_text().splitlines()[0].encode())
    grants = parse_keyring(owner.stored(folder)[f"{folder}/{KEYRING_NAME}"])

    async def unwrap() -> list[bytes]:
        private = await unlock_account_key(backend, public, vault, passphrase)
        keys = await open_keys(backend, grants, my_private=private, owner_public=public)
        return [key.reveal() for key in keys.keys.values()]

    return asyncio.run(unwrap())


@pytest.fixture(scope="module")
def people(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Account]:
    scratch = tmp_path_factory.mktemp("people")
    found = {name: Account(live, name, scratch) for name in ("ann", "ben", "cid", "dee")}
    for name in ("ann", "ben", "cid"):
        made = found[name].cli("keys", "create")
        assert made.returncode == 0, made.stderr
        assert "fingerprint" in made.stdout
    return found


@pytest.fixture(autouse=True)
def _own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCOXIDE_CONFIG_DIR", str(tmp_path / "config"))


def _local_folder(tmp_path: Path) -> Path:
    local = tmp_path / "proj"
    (local / "notes").mkdir(parents=True)
    (local / NAMES[0].decode()).write_bytes(SECRET)
    (local / "notes" / NAMES[1].decode()).write_bytes(SECRET * 3000)  # several chunks
    return local


def _share_id(account: Account, role: str, *, first: bool = False) -> int:
    listed = json.loads(account.cli("shares", "list", "--json").stdout)["shares"]
    return int([s for s in listed if s["role"] == role][0 if first else -1]["id"])


def test_an_encrypted_share_travels_as_ciphertext_and_opens_for_the_recipient(
    people: dict[str, Account], live: LiveServer, tmp_path: Path
) -> None:
    ann, ben, dee = people["ann"], people["ben"], people["dee"]
    local = _local_folder(tmp_path)
    shared = ann.cli("share", "--to", "ben", "--encrypt", local, "--place", "home:proj")
    assert shared.returncode == 0, shared.stderr
    bens_print = ben.cli("keys", "show").stdout.split("fingerprint ")[1].strip()
    assert f"ben's key fingerprint: {bens_print}" in shared.stdout

    share_id = _share_id(ben, "recipient")
    keys = json.loads(ben.cli("shares", "keys", str(share_id), "--json").stdout)
    assert keys["recipient"]["fingerprint"] == bens_print
    accepted = ben.cli("shares", "accept", str(share_id), "--place", "home:from-ann")
    assert accepted.returncode == 0, accepted.stderr
    _wait_for(ben, "from-ann", 3)  # the keyring and two sealed files

    listed = ben.cli("shares", "ls", str(share_id))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["budget-plan.txt", "notes/quarterly-notes.md"]
    as_json = json.loads(ben.cli("shares", "ls", str(share_id), "--json").stdout)["files"]
    assert [(f["path"], f["generation"]) for f in as_json] == [
        ("budget-plan.txt", 1),
        ("notes/quarterly-notes.md", 1),
    ]
    assert all(f["stored"].startswith("g1/") and "budget" not in f["stored"] for f in as_json)
    cat = run_cli(
        "shares", "cat", str(share_id), "budget-plan.txt",
        "--passphrase-file", ben.passphrase, *ben.login,
    )  # fmt: skip
    assert cat.returncode == 0 and cat.stdout.encode() == SECRET, cat.stderr
    got = ben.cli("shares", "get", str(share_id), tmp_path / "out")
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "out" / "notes" / NAMES[1].decode()).read_bytes() == SECRET * 3000

    # What the server holds: ciphertext under encrypted names, and no share key.
    share_keys = _share_key(ann, "proj")
    leaks = [SECRET[:24], *NAMES, b"quarterly", *share_keys]
    for leak in (*leaks, base64.b64encode(share_keys[0])):
        hits = [p for p in live.data_dir.rglob("*") if p.is_file() and leak in p.read_bytes()]
        assert hits == [], f"{leak!r} found in {hits}"

    # A third account sees nothing of it.
    with dee.api() as api:
        assert api.get(f"/api/v1/account-shares/{share_id}/keys").status_code == 404
        assert api.get(f"/api/v1/account-shares/{share_id}").status_code == 404
        assert api.get("/api/v1/account-key").status_code == 404  # dee has none; not ann's
    stranger = dee.cli("shares", "cat", str(share_id), "budget-plan.txt")
    assert stranger.returncode == 2 and "no share" in stranger.stderr


def test_wrong_passphrase_and_tampering_are_refused_and_write_nothing(
    people: dict[str, Account], tmp_path: Path
) -> None:
    ann, ben = people["ann"], people["ben"]
    share_id = _share_id(ben, "recipient")
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    refused = ben.cli("shares", "ls", str(share_id), passphrase=wrong)
    assert refused.returncode != 0 and "password is wrong" in refused.stderr

    stored = ben.stored("from-ann")
    [sealed_path] = [p for p, data in stored.items() if len(data) < 400 and "keyring" not in p]
    flipped = bytearray(stored[sealed_path])
    flipped[-5] ^= 1
    ben.put(sealed_path, bytes(flipped))
    out = tmp_path / "tampered"
    tampered = ben.cli("shares", "get", str(share_id), out)
    assert tampered.returncode != 0 and "failed authentication" in tampered.stderr
    assert not (out / "budget-plan.txt").exists()
    ben.put(sealed_path, stored[sealed_path])

    keyring = f"from-ann/{KEYRING_NAME}"
    damaged = bytearray(stored[keyring])
    for start in range(0, len(damaged), GRANT_SIZE):
        damaged[start + 100] ^= 1  # inside each grant's wrapped key
    ben.put(keyring, bytes(damaged))
    refused_ring = ben.cli("shares", "ls", str(share_id))
    assert refused_ring.returncode != 0 and "failed authentication" in refused_ring.stderr
    ben.put(keyring, stored[keyring])
    assert ben.cli("shares", "ls", str(share_id)).returncode == 0

    nokey = ann.cli("share", "--to", "dee", "--encrypt", _local_folder(tmp_path))
    assert nokey.returncode == 2 and "dee has no key for encrypted shares" in nokey.stderr


def test_a_copy_placed_in_a_provider_holds_only_ciphertext(
    people: dict[str, Account], tmp_path: Path, wsgidav_server: WebDavServer
) -> None:
    ann, ben = people["ann"], people["ben"]
    with ben.api() as api:
        options = {"url": wsgidav_server.url, "username": DAV_USER, "password": DAV_PASSWORD}
        made = api.post(
            "/api/v1/connections", json={"name": "nas", "kind": "webdav", "options": options}
        )
        assert made.status_code == 201, made.text
    again = ann.cli("share", "--to", "ben", "--encrypt", _local_folder(tmp_path), "--place",
                    "home:proj")  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = _share_id(ben, "recipient")
    accepted = ben.cli("shares", "accept", str(second), "--place", "nas:from-ann")
    assert accepted.returncode == 0, accepted.stderr
    copy = wsgidav_server.root / "from-ann"
    deadline = time.monotonic() + 60
    while len([p for p in copy.rglob("*") if p.is_file()]) < 3:
        assert time.monotonic() < deadline, f"nothing arrived in {copy}"
        time.sleep(0.3)
    for leak in (SECRET[:24], *NAMES, b"quarterly", *_share_key(ann, "proj")):
        hits = [p for p in copy.rglob("*") if p.is_file() and leak in p.read_bytes()]
        assert hits == [], f"{leak!r} found in {hits}"
    assert not any(b"budget" in p.name.encode() for p in copy.rglob("*"))
    elsewhere = ben.cli("shares", "ls", str(second))
    assert elsewhere.returncode == 2 and "in home: only" in elsewhere.stderr


def test_a_revoked_member_cannot_read_what_is_written_afterwards(
    people: dict[str, Account], tmp_path: Path
) -> None:
    ann, ben, cid = people["ann"], people["ben"], people["cid"]
    again = ann.cli("share", "--to", "cid", "--encrypt", _local_folder(tmp_path), "--place",
                    "home:proj")  # fmt: skip
    assert again.returncode == 0, again.stderr
    cids = _share_id(cid, "recipient")
    assert cid.cli("shares", "accept", str(cids), "--place", "home:ann").returncode == 0
    _wait_for(cid, "ann", 3)
    assert cid.cli("shares", "ls", str(cids)).stdout.split()[0] == "budget-plan.txt"

    revoked = ann.cli("shares", "revoke", str(_share_id(ann, "owner")))
    assert revoked.returncode == 0, revoked.stderr
    assert "generation 2" in revoked.stdout
    later = tmp_path / "later.txt"
    later.write_bytes(LATER)
    bens = _share_id(ben, "recipient", first=True)
    put = ann.cli("shares", "put", str(bens), later)
    assert put.returncode == 0, put.stderr

    # Ben, still a member, reads it once the server carried it over.
    deadline = time.monotonic() + 60
    while "later.txt" not in ben.cli("shares", "ls", str(bens)).stdout:
        assert time.monotonic() < deadline, "the new file never reached ben"
        run_cli("shares", "sync", str(bens), *ben.login)
        time.sleep(1)
    assert ben.cli("shares", "cat", str(bens), "later.txt").stdout.encode() == LATER

    # Ben may write too (read-write): sealed on his side, under the newest key, read by ann.
    reply = tmp_path / "reply.txt"
    reply.write_bytes(b"ben's answer, sealed on ben's device\n")
    assert ben.cli("shares", "put", str(bens), reply).returncode == 0
    owners = _share_id(ann, "owner", first=True)
    while "reply.txt" not in ann.cli("shares", "ls", str(owners)).stdout:
        assert time.monotonic() < deadline + 60, "ben's file never reached ann"
        run_cli("shares", "sync", str(bens), *ben.login)
        time.sleep(1)
    assert ann.cli("shares", "cat", str(owners), "reply.txt").stdout.encode() == reply.read_bytes()
    assert all(b"ben's answer" not in data for data in ann.stored("proj").values())

    # Cid gets the new keyring and ciphertext anyway (as a leaking server would give them).
    for path, data in ann.stored("proj").items():
        cid.put("ann/" + path.removeprefix("proj/"), data)
    listed = cid.cli("shares", "ls", str(cids))
    assert listed.returncode == 0 and "later.txt" not in listed.stdout, listed.stderr
    assert "budget-plan.txt" in listed.stdout  # what cid was given before stays theirs
    closed = cid.cli("shares", "cat", str(cids), "later.txt")
    assert closed.returncode != 0 and "no file 'later.txt'" in closed.stderr
    writes = cid.cli("shares", "put", str(cids), later)
    assert writes.returncode != 0 and "removed from this share" in writes.stderr
