"""The settle wait on a provider with a changes feed (the fake Dropbox server): Dropbox lists a
file only once its upload is committed, so a rule acts on it at the look the feed reports it,
without the quiet wait, and the job is made from the whole file."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.fakes.serving import served
from tests.server.accountshares.shares_world import World
from tests.server.automation.provider_world import (
    add_rule,
    automation_world,
    wait_first_look,
    wait_for,
)
from tests.server.photos.test_photos_api import _png, picture

POLL, QUIET = 0.5, 9.0


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with automation_world(tmp_path, monkeypatch, poll_seconds=POLL, quiet_seconds=QUIET) as made:
        yield made


@pytest.fixture()
def dropbox() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    fake.store.put({"path": "/Camera/.keep", "mode": "overwrite"}, b"", None)
    with served(fake.faults) as url:
        yield fake, url


def put(fake: FakeDropbox, path: str, content: bytes) -> None:
    fake.store.put({"path": path, "mode": "overwrite"}, content, None)


def test_a_file_arrives_without_the_quiet_wait_and_makes_one_job(
    world: World, dropbox: tuple[FakeDropbox, str]
) -> None:
    alice = world["alice"]
    fake, url = dropbox
    options = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
               "refresh_token": REFRESH_TOKEN, "token_url": f"{url}/oauth2/token",
               "api_url": url, "content_url": url}  # fmt: skip
    made = alice.post("/api/v1/connections", json={"name": "dbx", "kind": "dropbox",
                                                    "options": options})  # fmt: skip
    assert made.status_code == 201, made.text
    rule = add_rule(alice, name="thumbs", source_kind="connection", source="dbx:Camera",
                    match_types=["image"], output="jpg", target_folder="out",
                    options={"max_size": 64})  # fmt: skip
    wait_first_look(alice, rule["id"])
    put(fake, "/Camera/photo.png", _png(picture(4, (640, 480))))
    landed = time.monotonic()

    def jobs() -> list[dict[str, Any]]:
        return list(alice.get("/api/v1/jobs").json()["jobs"])

    wait_for(jobs, 30)
    waited = time.monotonic() - landed
    assert waited < QUIET / 3, f"a job {waited:.1f} s after the upload: Dropbox lists whole files"
    wait_for(lambda: [j for j in jobs() if j["status"] in ("done", "dead")], 30)
    time.sleep(4 * POLL)  # polls go on: nothing more arrives
    assert [(j["status"], j["output"]) for j in jobs()] == [("done", "out/photo.jpg")]
    with Image.open(io.BytesIO(fake.store.items["/camera/out/photo.jpg"].content)) as image:
        assert image.size == (64, 48), "made from the whole picture"
