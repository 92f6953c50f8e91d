"""tus 1.0.0 uploads: protocol rules in-process, and a standard client (tuspy) over a socket,
each on both upload stores: files on disk, and multipart uploads in S3 (a real S3 server)."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient
from tusclient.client import TusClient

from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.server.storage.s3 import S3BlobStore
from syncoxide.server.tus import TusEndpoint, TusPolicy, Upload, Uploads, UploadStore
from syncoxide.server.tus.headers import TusRequestError
from syncoxide.server.tus.s3_store import S3UploadStore
from tests.conftest import free_port
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

TUS = {"Tus-Resumable": "1.0.0"}
BYTES = {**TUS, "Content-Type": "application/offset+octet-stream"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


T = TypeVar("T")
#: Parts of S3's smallest allowed size, so a few MiB cross several parts.
S3_PART = 5 * 1024 * 1024


def s3_blobs(s3: S3Server) -> S3BlobStore:
    settings = S3Settings(
        bucket=s3.bucket,
        prefix=f"tus-{uuid.uuid4().hex[:12]}",  # each test its own corner of the bucket
        endpoint_url=s3.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    return S3BlobStore(settings)


class Harness:
    """An app with one tus endpoint over ``store``; the store's own calls run on the app's
    event loop (an S3 client belongs to the loop that made it)."""

    def __init__(self, make_store: Callable[[Clock], Uploads], max_size: int = 10 << 20) -> None:
        self.clock = Clock()
        self.make_store = make_store
        self.store = make_store(self.clock)
        self.completed: list[tuple[Upload, bytes]] = []

        async def authorize(request: Request) -> str:
            return request.headers.get("x-scope", "owner-a")

        async def on_complete(upload: Upload, store: Uploads) -> None:
            received = b"".join([chunk async for chunk in store.read(upload)])
            self.completed.append((upload, received))

        policy = TusPolicy(
            authorize=authorize, max_size=max_size, lifetime_seconds=3600, on_complete=on_complete
        )
        self.app = Starlette(routes=TusEndpoint("/files", self.store, policy).routes())
        self.client = TestClient(self.app)

    def run(self, call: Callable[..., Awaitable[T]], *args: Any) -> T:
        assert self.client.portal is not None
        return self.client.portal.call(call, *args)

    def stored(self) -> list[str]:
        """What the store holds: file names, or object keys."""
        if isinstance(self.store, UploadStore):
            return sorted(path.name for path in self.store.root.iterdir())
        assert isinstance(self.store, S3UploadStore)
        return list(self.run(self.store._blobs.keys, ""))

    def create(self, length: int, **headers: str) -> str:
        response = self.client.post(
            "/files/", headers={**TUS, "Upload-Length": str(length), **headers}
        )
        assert response.status_code == 201, response.text
        return response.headers["location"]


def _store_maker(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if kind == "disk":
        return lambda clock: UploadStore(tmp_path / "uploads", clock)
    blobs = s3_blobs(request.getfixturevalue("moto_s3"))
    return lambda clock: S3UploadStore(blobs, clock, part_bytes=S3_PART)


STORES = ["disk", pytest.param("s3", marks=pytest.mark.live)]


@pytest.fixture(params=STORES)
def tus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(_store_maker(request.param, request, tmp_path))
    with harness.client:
        yield harness
        if isinstance(harness.store, S3UploadStore):
            harness.run(harness.store.aclose)


def sha1_header(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()


def test_options_advertises_version_extensions_and_limits(tus: Harness) -> None:
    response = tus.client.options("/files/")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
    }
    assert "sha1" in response.headers["tus-checksum-algorithm"].split(",")
    assert response.headers["tus-max-size"] == str(10 << 20)


def test_upload_in_two_patches_then_complete(tus: Harness) -> None:
    data = bytes(range(256)) * 100
    metadata = "filename " + base64.b64encode("résumé.pdf".encode()).decode() + ",is_private"
    location = tus.create(len(data), **{"Upload-Metadata": metadata})
    head = tus.client.head(location, headers=TUS)
    assert head.headers["upload-offset"] == "0" and head.headers["cache-control"] == "no-store"
    assert "upload-expires" in head.headers
    first = tus.client.patch(location, content=data[:1000], headers={**BYTES, "Upload-Offset": "0"})
    assert first.status_code == 204 and first.headers["upload-offset"] == "1000"
    assert tus.completed == []
    last = tus.client.patch(
        location, content=data[1000:], headers={**BYTES, "Upload-Offset": "1000"}
    )
    assert last.headers["upload-offset"] == str(len(data))
    ((upload, received),) = tus.completed
    assert received == data
    assert upload.metadata == {"filename": "résumé.pdf", "is_private": ""}
    assert tus.client.head(location, headers=TUS).headers["upload-metadata"] == metadata


def test_creation_with_upload_and_zero_length(tus: Harness) -> None:
    response = tus.client.post("/files/", content=b"hello", headers={**BYTES, "Upload-Length": "5"})
    assert response.status_code == 201 and response.headers["upload-offset"] == "5"
    tus.create(0)
    assert [received for _, received in tus.completed] == [b"hello", b""]


def test_wrong_offset_is_a_conflict_and_changes_nothing(tus: Harness) -> None:
    location = tus.create(10)
    tus.client.patch(location, content=b"abc", headers={**BYTES, "Upload-Offset": "0"})
    response = tus.client.patch(location, content=b"xyz", headers={**BYTES, "Upload-Offset": "0"})
    assert response.status_code == 409
    assert "upload is at 3" in response.json()["message"]
    assert tus.client.head(location, headers=TUS).headers["upload-offset"] == "3"


def test_checksum_mismatch_commits_nothing(tus: Harness) -> None:
    location = tus.create(6)
    bad = tus.client.patch(
        location,
        content=b"abc",
        headers={**BYTES, "Upload-Offset": "0", "Upload-Checksum": sha1_header(b"abd")},
    )
    assert bad.status_code == 460
    assert tus.client.head(location, headers=TUS).headers["upload-offset"] == "0"
    good = tus.client.patch(
        location,
        content=b"abc",
        headers={**BYTES, "Upload-Offset": "0", "Upload-Checksum": sha1_header(b"abc")},
    )
    assert good.headers["upload-offset"] == "3"
    unknown = tus.client.patch(
        location,
        content=b"def",
        headers={**BYTES, "Upload-Offset": "3", "Upload-Checksum": "crc32 AAAA"},
    )
    assert unknown.status_code == 400


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "5"}, 412),  # no Tus-Resumable
        ({**TUS, "Upload-Length": "-1"}, 400),
        ({**TUS}, 400),
        ({**TUS, "Upload-Defer-Length": "1"}, 400),
        ({**TUS, "Upload-Length": str((10 << 20) + 1)}, 413),
        ({**TUS, "Upload-Length": "5", "Upload-Metadata": "name !!notbase64"}, 400),
        ({**TUS, "Upload-Length": "5", "Upload-Metadata": "a YQ==,a YQ=="}, 400),
    ],
)
def test_bad_creation_requests_are_refused_with_json(
    tus: Harness, headers: dict, status: int
) -> None:
    response = tus.client.post("/files/", headers=headers)
    assert response.status_code == status
    assert response.json()["message"]
    assert tus.stored() == []


def test_more_bytes_than_announced_are_refused(tus: Harness) -> None:
    location = tus.create(4)
    response = tus.client.patch(location, content=b"12345", headers={**BYTES, "Upload-Offset": "0"})
    assert response.status_code == 413
    assert tus.client.head(location, headers=TUS).headers["upload-offset"] == "0"


def test_patch_needs_the_offset_content_type(tus: Harness) -> None:
    location = tus.create(4)
    response = tus.client.patch(
        location,
        content=b"1234",
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/json"},
    )
    assert response.status_code == 415


def test_termination_and_expiry(tus: Harness) -> None:
    location = tus.create(4)
    assert tus.client.delete(location, headers=TUS).status_code == 204
    assert tus.client.head(location, headers=TUS).status_code == 404
    assert tus.stored() == []
    stale = tus.create(4)
    tus.clock.now += 3601
    assert tus.client.head(stale, headers=TUS).status_code == 410
    assert tus.client.head(stale, headers=TUS).status_code == 404


def test_remove_expired_sweeps_only_unfinished_old_uploads(tus: Harness) -> None:
    tus.create(4)
    tus.client.post("/files/", content=b"done", headers={**BYTES, "Upload-Length": "4"})
    tus.clock.now += 3601
    assert tus.run(tus.store.remove_expired) == 1
    assert len(tus.stored()) == 2  # the finished upload: its state and its bytes


def test_another_scope_cannot_see_or_touch_an_upload(tus: Harness) -> None:
    location = tus.create(4)
    stranger = {**TUS, "X-Scope": "owner-b"}
    assert tus.client.head(location, headers=stranger).status_code == 404
    assert tus.client.delete(location, headers=stranger).status_code == 404
    response = tus.client.patch(
        location, content=b"1234", headers={**BYTES, **stranger, "Upload-Offset": "0"}
    )
    assert response.status_code == 404
    assert tus.client.head("/files/..%2F..%2Fetc", headers=TUS).status_code == 404


def test_a_cut_connection_keeps_what_arrived(tus: Harness) -> None:
    store = tus.store
    upload = tus.run(store.create, 40, {}, "owner-a", 3600)

    async def body_cut_after_two_chunks() -> AsyncIterator[bytes]:
        yield b"a" * 10
        yield b"b" * 10
        raise ConnectionResetError("peer went away")

    with pytest.raises(ConnectionResetError):
        tus.run(store.append, upload, 0, body_cut_after_two_chunks(), None)
    resumed = tus.run(store.get, upload.id, "owner-a")
    assert resumed.offset == 20
    with pytest.raises(ConnectionResetError):
        tus.run(store.append, resumed, 20, body_cut_after_two_chunks(), ("sha1", b"x"))
    assert tus.run(store.get, upload.id, "owner-a").offset == 20  # unverifiable: dropped
    done = tus.run(store.append, resumed, 20, _body(b"c" * 20), None)
    assert done.complete
    assert _read(tus, done) == b"a" * 10 + b"b" * 10 + b"c" * 20


def _digest(data: bytes) -> tuple[int, str]:
    return zlib.crc32(data), hashlib.sha256(data).hexdigest()


async def _body(*parts: bytes, cut: bool = False) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    if cut:
        raise ConnectionResetError("peer went away")


def _read(tus: Harness, upload: Upload) -> bytes:
    async def everything() -> bytes:
        return b"".join([chunk async for chunk in tus.store.read(upload)])

    return tus.run(everything)


def test_the_content_digest_is_kept_while_bytes_arrive(tus: Harness) -> None:
    data = bytes(range(256)) * 40
    store = tus.store
    upload = tus.run(store.create, len(data), {}, "owner-a", 3600)
    with pytest.raises(ConnectionResetError):
        tus.run(store.append, upload, 0, _body(data[:1000], cut=True), None)
    upload = tus.run(store.get, upload.id, "owner-a")
    with pytest.raises(TusRequestError):  # refused bytes leave the digest where it was
        tus.run(store.append, upload, 1000, _body(data[1000:2000]), ("sha1", b"x"))
    done = tus.run(store.append, upload, 1000, _body(data[1000:5000], data[5000:]), None)
    kept = tus.run(store.digests, done)
    assert (kept.crc, kept.sha256.hexdigest()) == _digest(data)
    assert kept.sha1.hexdigest() == hashlib.sha1(data).hexdigest()
    # Another instance (or this one restarted) never saw the bytes: it reads them again.
    other = tus.make_store(tus.clock)
    again = tus.run(other.digests, tus.run(other.get, upload.id, "owner-a"))
    assert again is not kept and (again.crc, again.sha256.hexdigest()) == _digest(data)


def test_ids_are_unguessable_and_unique(tus: Harness) -> None:
    ids = {tus.create(1).rsplit("/", 1)[1] for _ in range(50)}
    assert len(ids) == 50 and all(len(upload_id) >= 32 for upload_id in ids)
    with pytest.raises(TusRequestError):
        tus.run(tus.store.get, "../../etc/passwd", "owner-a")


@pytest.fixture(params=["disk", "s3"])
def tus_over_socket(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Harness]]:
    harness = Harness(_store_maker(request.param, request, tmp_path), max_size=64 << 20)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            harness.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/files/", harness
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.live
def test_a_standard_tus_client_uploads_and_resumes(
    tus_over_socket: tuple[str, Harness], tmp_path: Path
) -> None:
    url, harness = tus_over_socket
    source = tmp_path / "big.bin"
    data = hashlib.sha256(b"seed").digest() * (5 * 1024 * 1024 // 32)
    source.write_bytes(data)
    client = TusClient(url)
    first = client.uploader(
        str(source), chunk_size=1 << 20, upload_checksum=True, metadata={"filename": "big.bin"}
    )
    first.upload_chunk()
    first.upload_chunk()
    assert first.offset == 2 << 20 and harness.completed == []
    # A new client picks the same upload up where it stopped, as after a reload.
    resumed = client.uploader(str(source), url=first.url, chunk_size=1 << 20, upload_checksum=True)
    assert resumed.offset == 2 << 20
    resumed.upload()
    ((upload, received),) = harness.completed
    assert received == data and upload.metadata == {"filename": "big.bin"}
