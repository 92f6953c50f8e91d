"""The settle wait on a provider with a changes feed (the fake Dropbox server): a file replaced
within the quiet window makes one job, on the last content; the rule lists its folder again
to settle the file even though the feed reports nothing new by then."""

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
from tests.server.accountshares.shares_world import World, shares_world
from tests.server.automation.provider_world import add_rule, wait_first_look, wait_for
from tests.server.photos.test_photos_api import _png, picture

POLL, QUIET = 0.5, 2.5
SETTINGS = f"[automation]\npoll_seconds = {POLL}\nquiet_seconds = {QUIET}\n"


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    with shares_world(tmp_path / "data", SETTINGS, names=("alice",)) as made:
        yield made


@pytest.fixture()
def dropbox() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    fake.store.put({"path": "/Camera/.keep", "mode": "overwrite"}, b"", None)
    with served(fake.faults) as url:
        yield fake, url


def put(fake: FakeDropbox, path: str, content: bytes) -> None:
    fake.store.put({"path": path, "mode": "overwrite"}, content, None)


def test_a_file_replaced_within_the_quiet_window_makes_one_job_on_its_last_content(
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
    whole = _png(picture(4, (640, 480)))
    put(fake, "/Camera/photo.png", whole[: len(whole) // 2])
    time.sleep(1.2)  # a poll or two list the first half
    put(fake, "/Camera/photo.png", whole)
    replaced = time.monotonic()

    def jobs() -> list[dict[str, Any]]:
        return list(alice.get("/api/v1/jobs").json()["jobs"])

    wait_for(jobs, 30)
    waited = time.monotonic() - replaced
    wait_for(lambda: [j for j in jobs() if j["status"] in ("done", "dead")], 30)
    time.sleep(QUIET + 2 * POLL)
    assert [(j["status"], j["output"]) for j in jobs()] == [("done", "out/photo.jpg")]
    assert waited >= QUIET - POLL, "a job before the file had been quiet for long enough"
    with Image.open(io.BytesIO(fake.store.items["/camera/out/photo.jpg"].content)) as image:
        assert image.size == (64, 48), "made from the whole picture"
