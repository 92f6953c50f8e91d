"""`syncoxide files` against a real `syncoxide serve`: the catalog from the command line.

The CLI is signed in the way a user's shell is after `syncoxide login` or in CI: through
SYNCOXIDE_SERVER / SYNCOXIDE_TOKEN, with a config dir of its own so nothing else leaks in.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, account_token
from tests.fakes.fake_gdrive import FakeDrive
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.servers import (
    ACCESS_KEY,
    DAV_PASSWORD,
    DAV_USER,
    SECRET_KEY,
    S3Server,
    WebDavServer,
    s3_client,
)

STORAGE = "/api/v1/storage"
_ACCOUNTS = itertools.count(1)


class Shell:
    """One signed-in user: the CLI in a fresh process, and the storage API to make files."""

    def __init__(self, server: LiveServer, token: str, config_dir: Path) -> None:
        self.server, self.token = server, token
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCOXIDE_")}
        self.env = {
            **env,
            "SYNCOXIDE_CONFIG_DIR": str(config_dir),
            "SYNCOXIDE_SERVER": server.url,
            "SYNCOXIDE_TOKEN": token,
        }
        self.api = httpx2.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def files(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "syncoxide.cli.main", "files", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def json(self, *args: str) -> Any:
        done = self.files(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def upload(self, path: str, data: bytes) -> None:
        put = self.api.put(f"{STORAGE}/content", params={"path": path}, content=data)
        assert put.status_code == 200, put.text

    def delete(self, path: str) -> None:
        assert self.api.delete(STORAGE, params={"path": path}).status_code == 204

    def content(self, path: str) -> bytes:
        return self.api.get(f"{STORAGE}/content", params={"path": path}).content


@pytest.fixture
def shell(live_server: LiveServer, tmp_path: Path) -> Shell:
    name = f"filer{next(_ACCOUNTS)}"  # one account per test: each starts with an empty catalog
    return Shell(live_server, account_token(live_server, name, tmp_path), tmp_path / "config")


def _paths(answer: dict[str, Any]) -> list[str]:
    return [entry["location"] for entry in answer["entries"]]


def test_upload_list_search_star_trash_restore_and_versions(shell: Shell) -> None:
    shell.upload("trip/plan.txt", b"first plan")
    shell.upload("trip/plan.txt", b"second plan")
    shell.upload("notes.md", b"# notes")

    assert _paths(shell.json("ls")) == ["home:notes.md", "home:trip"]
    assert _paths(shell.json("ls", "home:trip")) == ["home:trip/plan.txt"]
    assert _paths(shell.json("ls", "home:trip", "--refresh")) == ["home:trip/plan.txt"]
    assert _paths(shell.json("search", "plan", "in:home")) == ["home:trip/plan.txt"]
    text = shell.files("ls", "home:trip")
    assert text.returncode == 0 and "home:trip/plan.txt" in text.stdout

    starred = shell.files("star", "home:trip/plan.txt")
    assert starred.returncode == 0 and "Starred home:trip/plan.txt" in starred.stdout
    assert _paths(shell.json("starred")) == ["home:trip/plan.txt"]
    assert "home:trip/plan.txt" in _paths(shell.json("recent"))

    shell.delete("trip/plan.txt")
    assert _paths(shell.json("search", "plan")) == []
    [item] = shell.json("trash")["items"]
    assert item["path"] == "trip/plan.txt"
    assert str(item["id"]) in shell.files("trash").stdout
    assert shell.json("restore", str(item["id"])) == {"path": "trip/plan.txt", "kind": "file"}
    assert shell.content("trip/plan.txt") == b"second plan"
    assert _paths(shell.json("starred")) == ["home:trip/plan.txt"]  # the star came back too

    [old] = shell.json("versions", "home:trip/plan.txt")["items"]
    assert f"{old['id']}" in shell.files("versions", "home:trip/plan.txt").stdout
    assert old["size"] == len(b"first plan")
    back = shell.files("versions", "home:trip/plan.txt", "--restore", str(old["id"]))
    assert back.returncode == 0 and "Restored home:trip/plan.txt" in back.stdout
    assert shell.content("trip/plan.txt") == b"first plan"

    unstarred = shell.files("unstar", "home:trip/plan.txt")
    assert unstarred.returncode == 0 and shell.json("starred")["entries"] == []


def test_stats_and_duplicates(shell: Shell) -> None:
    shell.upload("a/same.bin", b"same bytes")
    shell.upload("b/same copy.bin", b"same bytes")
    shell.upload("big.iso", b"x" * 5000)

    stats = shell.json("stats")
    assert stats["largest"][0]["location"] == "home:big.iso"
    assert sum(row["bytes"] for row in stats["usage"]) == 5020
    assert "home:big.iso" in shell.files("stats").stdout

    [group] = shell.json("dupes")["groups"]
    assert sorted(e["location"] for e in group) == ["home:a/same.bin", "home:b/same copy.bin"]
    shown = shell.files("dupes").stdout
    assert "home:a/same.bin" in shown and "home:b/same copy.bin" in shown


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("ls", "home:../etc"), "not a plain path"),
        (("star", "home:a/../../b"), "not a plain path"),
        (("versions", "home:../x"), "not a plain path"),
        (("ls", "nowhere:photos"), "no provider named 'nowhere'"),
        (("star", "nowhere:a.txt"), "no provider named 'nowhere'"),
        (("ls", "photos"), "names no provider"),
        (("versions", "s3:a.txt"), "You have no provider named 's3'"),
        (("restore", "1", "--to", "home:../a"), "not a plain path"),
        (("restore", "not-a-number"), "must be an id"),
        (("search", "x", "--limit", "0"), "from 1 to 1000"),
        (("star", "home:nothing-here.txt"), "not in the index"),
        (("trash", "--limit", "5"), "unrecognized arguments"),  # the trash is not paged
    ],
)
def test_bad_input_is_refused_with_exit_code_2(
    shell: Shell, args: tuple[str, ...], said: str
) -> None:
    done = shell.files(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_search_text_with_fts_operators_and_quotes_is_just_text(shell: Shell) -> None:
    shell.upload('odd "quoted" AND name.txt', b"odd")
    for query in ('"', "AND OR NOT", "NEAR(", "*"):
        done = shell.files("search", query, "--json")
        assert done.returncode == 0, done.stderr
        assert isinstance(json.loads(done.stdout)["entries"], list)


def test_a_connected_provider_is_listed_searched_and_starred_by_its_name(
    shell: Shell,
    wsgidav_server: WebDavServer,
) -> None:
    folder = wsgidav_server.root / "files-cli"
    folder.mkdir(exist_ok=True)
    (folder / "report.pdf").write_bytes(b"%PDF same bytes")
    options = {
        "url": f"{wsgidav_server.url}/files-cli",
        "username": DAV_USER,
        "password": DAV_PASSWORD,
    }
    made = shell.api.post(
        "/api/v1/connections", json={"name": "nas", "kind": "webdav", "options": options}
    )
    assert made.status_code == 201, made.text

    assert _paths(shell.json("ls", "nas:", "--refresh")) == ["nas:report.pdf"]
    assert _paths(shell.json("search", "report", "in:nas")) == ["nas:report.pdf"]
    assert shell.files("star", "nas:report.pdf").returncode == 0
    assert _paths(shell.json("starred")) == ["nas:report.pdf"]
    wrong = shell.files("ls", "nass:")
    assert wrong.returncode == 2 and "home:, nas:" in wrong.stderr


def test_versions_an_s3_bucket_keeps_are_listed_and_restored(
    shell: Shell,
    moto_s3: S3Server,
) -> None:
    bucket = f"cli-versions-{next(_ACCOUNTS)}"
    client = _moto_client(moto_s3)
    asyncio.run(client("create_bucket", Bucket=bucket))
    asyncio.run(client("put_bucket_versioning", Bucket=bucket,
                       VersioningConfiguration={"Status": "Enabled"}))  # fmt: skip
    for body in (b"first", b"second!"):
        asyncio.run(client("put_object", Bucket=bucket, Key="plan.txt", Body=body))
    options = {"endpoint": moto_s3.endpoint, "bucket": bucket, "access_key_id": ACCESS_KEY,
               "secret_access_key": SECRET_KEY, "region": "us-east-1"}  # fmt: skip
    made = shell.api.post(
        "/api/v1/connections", json={"name": "bucket", "kind": "s3", "options": options}
    )
    assert made.status_code == 201, made.text

    listed = shell.json("versions", "bucket:plan.txt")["versions"]
    assert [(v["size"], v["current"]) for v in listed] == [(7, True), (5, False)]
    shown = shell.files("versions", "bucket:plan.txt")
    assert shown.returncode == 0 and "(current)" in shown.stdout
    done = shell.files("versions", "bucket:plan.txt", "--restore", listed[-1]["version_id"])
    assert done.returncode == 0, done.stderr
    assert "Restored bucket:plan.txt (5 B)" in done.stdout
    read = asyncio.run(client("get_object", Bucket=bucket, Key="plan.txt"))
    assert read == b"first"
    wrong = shell.files("versions", "home:plan.txt", "--restore", "abc")
    assert wrong.returncode == 2 and "--restore 'abc'" in wrong.stderr


def test_revisions_google_drive_keeps_are_listed_and_restored(
    shell: Shell, fake_drive: tuple[FakeDrive, str]
) -> None:
    fake, url = fake_drive
    folder = fake.store.create({"name": f"cli-revisions-{next(_ACCOUNTS)}",
                                "mimeType": "application/vnd.google-apps.folder"})  # fmt: skip
    made = fake.store.create({"name": "plan.txt", "parents": [folder.id]}, b"first")
    fake.store.update(made, {}, b"second!")
    options = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token":
               REFRESH_TOKEN, "token_url": f"{url}/token", "api_url": url,
               "root_folder_id": folder.id}  # fmt: skip
    connected = shell.api.post(
        "/api/v1/connections", json={"name": "drive", "kind": "gdrive", "options": options}
    )
    assert connected.status_code == 201, connected.text

    listed = shell.json("versions", "drive:plan.txt")["versions"]
    assert [(v["size"], v["current"]) for v in listed] == [(7, True), (5, False)]
    done = shell.files("versions", "drive:plan.txt", "--restore", listed[-1]["version_id"])
    assert done.returncode == 0, done.stderr
    assert "Restored drive:plan.txt (5 B)" in done.stdout
    assert made.content == b"first"
    assert [len(r.content) for r in made.revisions] == [5, 7, 5]  # the head it replaced is kept
    unknown = shell.files("versions", "drive:plan.txt", "--restore", "no-such-revision")
    assert unknown.returncode == 2 and "keeps no version" in unknown.stderr
    assert made.content == b"first"


def _moto_client(s3: S3Server) -> Any:
    """One S3 call on moto per use (each in its own event loop), reading a body if one comes."""

    async def call(name: str, **arguments: Any) -> Any:
        async with s3_client(s3.endpoint) as client:
            answer = await getattr(client, name)(**arguments)
            return await answer["Body"].read() if "Body" in answer else answer

    return call
