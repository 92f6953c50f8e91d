"""What a copy in parts sends to S3 for each part, seen on the wire (a recording relay in front
of rclone serve s3 and moto): the body the engine read, with that body's MD5 as Content-MD5,
and an ETag and ListParts entry that are the MD5 of those bytes.

Why Content-MD5: real S3 then refuses a part changed on the way (BadDigest) instead of storing
it; the engine hashed every part as it read it, so sending the digest costs no hashing. Of the
servers here only rclone checks it: moto 5.2 stores a part whatever Content-MD5 says (the last
test shows both), so no moto test can see a refused part.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import os
import random
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.lean import HeadSigner, lean_upload_part
from syncoxide.native.providers.s3.lean_uploads import (
    HeldPart,
    lean_abort,
    lean_create_upload,
    lean_list_parts,
)
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.parts_runs import sync_in_parts
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

PART = 5 * 1024 * 1024
PARTS = 5
_roots = itertools.count()


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


def _port(endpoint: str) -> int:
    port = urlsplit(endpoint).port
    assert port is not None
    return port


def test_each_part_goes_with_the_md5_of_its_bytes(s3_server: S3Server, tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.mkdir()
    content = random.Random(3).randbytes((PARTS - 1) * PART + 777)
    (source / "big.bin").write_bytes(content)
    expected = [
        hashlib.md5(content[i : i + PART], usedforsecurity=False).hexdigest()
        for i in range(0, len(content), PART)
    ]
    with counting_proxy(_port(s3_server.endpoint)) as proxy:
        settings = S3Settings(
            bucket=s3_server.bucket,
            prefix=f"checksums{os.getpid()}-{next(_roots)}",
            endpoint_url=f"http://127.0.0.1:{proxy.port}",
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
        )
        dest = S3Provider(settings)
        dest.keep_state_in(tmp_path / "state")
        report = sync_in_parts(
            source, dest, MemoryPairStore(), part=PART, streams=3, seed=b"checksums"
        )
        proxy.wait_until_idle()
    assert not report.failures
    sent: dict[int, list[tuple[str, str]]] = {}
    for body in proxy.bodies:
        query = parse_qs(urlsplit(body.line.split(" ", 1)[1]).query)
        if body.line.startswith("PUT ") and "partNumber" in query:
            header = body.headers.get("content-md5", "")
            sent.setdefault(int(query["partNumber"][0]), []).append((body.md5, header))
    assert sorted(sent) == list(range(1, PARTS + 1))
    for number, attempts in sent.items():
        for md5, header in attempts:
            assert md5 == expected[number - 1]  # the bytes read, nothing else, reached the server
            assert header and base64.b64decode(header).hex() == md5


def test_which_servers_here_check_a_parts_content_md5(s3_server: S3Server) -> None:
    """A part whose Content-MD5 is not its bytes': rclone refuses it (and drops the whole
    upload), moto stores it and answers the MD5 of what it stored."""
    body = bytearray(random.Random(4).randbytes(PART))
    wrong = hashlib.md5(b"other bytes", usedforsecurity=False).digest()

    async def send() -> tuple[str | None, dict[int, HeldPart] | None]:
        signer = HeadSigner(s3_server.endpoint, "us-east-1", ACCESS_KEY, SECRET_KEY)
        async with HttpPool(s3_server.endpoint, limit=8, timeouts=(10, 60)) as session:
            key = f"checksums{os.getpid()}-{next(_roots)}/wrong.bin"
            upload_id = await lean_create_upload((session, signer), s3_server.bucket, key, {})
            assert upload_id is not None
            where = (s3_server.bucket, key, upload_id)
            sent = await lean_upload_part(session, signer, where, 1, body=body, content_md5=wrong)
            etag = sent.etag if sent is not None else None
            held = await lean_list_parts((session, signer), where)
            await lean_abort((session, signer), where)
            return etag, held

    etag, held = asyncio.run(send())
    if s3_server.name == "rclone":
        assert etag is None and not held
    else:
        right = hashlib.md5(body, usedforsecurity=False).hexdigest()
        assert etag is not None and etag.strip('"') == right
        assert held is not None and held[1].etag.strip('"') == right
