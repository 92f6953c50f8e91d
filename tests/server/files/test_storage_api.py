"""The storage API (/api/v1/storage): your own files on the server, in-process."""

from __future__ import annotations

import asyncio
import errno
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.files.service import FileService
from tests.server.links.links_world import TUS, LinksWorld, make_world, metadata
from tests.server.shared_parts import local_blobs_only
from tests.server.signin import add_user, sign_in

API = "/api/v1/storage"
OFFSET = {**TUS, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _put(client: TestClient, path: str, data: bytes, **query: str) -> dict:  # type: ignore[type-arg]
    reply = client.put(f"{API}/content", params={"path": path, **query}, content=data)
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def _paths(client: TestClient, **query: str) -> list[str]:
    reply = client.get(API, params={"recursive": "true", **query})
    assert reply.status_code == 200, reply.text
    return [e["path"] for e in reply.json()["entries"]]


def _bob(app: Starlette) -> TestClient:
    add_user(app, "bob")
    bob = TestClient(app)
    bob.headers["X-CSRF-Token"] = sign_in(bob, "bob")
    return bob


def test_put_list_stat_and_download(world: LinksWorld) -> None:
    alice = world.owner
    stored = _put(alice, "docs/a b/é.txt", b"hello world", mtime_ns="1600000000123456789")
    assert stored["sha1"] == hashlib.sha1(b"hello world").hexdigest()
    assert stored["sha256"] == hashlib.sha256(b"hello world").hexdigest()
    assert _paths(alice) == ["docs", "docs/a b", "docs/a b/é.txt"]
    assert [e["path"] for e in alice.get(API).json()["entries"]] == ["docs"]  # one level
    stat = alice.get(f"{API}/stat", params={"path": "docs/a b/é.txt"}).json()
    assert stat["mtime_ns"] == 1600000000123456789 and stat["size"] == 11
    got = alice.get(f"{API}/content", params={"path": "docs/a b/é.txt"})
    assert got.content == b"hello world" and got.headers["accept-ranges"] == "bytes"


def test_ranges(world: LinksWorld) -> None:
    alice = world.owner
    _put(alice, "r.bin", bytes(range(100)))
    part = alice.get(f"{API}/content", params={"path": "r.bin"}, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == bytes(range(10, 20))
    assert part.headers["content-range"] == "bytes 10-19/100"
    tail = alice.get(f"{API}/content", params={"path": "r.bin"}, headers={"Range": "bytes=-5"})
    assert tail.content == bytes(range(95, 100))
    past = alice.get(f"{API}/content", params={"path": "r.bin"}, headers={"Range": "bytes=100-"})
    assert past.status_code == 416 and past.headers["content-range"] == "bytes */100"


@pytest.mark.both_databases
def test_paging_walks_the_whole_tree(world: LinksWorld) -> None:
    alice = world.owner
    for n in range(7):
        _put(alice, f"p/{n}.txt", b"x")
    seen, after = [], ""
    while True:
        page = alice.get(
            API, params={"recursive": "true", "limit": "3", "after": after, "path": "p"}
        ).json()
        seen += [e["path"] for e in page["entries"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == [f"p/{n}.txt" for n in range(7)]


@pytest.mark.parametrize(
    "bad",
    ["../escape", "/etc/passwd", "a/../../b", "a//b", "nul\x00byte", "back\\slash", "x" * 300, ""],
)
def test_bad_names_are_refused_and_nothing_is_kept(world: LinksWorld, bad: str) -> None:
    alice = world.owner
    reply = alice.put(f"{API}/content", params={"path": bad}, content=b"data")
    assert reply.status_code == 400, reply.text
    assert reply.json()["message"]
    moved = alice.post(f"{API}/folders", json={"path": bad})
    assert moved.status_code == 400
    assert _paths(alice) == []


def test_one_user_never_sees_or_touches_anothers_files(world: LinksWorld) -> None:
    alice, bob = world.owner, _bob(world.app)
    _put(alice, "private/diary.txt", b"dear diary")
    assert _paths(bob) == []
    diary = {"path": "private/diary.txt"}
    assert bob.get(f"{API}/stat", params=diary).status_code == 404
    assert bob.get(f"{API}/content", params=diary).status_code == 404
    assert bob.delete(API, params=diary).status_code == 404
    moved = bob.post(f"{API}/move", json={"source": "private", "target": "mine"})
    copied = bob.post(f"{API}/copy", json={"source": "private/diary.txt", "target": "c"})
    assert moved.status_code == copied.status_code == 404
    _put(bob, "private/diary.txt", b"bob's")
    got = alice.get(f"{API}/content", params={"path": "private/diary.txt"})
    assert got.content == b"dear diary"


def test_wrong_token_and_missing_csrf_are_refused(world: LinksWorld) -> None:
    stranger = world.stranger(Authorization="Bearer sxo_not_a_token")
    assert stranger.get(API).status_code == 401
    assert (
        world.stranger().put(f"{API}/content", params={"path": "a"}, content=b"x").status_code
        == 401
    )
    alice = TestClient(world.app)
    sign_in(alice, "alice")  # a session, but no CSRF header on an unsafe request
    refused = alice.put(f"{API}/content", params={"path": "a"}, content=b"x")
    assert refused.status_code == 403
    assert _paths(world.owner) == []


@pytest.mark.both_databases
def test_folders_delete_move_copy_and_mtime(world: LinksWorld) -> None:
    alice = world.owner
    assert alice.post(f"{API}/folders", json={"path": "a/b"}).status_code == 201
    _put(alice, "a/b/f.txt", b"F", mtime_ns="5")
    refused = alice.delete(API, params={"path": "a"})
    assert refused.status_code == 409 and refused.json()["error"] == "directory_not_empty"
    _put(alice, "g.txt", b"G")
    taken = alice.post(f"{API}/move", json={"source": "g.txt", "target": "a/b/f.txt"})
    assert taken.status_code == 409 and taken.json()["error"] == "already_exists"
    assert alice.post(f"{API}/move", json={"source": "a", "target": "z/a"}).status_code == 200
    assert _paths(alice) == ["g.txt", "z", "z/a", "z/a/b", "z/a/b/f.txt"]
    assert alice.post(f"{API}/move", json={"source": "z", "target": "z/in"}).status_code == 409
    copied = alice.post(f"{API}/copy", json={"source": "z/a/b/f.txt", "target": "copy.txt"})
    assert copied.status_code == 201 and copied.json()["mtime_ns"] == 5
    assert alice.get(f"{API}/content", params={"path": "copy.txt"}).content == b"F"
    changed = alice.put(f"{API}/mtime", json={"path": "copy.txt", "mtime_ns": 9})
    assert changed.json()["mtime_ns"] == 9
    assert alice.delete(API, params={"path": "z", "recursive": "true"}).status_code == 204
    assert _paths(alice) == ["copy.txt", "g.txt"]
    blobs = world.app.state.services.blobs
    assert len(asyncio.run(blobs.keys("files/"))) == 3, "a deleted file waits in the trash"
    recovery = world.app.state.recovery
    [trashed] = asyncio.run(recovery.trashed(1))
    asyncio.run(recovery.delete_forever(1, trashed.id))
    assert len(asyncio.run(blobs.keys("files/"))) == 2, "emptied from the trash, its blob goes"


def test_a_file_and_a_folder_never_share_a_name(world: LinksWorld) -> None:
    alice = world.owner
    _put(alice, "f", b"file")
    assert alice.put(f"{API}/content", params={"path": "f/inside"}, content=b"x").status_code == 400
    alice.post(f"{API}/folders", json={"path": "d"})
    assert alice.put(f"{API}/content", params={"path": "d"}, content=b"x").status_code == 400
    assert _paths(alice) == ["d", "f"]


def test_expected_sha1_mismatch_keeps_the_previous_version(world: LinksWorld) -> None:
    alice = world.owner
    _put(alice, "keep.txt", b"original")
    reply = alice.put(
        f"{API}/content", params={"path": "keep.txt", "sha1": "0" * 40}, content=b"new bytes"
    )
    assert reply.status_code == 422 and reply.json()["error"] == "integrity"
    assert alice.get(f"{API}/content", params={"path": "keep.txt"}).content == b"original"
    assert list((world.app.state.files.incoming).iterdir()) == []


def _tus_start(client: TestClient, path: str, **headers: str) -> str:
    made = client.post(
        f"{API}/uploads/",
        headers={
            **TUS,
            "Upload-Defer-Length": "1",
            "Upload-Metadata": metadata(path=path),
            **headers,
        },
    )
    assert made.status_code == 201, made.text
    return str(made.headers["location"])


@pytest.mark.both_databases
def test_tus_upload_of_deferred_length_then_commit(world: LinksWorld) -> None:
    alice = world.owner
    data = b"0123456789" * 1000
    where = _tus_start(alice, "big.bin")
    first = alice.patch(where, content=data[:4000], headers={**OFFSET, "Upload-Offset": "0"})
    assert first.status_code == 204
    status = alice.head(where, headers=TUS)
    assert (
        status.headers["upload-offset"] == "4000" and status.headers["upload-defer-length"] == "1"
    )
    early = alice.post(f"{API}/commit", json={"upload": where.rsplit("/", 1)[1], "path": "big.bin"})
    assert early.status_code == 400, "an unfinished upload is not named"
    last = {**OFFSET, "Upload-Offset": "4000", "Upload-Length": str(len(data))}
    assert alice.patch(where, content=data[4000:], headers=last).status_code == 204
    assert _paths(alice) == [], "a finished upload is not named until it is committed"
    sha1 = hashlib.sha1(data).hexdigest()
    body = {"upload": where.rsplit("/", 1)[1], "path": "big.bin", "mtime_ns": 3, "sha1": sha1}
    done = alice.post(f"{API}/commit", json=body)
    assert done.status_code == 201 and done.json()["sha1"] == sha1
    assert alice.get(f"{API}/content", params={"path": "big.bin"}).content == data
    assert alice.head(where, headers=TUS).status_code == 404, "the upload is gone once named"


@local_blobs_only("it looks into the local upload folder; on S3 uploads are multipart")
def test_tus_commit_with_another_digest_keeps_nothing(world: LinksWorld) -> None:
    alice = world.owner
    where = _tus_start(alice, "x")
    alice.patch(
        where, content=b"abc", headers={**OFFSET, "Upload-Offset": "0", "Upload-Length": "3"}
    )
    body = {"upload": where.rsplit("/", 1)[1], "path": "x", "sha1": "1" * 40}
    assert alice.post(f"{API}/commit", json=body).status_code == 422
    assert _paths(alice) == []
    assert list(world.app.state.files.uploads.root.iterdir()) == []


def test_another_users_upload_cannot_be_seen_or_committed(world: LinksWorld) -> None:
    alice, bob = world.owner, _bob(world.app)
    where = _tus_start(alice, "a")
    alice.patch(
        where, content=b"abc", headers={**OFFSET, "Upload-Offset": "0", "Upload-Length": "3"}
    )
    assert bob.head(where, headers=TUS).status_code == 404
    body = {"upload": where.rsplit("/", 1)[1], "path": "stolen"}
    assert bob.post(f"{API}/commit", json=body).status_code == 404
    assert _paths(bob) == []


@pytest.mark.both_databases
def test_an_interrupted_upload_leaves_nothing_under_its_name(world: LinksWorld) -> None:
    files: FileService = world.app.state.files
    user = asyncio.run(world.app.state.services.store.user_by_name("alice"))
    assert user is not None

    async def cut_off() -> AsyncIterator[bytes]:
        yield b"first half"
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        asyncio.run(files.put(user.id, "cut.txt", cut_off(), mtime_ns=0, expected_sha1=None))
    assert _paths(world.owner) == []
    assert list(files.incoming.iterdir()) == []
    # Through tus: the bytes that arrived wait for a resume; nothing has the final name.
    where = _tus_start(world.owner, "cut.bin")
    world.owner.patch(where, content=b"part", headers={**OFFSET, "Upload-Offset": "0"})
    assert _paths(world.owner) == []


@pytest.fixture
def quota_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LinksWorld:
    monkeypatch.setenv("SYNCOXIDE_LINK_QUOTA_BYTES", "1000")
    return make_world(tmp_path)


def test_quota_refuses_an_oversized_put_and_keeps_nothing(quota_world: LinksWorld) -> None:
    alice = quota_world.owner
    _put(alice, "small.bin", b"x" * 600)
    refused = alice.put(f"{API}/content", params={"path": "more.bin"}, content=b"y" * 600)
    assert refused.status_code == 413 and "quota" in refused.json()["message"]
    assert _paths(alice) == ["small.bin"]
    assert list(quota_world.app.state.files.incoming.iterdir()) == []
    replacing = alice.put(f"{API}/content", params={"path": "small.bin"}, content=b"z" * 900)
    assert replacing.status_code == 200, "a replaced file's bytes are given back"
    assert alice.get(f"{API}/usage").json() == {"used": 900, "room": 100}
    copy = alice.post(f"{API}/copy", json={"source": "small.bin", "target": "c.bin"})
    assert copy.status_code == 413


def test_quota_refuses_oversized_tus_uploads_and_drops_them(quota_world: LinksWorld) -> None:
    alice = quota_world.owner
    told = alice.post(
        f"{API}/uploads/",
        headers={**TUS, "Upload-Length": "5000", "Upload-Metadata": metadata(path="big")},
    )
    assert told.status_code == 413
    where = _tus_start(alice, "big")
    first = alice.patch(where, content=b"a" * 800, headers={**OFFSET, "Upload-Offset": "0"})
    assert first.status_code == 204
    over = alice.patch(where, content=b"b" * 800, headers={**OFFSET, "Upload-Offset": "800"})
    assert over.status_code == 413 and "quota" in over.json()["message"]
    assert alice.head(where, headers=TUS).status_code == 404, "the refused upload was dropped"
    assert _paths(alice) == []


def test_links_and_files_share_one_quota(quota_world: LinksWorld) -> None:
    alice = quota_world.owner
    _put(alice, "files.bin", b"x" * 900)
    share = alice.post("/api/v1/shares", json={"title": "t"}).json()["id"]
    refused = alice.post(
        "/api/v1/uploads/",
        headers={**TUS, "Upload-Length": "200", "Upload-Metadata": metadata(share=share, path="a")},
    )
    assert refused.status_code == 413


@local_blobs_only("it looks into the local upload folder; on S3 uploads are multipart")
def test_abandoned_storage_uploads_are_swept_from_disk(world: LinksWorld) -> None:
    _tus_start(world.owner, "left.bin")
    uploads = world.app.state.files.uploads.root
    assert len(list(uploads.glob("*.bin"))) == 1
    world.clock.now += 8 * 24 * 3600  # past the 7-day expiry of storage uploads
    world.owner.headers["X-CSRF-Token"] = sign_in(world.owner, "alice")  # the session expired
    _tus_start(world.owner, "next.bin")
    assert len(list(uploads.glob("*.bin"))) == 1  # only the new one is left


def test_an_upload_finished_before_a_restart_is_hashed_from_disk(world: LinksWorld) -> None:
    alice = world.owner
    where = _tus_start(alice, "r.bin")
    headers = {**OFFSET, "Upload-Offset": "0", "Upload-Length": "6"}
    assert alice.patch(where, content=b"resume", headers=headers).status_code == 204
    world.app.state.files.uploads._digests.clear()  # what a restart forgets
    sha1 = hashlib.sha1(b"resume").hexdigest()
    body = {"upload": where.rsplit("/", 1)[1], "path": "r.bin", "sha1": sha1}
    done = alice.post(f"{API}/commit", json=body)
    assert (
        done.status_code == 201 and done.json()["sha256"] == hashlib.sha256(b"resume").hexdigest()
    )


def test_names_beyond_the_basic_plane_are_listed(world: LinksWorld) -> None:
    alice = world.owner
    for name in ("\U0001f600/smile.txt", "\U0010ffffend.txt", "plain.txt"):
        _put(alice, name, b"x")
    assert _paths(alice) == ["plain.txt", "\U0001f600", "\U0001f600/smile.txt", "\U0010ffffend.txt"]
    assert alice.delete(API, params={"path": "\U0001f600", "recursive": "true"}).status_code == 204
    assert _paths(alice) == ["plain.txt", "\U0010ffffend.txt"]


def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_version(
    world: LinksWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = world.owner
    _put(alice, "keep.txt", b"original")

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("syncoxide.server.files.service.os.fsync", disk_full)
        reply = alice.put(f"{API}/content", params={"path": "keep.txt"}, content=b"new")
    assert reply.status_code == 507 and reply.json()["error"] == "storage_full"
    assert "disk is full" in reply.json()["message"]
    assert alice.get(f"{API}/content", params={"path": "keep.txt"}).content == b"original"
    assert list(world.app.state.files.incoming.iterdir()) == []
