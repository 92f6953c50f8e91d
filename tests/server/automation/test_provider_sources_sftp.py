"""An automation rule on a folder of an SFTP connection (a real sshd on loopback) that moves
each original beside its result: the photo leaves the watched folder for ``out/`` with its
converted copy, and neither becomes an arrival of its own."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.server.accountshares.shares_world import World
from tests.server.automation.provider_world import (
    add_rule,
    automation_world,
    connect_sftp,
    finished_jobs,
    wait_first_look,
)
from tests.server.photos.test_photos_api import _png, picture
from tests.servers import SshServer


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # quiet_seconds low: this test is not about the settle wait (test_provider_settle_sftp.py)
    with automation_world(tmp_path, monkeypatch, poll_seconds=0.5, quiet_seconds=1) as made:
        yield made


def test_an_sftp_rule_moves_the_original_beside_its_result(
    world: World, sshd_server: SshServer
) -> None:
    alice = world["alice"]
    connect_sftp(alice, "srv", sshd_server)
    folder = sshd_server.home / f"auto-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    rule = add_rule(alice, name="thumbs", source_kind="connection", source=f"srv:{folder}",
                    match_types=["image"], output="jpg", target_folder="out", original="move",
                    options={"max_size": 64})  # fmt: skip
    assert rule["place"] == f"srv:{str(folder).strip('/')}"
    wait_first_look(alice, rule["id"])
    (folder / "photo.png").write_bytes(_png(picture(3, (640, 480))))

    job = finished_jobs(alice)[0]
    assert (job["status"], job["output"]) == ("done", "out/photo.jpg"), job
    with Image.open(folder / "out" / "photo.jpg") as image:
        assert image.size == (64, 48)
    assert (folder / "out" / "photo.png").exists() and not (folder / "photo.png").exists()
    time.sleep(2)  # polls go on: nothing moved or made becomes an arrival
    assert len(alice.get("/api/v1/jobs").json()["jobs"]) == 1
