"""A restart while a file waits to settle: a live ``syncoxide serve`` watching a WebDAV folder
(wsgidav, a real server) is killed with SIGKILL while two photos there wait to settle, one
whole already and one half written (finished while no server runs), and the restarted server
makes exactly one job for each, the second from the whole photo. What makes this hold is
the snapshot of what was seen (``automation_seen``), which records a file only once it was
handed to the queue, so the restarted poll finds the waiting files unrecorded; the photo that
changed meanwhile waits a window of its own (the whole one resumes its first window: its exact
timing is pinned by test_provider_settle_resume.py)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from PIL import Image

from tests.conftest import LiveServer, account_token, start_live_server
from tests.server.automation.provider_world import (
    DAV_USER,
    OwnDav,
    first_look,
    jpeg,
    own_dav,
    wait_for,
)

pytestmark = pytest.mark.live
POLL, QUIET = 0.3, 2.0


@pytest.fixture
def settings(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "settings.toml"
    path.write_text(f"[automation]\npoll_seconds = {POLL}\nquiet_seconds = {QUIET}\n")
    return {"SYNCOXIDE_SETTINGS": str(path)}


@pytest.fixture
def server(tmp_path: Path, settings: dict[str, str]) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path / "data", env=settings)
    yield live
    live.stop()


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as made:
        yield made


class Api:
    def __init__(self, server: LiveServer, token: str) -> None:
        self.client = httpx2.Client(base_url=f"{server.url}/api/v1", timeout=30,
                                    headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    def jobs(self) -> list[dict[str, Any]]:
        return list(self.client.get("/jobs").json()["jobs"])


def test_files_waiting_to_settle_when_the_server_is_killed_make_one_job_each_after_restart(
    server: LiveServer, dav: OwnDav, settings: dict[str, str], tmp_path: Path
) -> None:
    api = Api(server, account_token(server, "alice", tmp_path))
    options = {"url": dav.url, "username": DAV_USER, "password": dav.password}
    connected = api.client.post("/connections", json={"name": "nas", "kind": "webdav",
                                                      "options": options})  # fmt: skip
    assert connected.status_code == 201, connected.text
    camera = dav.root / "Camera"
    camera.mkdir()
    rule = {"name": "thumbs", "source_kind": "connection", "source": "nas:Camera",
            "match_types": ["image"], "output": "png", "target_folder": "out",
            "options": {"max_size": 100}}  # fmt: skip
    made = api.client.post("/automation/rules", json=rule)
    assert made.status_code == 201, made.text
    wait_for(lambda: first_look(api.client.get("/automation/rules").json(), made.json()["id"]))

    data = jpeg((800, 600), (200, 40, 40))
    (camera / "whole.jpg").write_bytes(jpeg((600, 600), (40, 200, 40)))  # done, yet waiting
    with (camera / "photo.jpg").open("wb") as writer:
        writer.write(data[: len(data) // 2])
        writer.flush()
        time.sleep(QUIET / 2)  # several polls list both: they wait to settle
        assert api.jobs() == []
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        writer.write(data[len(data) // 2 :])  # finished while no server runs

    port = int(server.url.rsplit(":", 1)[1])
    again = start_live_server(server.data_dir, port, env=settings)
    server.process = again.process
    landed = time.monotonic()
    wait_for(lambda: len([j for j in api.jobs() if j["status"] in ("done", "dead")]) == 2, 60)
    waited = time.monotonic() - landed
    time.sleep(QUIET + 4 * POLL)  # polls go on: nothing more arrives
    jobs = sorted(api.jobs(), key=lambda j: str(j["output"]))
    made = [(j["status"], j["output"]) for j in jobs]
    assert made == [("done", "out/photo.png"), ("done", "out/whole.png")], jobs
    assert waited >= QUIET - 1, f"jobs {waited:.1f} s after the restart: the photo waited anew"
    with Image.open(camera / "out" / "photo.png") as image:
        assert image.size == (100, 75), "made from the whole photo"
