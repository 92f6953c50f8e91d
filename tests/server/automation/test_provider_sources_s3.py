"""An automation rule on a folder of an S3 connection (``rclone serve s3``, a real S3 server)
that does not exist yet when the rule is made: the first photo put there is an arrival, and
its PDF is written back into the bucket through the S3 provider. An S3 object is listed only
once its upload completed, so the rule acts on it at the first look, without the quiet wait."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.server.accountshares.shares_world import World
from tests.server.automation.provider_world import (
    add_rule,
    automation_world,
    finished_jobs,
    jpeg,
    wait_first_look,
    wait_for,
)
from tests.server.rules.rules_world import file_digests
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

POLL, QUIET = 0.5, 9.0


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with automation_world(tmp_path, monkeypatch, poll_seconds=POLL, quiet_seconds=QUIET) as made:
        yield made


def _bucket(world: World, folder: str) -> object:
    service = world.app.state.rules
    connection = asyncio.run(service.store.connections(world["alice"].user_id))[0]
    return service.connections.provider(connection, folder)


def _put(world: World, folder: str, path: str, data: bytes) -> None:
    provider = _bucket(world, folder)

    async def write() -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield data

        try:
            await provider.write(path, chunks(), mtime_ns=time.time_ns())  # type: ignore[attr-defined]
        finally:
            await provider.aclose()  # type: ignore[attr-defined]

    asyncio.run(write())


def _read(world: World, folder: str, path: str) -> bytes:
    provider = _bucket(world, folder)

    async def read() -> bytes:
        try:
            return b"".join([p async for p in provider.open_read(path)])  # type: ignore[attr-defined]
        finally:
            await provider.aclose()  # type: ignore[attr-defined]

    return asyncio.run(read())


def test_a_photo_put_into_a_new_s3_folder_becomes_a_pdf_beside_it(
    world: World, rclone_s3: S3Server
) -> None:
    alice = world["alice"]
    made = alice.post("/api/v1/connections", json={"name": "bucket", "kind": "s3", "options": {
        "endpoint": rclone_s3.endpoint, "bucket": rclone_s3.bucket, "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY, "region": "us-east-1"}})  # fmt: skip
    assert made.status_code == 201, made.text
    folder = f"inbox-{uuid.uuid4().hex[:8]}"
    rule = add_rule(alice, name="pdf", source_kind="connection", source=f"bucket:{folder}",
                    match_types=["image"], output="pdf")  # fmt: skip
    wait_first_look(alice, rule["id"])
    _put(world, folder, "receipt.jpg", jpeg((600, 800)))
    landed = time.monotonic()

    wait_for(lambda: alice.get("/api/v1/jobs").json()["jobs"], 30)
    waited = time.monotonic() - landed
    assert waited < QUIET / 3, f"a job {waited:.1f} s after the put: S3 lists whole files"
    job = finished_jobs(alice)[0]
    assert job["status"] == "done", job
    assert job["output"] == "receipt.pdf"
    assert len(PdfReader(io.BytesIO(_read(world, folder, "receipt.pdf"))).pages) == 1
    files = asyncio.run(file_digests(_bucket(world, folder)))  # type: ignore[arg-type]
    assert sorted(files) == ["receipt.jpg", "receipt.pdf"]
