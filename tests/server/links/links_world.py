"""A server with a settable clock, a signed-in owner and a tus upload step, for link tests."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.services import embedded_services
from tests.server.signin import add_user, sign_in

ROOT = Path(__file__).resolve().parents[3]
TUS = {"Tus-Resumable": "1.0.0"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


@dataclass
class LinksWorld:
    app: Starlette
    clock: Clock
    owner: TestClient  # alice, signed in, CSRF header set

    def stranger(self, **headers: str) -> TestClient:
        return TestClient(self.app, headers=headers)


def make_world(tmp_path: Path) -> LinksWorld:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    config.data_dir.mkdir()
    clock = Clock()
    app = create_app(config, embedded_services(config, clock=clock))
    add_user(app, "alice")
    owner = TestClient(app)
    owner.headers["X-CSRF-Token"] = sign_in(owner, "alice")
    return LinksWorld(app, clock, owner)


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def tus_upload(
    client: TestClient, base: str, data: bytes, headers: dict[str, str] | None = None, **meta: str
) -> int:
    """Create and fill one upload in two PATCHes; the status of the last step."""
    extra = {**TUS, **(headers or {})}
    created = client.post(
        base,
        headers={**extra, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(**meta)},
    )
    if created.status_code != 201:
        return created.status_code
    location, half = created.headers["location"], len(data) // 2
    for offset, chunk in ((0, data[:half]), (half, data[half:])):
        patched = client.patch(
            location,
            content=chunk,
            headers={
                **extra,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if patched.status_code != 204:
            return patched.status_code
    return 204


def share_with(world: LinksWorld, files: dict[str, bytes], **options: object) -> dict[str, object]:
    """Share ``files`` (relative path -> bytes); the share as its owner sees it."""
    made = world.owner.post("/api/v1/shares", json={"title": "Holiday", **options})
    assert made.status_code == 201, made.text
    share_id = made.json()["id"]
    for path, data in files.items():
        assert tus_upload(world.owner, "/api/v1/uploads/", data, share=share_id, path=path) == 204
    described = world.owner.get(f"/api/v1/shares/{share_id}")
    assert described.status_code == 200, described.text
    answer: dict[str, object] = described.json()
    return answer
