"""The backup API against real borg: hosted repositories, keys, archives, downloads.

A repository is made through the API (the server runs ``borg init`` in the user's area), a
client backs up into it as a user's machine would, and the app's side then lists, browses and
downloads (one file, a folder as a zip) and everything is compared byte for byte.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository
from tests.server.backups.backups_world import (
    PASSPHRASE,
    back_up_from_a_client,
    backups_app,
    make_tree,
    other_client,
)

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")
ARCHIVE = "laptop-2026-12-06T10:00:00"


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with backups_app(tmp_path / "data", ("alice", "bob")) as signed_in:
        yield signed_in


def test_a_hosted_repository_round_trips_through_the_app(
    client: TestClient, tmp_path: Path
) -> None:
    made = client.post(
        "/api/v1/backups/repositories", json={"name": "laptop", "passphrase": PASSPHRASE}
    )
    assert made.status_code == 201, made.text
    repository = made.json()
    assert repository["passphrase_kept"] and repository["encryption"] == "repokey-blake2"
    area = Path(client.get("/api/v1/backups/hosting").json()["area"])
    assert repository["settings"]["repository_url"].endswith(f"{area}/laptop")
    assert "borg init --encryption repokey-blake2 ssh://" in repository["settings"]["borg_init"]
    tree = make_tree(tmp_path / "machine")
    back_up_from_a_client(area, "laptop", tmp_path / "machine", ARCHIVE)

    base = f"/api/v1/backups/repositories/{repository['id']}"
    archives = client.get(f"{base}/archives").json()
    assert [a["name"] for a in archives["archives"]] == [ARCHIVE]
    top = client.get(f"{base}/archives/{ARCHIVE}/entries").json()["entries"]
    assert [(e["name"], e["kind"]) for e in top] == [("docs", "dir")]
    folder = client.get(f"{base}/archives/{ARCHIVE}/entries", params={"path": "docs/sub1"})
    names = {e["name"] for e in folder.json()["entries"]}
    assert names == {p.rsplit("/", 1)[1] for p in tree if p.startswith("docs/sub1/")}

    one = "docs/sub2/f5.bin"
    got = client.get(f"{base}/archives/{ARCHIVE}/file", params={"path": one})
    assert got.status_code == 200 and got.content == tree[one]
    assert got.headers["content-length"] == str(len(tree[one]))
    assert 'filename="f5.bin"' in got.headers["content-disposition"]

    zipped = client.get(f"{base}/archives/{ARCHIVE}/zip", params={"path": "docs"})
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    assert archive.testzip() is None
    read = {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
    assert read == tree
    assert "docs/sub0/" in archive.namelist()


def test_wrong_input_gets_clear_errors_and_changes_nothing(client: TestClient) -> None:
    repositories = "/api/v1/backups/repositories"
    short = client.post(repositories, json={"name": "x", "passphrase": "short"})
    assert short.status_code == 400 and "at least 8" in short.json()["message"]
    bad_name = client.post(repositories, json={"name": "../etc", "passphrase": PASSPHRASE})
    assert bad_name.status_code == 400
    made = client.post(repositories, json={"name": "r", "passphrase": PASSPHRASE}).json()
    again = client.post(repositories, json={"name": "r", "passphrase": PASSPHRASE})
    assert again.status_code == 409
    wrong = client.put(f"{repositories}/{made['id']}/passphrase", json={"passphrase": "not it!!"})
    assert wrong.status_code == 422 and "passphrase does not open" in wrong.json()["message"]
    forgot = client.delete(f"{repositories}/{made['id']}/passphrase").json()
    assert forgot["passphrase_kept"] is False
    listing = client.get(f"{repositories}/{made['id']}/archives")
    assert listing.status_code == 400 and listing.json()["error"] == "passphrase_not_kept"
    kept = client.put(f"{repositories}/{made['id']}/passphrase", json={"passphrase": PASSPHRASE})
    assert kept.status_code == 200 and kept.json()["passphrase_kept"]
    empty = client.get(f"{repositories}/{made['id']}/archives").json()
    assert empty["archives"] == []
    missing = client.get(f"{repositories}/{made['id']}/archives/nope-2026/entries")
    assert missing.status_code == 404
    assert client.get(f"{repositories}/999/archives").status_code == 404


def test_registering_a_repository_made_over_ssh_checks_its_passphrase(
    client: TestClient, tmp_path: Path
) -> None:
    area = Path(client.get("/api/v1/backups/hosting").json()["area"])
    assert area.is_dir()  # made on first use of hosting, with no key yet: borg init needs it
    settings = BorgSettings(PASSPHRASE, base_dir=tmp_path / "client-borg")
    asyncio.run(BorgRepository(str(area / "phone"), settings).init())
    body = {"name": "phone", "create": False}
    wrong = client.post("/api/v1/backups/repositories", json={**body, "passphrase": "wrong one!"})
    assert wrong.status_code == 422
    kept = client.post("/api/v1/backups/repositories", json={**body, "passphrase": PASSPHRASE})
    assert kept.status_code == 201 and kept.json()["passphrase_kept"]
    unknown = client.post(
        "/api/v1/backups/repositories",
        json={"name": "ghost", "create": False, "keep_passphrase": False},
    )
    assert unknown.status_code == 404


def test_each_user_sees_only_their_own(client: TestClient, tmp_path: Path) -> None:
    made = client.post(
        "/api/v1/backups/repositories", json={"name": "mine", "passphrase": PASSPHRASE}
    ).json()
    bob = other_client(client, "bob")
    assert bob.get("/api/v1/backups/repositories").json()["repositories"] == []
    base = f"/api/v1/backups/repositories/{made['id']}"
    tries = [("GET", f"{base}/archives"), ("DELETE", base), ("PUT", f"{base}/passphrase"),
             ("GET", f"{base}/archives/a/zip")]  # fmt: skip
    for method, url in tries:
        answer = bob.request(method, url, json={"passphrase": PASSPHRASE})
        assert answer.status_code == 404, (method, url, answer.text)
    alice_area = client.get("/api/v1/backups/hosting").json()["area"]
    bob_area = bob.get("/api/v1/backups/hosting").json()["area"]
    assert alice_area != bob_area and Path(bob_area).name.startswith("user-")
    same_name = bob.post(
        "/api/v1/backups/repositories", json={"name": "mine", "passphrase": PASSPHRASE}
    )
    assert same_name.status_code == 201  # names are per user, repositories per area


def test_keys_become_forced_command_lines_in_authorized_keys(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    authorized = tmp_path / "backup-account" / "authorized_keys"
    (data / "settings.toml").write_text(
        f'[backups]\nauthorized_keys = "{authorized}"\nssh_host = "backup.example"\n'
        'ssh_port = 2222\nssh_login = "borg"\n'
    )
    key = _public_key(tmp_path, "laptop")
    with backups_app(data, ("alice", "bob")) as client:
        hosting = client.get("/api/v1/backups/hosting").json()
        assert hosting["ssh_ready"] and hosting["ssh_port"] == 2222
        example = hosting["settings"]  # what to type for a repository not made yet
        assert example["repository_url"] == f"ssh://borg@backup.example:2222{hosting['area']}/NAME"
        assert example["borg_init"].startswith("borg init --encryption repokey-blake2 ssh://")
        added = client.post(
            "/api/v1/backups/keys", json={"public_key": key, "append_only": True, "quota": "5G"}
        )
        assert added.status_code == 201, added.text
        assert added.json()["label"] == "laptop@test"
        line = authorized.read_text()
        assert f"borg serve --restrict-to-path {hosting['area']} --append-only" in line
        assert "--storage-quota 5G" in line and key.split()[1] in line
        taken = other_client(client, "bob").post("/api/v1/backups/keys", json={"public_key": key})
        assert taken.status_code == 409
        bad = client.post("/api/v1/backups/keys", json={"public_key": "ssh-ed25519 AAAA"})
        assert bad.status_code == 400
        bad_quota = client.post("/api/v1/backups/keys", json={"public_key": key, "quota": "lots"})
        assert bad_quota.status_code == 400
        repo = client.post(
            "/api/v1/backups/repositories", json={"name": "r", "passphrase": PASSPHRASE}
        )
        url = repo.json()["settings"]["repository_url"]
        assert url == f"ssh://borg@backup.example:2222{hosting['area']}/r"
        other = other_client(client, "bob")
        assert other.delete(f"/api/v1/backups/keys/{added.json()['id']}").status_code == 404
        assert client.delete(f"/api/v1/backups/keys/{added.json()['id']}").status_code == 204
        assert authorized.read_text() == ""


def _public_key(folder: Path, name: str) -> str:
    import subprocess

    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test",
                    "-f", str(path)], check=True)  # fmt: skip
    return (folder / f"{name}.pub").read_text()


def test_a_key_makes_its_owners_area_even_with_no_ssh_account_set(
    client: TestClient, tmp_path: Path
) -> None:
    root = tmp_path / "data" / "backups"
    assert not list(root.glob("user-*"))
    key = _public_key(tmp_path, "desk")
    assert client.post("/api/v1/backups/keys", json={"public_key": key}).status_code == 201
    made = list(root.glob("user-*"))
    assert len(made) == 1 and made[0].is_dir()
    assert client.get("/api/v1/backups/hosting").json()["area"] == str(made[0])
