"""An embedded deployment filled through the server's own API, for the migration tests:
two users, a token, stored files (one over an S3 part, so it goes up in several parts),
a star, a share with an uploaded file, a connection, a sync rule and a backup repository."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx2

from tests.conftest import PROJECT_ROOT, LiveServer
from tests.server.links.links_world import metadata
from tests.servers import S3Server, s3_client

PASSWORD = "migrate me password"
TUS = {"Tus-Resumable": "1.0.0"}
BIG = bytes(range(251)) * (9 * 1024 * 1024 // 251)  # over one 8 MiB S3 part
FILES = {"trips/Été plage.txt": b"sun", "notes/plan.md": b"# plan\n" * 50, "big.bin": BIG}


@dataclass(frozen=True)
class Facts:
    """What the deployment holds, as the API showed it before the migration."""

    token: str
    share_id: str
    rule_id: int
    repository_id: int | None


def cli(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def add_users(data_dir: Path, folder: Path) -> None:
    (folder / "password").write_text(PASSWORD + "\n")
    for name in ("pia", "bob"):
        made = cli(data_dir, "user", "add", name, "--password-file", str(folder / "password"))
        assert made.returncode == 0, made.stderr


@contextmanager
def signed_in(server: LiveServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=60) as browser:
        signed = browser.post("/api/v1/session", json={"name": "pia", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        browser.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield browser


def fill(server: LiveServer, with_backups: bool) -> Facts:
    with signed_in(server) as pia:
        for path, body in FILES.items():
            stored = pia.put("/api/v1/storage/content", params={"path": path}, content=body)
            assert stored.status_code == 200, stored.text
        starred = pia.put("/api/v1/catalog/star", json={"location": "home:notes/plan.md",
                                                         "starred": True})  # fmt: skip
        assert starred.status_code in (200, 204), starred.text
        token = pia.post("/api/v1/tokens", json={"label": "after the move"})
        assert token.status_code == 201, token.text
        share_id = _share(server, pia)
        home = pia.post("/api/v1/connections", json={"name": "home", "kind": "home", "options": {}})
        assert home.status_code == 201, home.text
        rule = pia.post("/api/v1/rules", json={
            "name": "mirror", "source_id": home.json()["id"], "source_path": "notes",
            "dest_id": home.json()["id"], "dest_path": "copy", "mode": "copy", "enabled": False,
        })  # fmt: skip
        assert rule.status_code == 201, rule.text
        repository = None
        if with_backups:
            vault = {"name": "vault", "passphrase": "correct horse battery"}
            made = pia.post("/api/v1/backups/repositories", json=vault)
            assert made.status_code == 201, made.text
            repository = int(made.json()["id"])
    return Facts(token.json()["token"], share_id, int(rule.json()["id"]), repository)


def _share(server: LiveServer, pia: httpx2.Client) -> str:
    share = pia.post("/api/v1/shares", json={"title": "Beach"})
    assert share.status_code == 201, share.text
    made = pia.post(
        "/api/v1/uploads/",
        headers={**TUS, "Upload-Length": "5",
                 "Upload-Metadata": metadata(share=share.json()["id"], path="hello.txt")},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    patched = pia.patch(
        urljoin(server.url, made.headers["location"]),
        content=b"hello",
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert patched.status_code == 204, patched.text
    return str(share.json()["id"])


def read_back(server: LiveServer, facts: Facts) -> dict[str, Any]:
    """Everything the deployment shows through the API, for before/after comparison."""
    seen: dict[str, Any] = {}
    with signed_in(server) as pia:
        seen["me"] = pia.get("/api/v1/me").json()["user"]["name"]
        for path, body in FILES.items():
            got = pia.get("/api/v1/storage/content", params={"path": path})
            assert got.status_code == 200 and got.content == body, path
        listed = pia.get("/api/v1/storage", params={"recursive": "true"}).json()["entries"]
        seen["files"] = sorted((e["path"], e["kind"], e.get("size")) for e in listed)
        found = pia.get("/api/v1/catalog/search", params={"q": "plage"}).json()["entries"]
        seen["search"] = [e["path"] for e in found]
        starred = pia.get("/api/v1/catalog/starred").json()["entries"]
        seen["starred"] = [e["path"] for e in starred]
        described = pia.get(f"/api/v1/shares/{facts.share_id}").json()
        [shared] = described["files"]
        seen["shared"] = httpx2.get(urljoin(server.url, shared["download_url"])).content
        seen["rules"] = [(r["id"], r["name"]) for r in pia.get("/api/v1/rules").json()["rules"]]
        seen["repositories"] = [
            r["name"] for r in pia.get("/api/v1/backups/repositories").json()["repositories"]
        ]
    by_token = httpx2.get(f"{server.url}/api/v1/me",
                          headers={"Authorization": f"Bearer {facts.token}"})  # fmt: skip
    seen["token"] = by_token.json()["user"]["name"]
    return seen


async def put_object(server: S3Server, key: str, body: bytes = b"left behind") -> None:
    """An object written behind the migration's back, with a plain S3 client."""
    async with s3_client(server.endpoint) as s3:
        await s3.put_object(Bucket=server.bucket, Key=key, Body=body)
