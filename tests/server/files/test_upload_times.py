"""Modification times of files uploaded into server storage, in-process: a missing time is the
commit moment (never 1970), a given one is kept, an absurd one is refused and nothing kept."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.errors import UsageError
from syncoxide.server.files.mtimes import FUTURE_SLACK_NS
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.files.service import FileService
from tests.server.links.links_world import TUS, LinksWorld, make_world, metadata

API = "/api/v1/storage"
OFFSET = {**TUS, "Content-Type": "application/offset+octet-stream"}
GIVEN = 1_600_000_000_123_456_789
HOUR_NS = 3600 * 10**9


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _put(client: TestClient, path: str, data: bytes, **query: str) -> int:
    reply = client.put(f"{API}/content", params={"path": path, **query}, content=data)
    assert reply.status_code == 200, reply.text
    return int(reply.json()["mtime_ns"])


def _stat_mtime(client: TestClient, path: str) -> int:
    reply = client.get(f"{API}/stat", params={"path": path})
    assert reply.status_code == 200, reply.text
    return int(reply.json()["mtime_ns"])


def _tus_finished(client: TestClient, path: str, data: bytes) -> str:
    made = client.post(
        f"{API}/uploads/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(path=path)},
    )
    assert made.status_code == 201, made.text
    where = str(made.headers["location"])
    sent = client.patch(where, content=data, headers={**OFFSET, "Upload-Offset": "0"})
    assert sent.status_code == 204, sent.text
    return where.rsplit("/", 1)[1]


def _commit(client: TestClient, path: str, data: bytes, **extra: int) -> int:
    body = {"upload": _tus_finished(client, path, data), "path": path, **extra}
    reply = client.post(f"{API}/commit", json=body)
    assert reply.status_code == 201, reply.text
    return int(reply.json()["mtime_ns"])


def test_put_without_a_time_is_stamped_when_committed(world: LinksWorld) -> None:
    before = time.time_ns()
    stamped = _put(world.owner, "a.txt", b"one")
    assert before <= stamped <= time.time_ns()
    assert _stat_mtime(world.owner, "a.txt") == stamped


def test_put_with_a_time_keeps_it(world: LinksWorld) -> None:
    assert _put(world.owner, "a.txt", b"one", mtime_ns=str(GIVEN)) == GIVEN
    assert _put(world.owner, "zero.txt", b"z", mtime_ns="0") == 0, "1970 itself is a given time"
    assert _stat_mtime(world.owner, "a.txt") == GIVEN


def test_same_size_rewrite_without_a_time_changes_the_time(world: LinksWorld) -> None:
    first = _put(world.owner, "same.txt", b"aaaa", mtime_ns=str(GIVEN))
    before = time.time_ns()
    second = _put(world.owner, "same.txt", b"bbbb")
    assert first == GIVEN and before <= second <= time.time_ns()
    again = _put(world.owner, "same.txt", b"cccc")
    assert again > second, "each same-size rewrite moves the time a size+time check compares"


def test_tus_commit_without_a_time_is_stamped_and_with_one_keeps_it(world: LinksWorld) -> None:
    before = time.time_ns()
    stamped = _commit(world.owner, "big.bin", b"x" * 5000)
    assert before <= stamped <= time.time_ns()
    assert _commit(world.owner, "kept.bin", b"y" * 5000, mtime_ns=GIVEN) == GIVEN
    rewritten = _commit(world.owner, "kept.bin", b"z" * 5000)
    assert before <= rewritten <= time.time_ns() and rewritten != GIVEN


@pytest.mark.parametrize(
    "absurd", [-1, -(10**18), "future"], ids=["just-before-1970", "long-before", "future"]
)
def test_absurd_times_are_refused_and_nothing_is_kept(world: LinksWorld, absurd: object) -> None:
    alice = world.owner
    mtime = time.time_ns() + FUTURE_SLACK_NS + HOUR_NS if absurd == "future" else absurd
    put = alice.put(f"{API}/content", params={"path": "p.txt", "mtime_ns": mtime}, content=b"p")
    assert put.status_code == 400, put.text
    assert "Nothing was kept" in put.text
    assert alice.get(f"{API}/stat", params={"path": "p.txt"}).status_code == 404
    upload = _tus_finished(alice, "t.bin", b"tus bytes")
    body = {"upload": upload, "path": "t.bin", "mtime_ns": mtime}
    refused = alice.post(f"{API}/commit", json=body)
    assert refused.status_code == 400, refused.text
    assert alice.get(f"{API}/stat", params={"path": "t.bin"}).status_code == 404
    retried = alice.post(f"{API}/commit", json={"upload": upload, "path": "t.bin"})
    assert retried.status_code == 201, "the upload waited to be committed with a sane time"
    _put(alice, "m.txt", b"m", mtime_ns=str(GIVEN))
    assert alice.put(f"{API}/mtime", json={"path": "m.txt", "mtime_ns": mtime}).status_code == 400
    assert _stat_mtime(alice, "m.txt") == GIVEN


def test_a_time_slightly_ahead_is_kept(world: LinksWorld) -> None:
    """Clock skew and time zone slips stay within the slack and are not refused."""
    ahead = time.time_ns() + FUTURE_SLACK_NS - HOUR_NS
    assert _put(world.owner, "ahead.txt", b"a", mtime_ns=str(ahead)) == ahead


def test_server_side_writes_without_a_time_are_stamped(world: LinksWorld) -> None:
    """What account shares, rules and the P2P-to-server copy write through the provider."""
    files: FileService = world.app.state.files
    user = asyncio.run(world.app.state.services.store.user_by_name("alice"))
    assert user is not None
    provider = OwnFilesProvider(files, user.id)

    async def body(data: bytes) -> AsyncIterator[bytes]:
        yield data

    async def writes() -> tuple[int, int, int]:
        kept = await provider.write("p.txt", body(b"same"), mtime_ns=GIVEN)
        before = time.time_ns()
        stamped = await provider.write("p.txt", body(b"SAME"))
        listed = await provider.stat("p.txt")
        assert listed.mtime_ns == stamped.mtime_ns
        return kept.mtime_ns, before, stamped.mtime_ns

    kept, before, stamped = asyncio.run(writes())
    assert kept == GIVEN and before <= stamped <= time.time_ns()
    with pytest.raises(UsageError):
        asyncio.run(provider.write("bad.txt", body(b"x"), mtime_ns=-5))
    assert files.store.get(user.id, "bad.txt") is None
