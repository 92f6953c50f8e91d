"""Two instances whose blobs live in S3 (rclone serve s3): a file stored through one is
read with Range through the other, and no blob lands on the instances' disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from syncoxide.server.storage.s3 import MIN_PART
from tests.conftest import LiveServer, start_live_server
from tests.server.scale.test_two_instances import _token
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.live


@pytest.fixture
def instances(
    tmp_path: Path, redis_url: str, rclone_s3: S3Server
) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = {
        "SYNCOXIDE_BUS": redis_url,
        "SYNCOXIDE_BLOBS": f"s3://{rclone_s3.bucket}/{tmp_path.name}?endpoint={rclone_s3.endpoint}",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    first = start_live_server(tmp_path / "data", env=env)
    try:
        second = start_live_server(tmp_path / "data", env=env)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def test_stored_through_one_read_in_ranges_through_the_other(
    instances: tuple[LiveServer, LiveServer], tmp_path: Path
) -> None:
    first, second = instances
    token = _token(first.data_dir, tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    body = bytes(range(251)) * (MIN_PART // 251 + 1000)  # over one part: a multipart upload
    stored = httpx2.put(
        f"{first.url}/api/v1/storage/content",
        params={"path": "big.bin"},
        content=body,
        headers=auth,
        timeout=60,
    )
    assert stored.status_code in (200, 201), stored.text
    url = f"{second.url}/api/v1/storage/content"
    head = httpx2.get(url, params={"path": "big.bin"}, headers={**auth, "Range": "bytes=0-99"})
    assert head.status_code == 206 and head.content == body[:100]
    # The download resumed where it stopped, on the other instance.
    rest = httpx2.get(
        f"{first.url}/api/v1/storage/content",
        params={"path": "big.bin"},
        headers={**auth, "Range": f"bytes={MIN_PART - 10}-"},
        timeout=60,
    )
    assert rest.status_code == 206 and rest.content == body[MIN_PART - 10 :]
    on_disk = [p for p in (first.data_dir / "blobs").rglob("*") if p.is_file()]
    assert on_disk == [], "a blob was written to the instance's disk instead of S3"
