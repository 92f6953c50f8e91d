"""The gRPC API against a real ``syncoxide serve --grpc-port``: the same operations and
refusals as REST, streaming uploads, downloads and events, tokens of other accounts refused."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import grpc
import pytest

from syncoxide.server.grpc.v1 import api_pb2 as pb
from syncoxide.server.grpc.v1 import api_pb2_grpc as rpc
from tests.server.grpc.grpc_world import PART, TIMEOUT, GrpcServer, refused, signed, upload

pytestmark = pytest.mark.live  # starts real servers


def download(files: rpc.FilesStub, token: str, path: str, offset: int = 0) -> bytes:
    chunks = files.Download(
        pb.DownloadRequest(path=path, offset=offset), metadata=signed(token), timeout=TIMEOUT
    )
    return b"".join(chunk.data for chunk in chunks)


def test_me_answers_with_a_token_and_refuses_without(server: GrpcServer) -> None:
    files = server.files()
    me = files.Me(pb.MeRequest(), metadata=signed(server.alice), timeout=TIMEOUT)
    assert me.user.name == "alice"
    assert me.via == "token"
    assert refused(lambda: files.Me(pb.MeRequest(), timeout=TIMEOUT)) == (
        grpc.StatusCode.UNAUTHENTICATED
    )
    wrong = signed("sxo_not_a_token")
    assert refused(lambda: files.Me(pb.MeRequest(), metadata=wrong, timeout=TIMEOUT)) == (
        grpc.StatusCode.UNAUTHENTICATED
    )


def test_streamed_upload_is_the_file_rest_serves_and_downloads_resume(
    server: GrpcServer,
) -> None:
    files = server.files()
    data = os.urandom(3 * PART + 4321)
    sha1 = hashlib.sha1(data).hexdigest()
    entry = upload(files, server.alice, "grpc/big.bin", data, sha1)
    assert (entry.size, entry.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    with server.rest(server.alice) as rest:
        stored = rest.get("/api/v1/storage/content", params={"path": "grpc/big.bin"})
    assert stored.content == data
    assert download(files, server.alice, "grpc/big.bin") == data
    assert download(files, server.alice, "grpc/big.bin", offset=len(data) - 5000) == data[-5000:]
    listing = files.ListStorage(
        pb.ListStorageRequest(path="grpc"), metadata=signed(server.alice), timeout=TIMEOUT
    )
    assert [e.path for e in listing.entries] == ["grpc/big.bin"]
    assert not listing.HasField("next_after")


def test_an_upload_with_the_wrong_digest_keeps_nothing(server: GrpcServer) -> None:
    files = server.files()
    code = refused(lambda: upload(files, server.alice, "grpc/bad.bin", b"abc", "0" * 40))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    stat = pb.PathRequest(path="grpc/bad.bin")
    assert (
        refused(lambda: files.StatStorage(stat, metadata=signed(server.alice), timeout=TIMEOUT))
        == grpc.StatusCode.NOT_FOUND
    )


def test_an_upload_without_a_time_is_stamped_and_a_given_one_kept(server: GrpcServer) -> None:
    files, given = server.files(), 1_600_000_000_123_456_789
    assert upload(files, server.alice, "times/kept.txt", b"same", mtime_ns=given).mtime_ns == given
    before = time.time_ns()
    stamped = upload(files, server.alice, "times/kept.txt", b"SAME", mtime_ns=0)  # proto3 unset
    assert before <= stamped.mtime_ns <= time.time_ns(), "a same-size rewrite moves the time"
    request = pb.PathRequest(path="times/kept.txt")
    stat = files.StatStorage(request, metadata=signed(server.alice), timeout=TIMEOUT)
    assert stat.mtime_ns == stamped.mtime_ns
    absurd = lambda: upload(files, server.alice, "times/bad.txt", b"x", mtime_ns=-1)  # noqa: E731
    assert refused(absurd) == grpc.StatusCode.INVALID_ARGUMENT


def test_malformed_uploads_and_paths_are_refused(server: GrpcServer) -> None:
    files = server.files()
    data_first = iter([pb.UploadPart(data=b"no header")])
    assert (
        refused(lambda: files.Upload(data_first, metadata=signed(server.alice), timeout=TIMEOUT))
        == grpc.StatusCode.INVALID_ARGUMENT
    )
    escaping = pb.PathRequest(path="../outside")
    assert (
        refused(
            lambda: files.MakeStorageFolder(
                escaping, metadata=signed(server.alice), timeout=TIMEOUT
            )
        )
        == grpc.StatusCode.INVALID_ARGUMENT
    )
    negative = pb.DownloadRequest(path="x", offset=-1)
    assert (
        refused(
            lambda: b"".join(
                c.data for c in files.Download(negative, metadata=signed(server.alice), timeout=5)
            )
        )
        == grpc.StatusCode.INVALID_ARGUMENT
    )


def test_moves_copies_and_deletes_run_the_rest_operations(server: GrpcServer) -> None:
    files, token = server.files(), signed(server.alice)
    upload(files, server.alice, "ops/a.txt", b"hello")
    moved = files.MoveStorage(pb.TwoPaths(source="ops/a.txt", target="ops/b.txt"), metadata=token)
    assert moved.path == "ops/b.txt"
    copied = files.CopyStorage(pb.TwoPaths(source="ops/b.txt", target="ops/c.txt"), metadata=token)
    assert copied.sha1 == hashlib.sha1(b"hello").hexdigest()
    clash = pb.TwoPaths(source="ops/b.txt", target="ops/c.txt")
    assert refused(lambda: files.MoveStorage(clash, metadata=token)) == (
        grpc.StatusCode.ALREADY_EXISTS
    )
    files.DeleteStorage(pb.DeleteStorageRequest(path="ops", recursive=True), metadata=token)
    usage = files.StorageUsage(pb.MeRequest(), metadata=token)
    assert usage.used >= 0


def test_another_accounts_token_reaches_nothing(server: GrpcServer) -> None:
    files = server.files()
    upload(files, server.alice, "private/only-alice.txt", b"secret")
    with server.rest(server.alice) as rest:
        share = rest.post("/api/v1/shares", json={"title": "mine"})
    assert share.status_code == 201, share.text
    share_id = share.json()["id"]
    bob = signed(server.bob)
    path = pb.PathRequest(path="private/only-alice.txt")
    assert refused(lambda: files.StatStorage(path, metadata=bob)) == grpc.StatusCode.NOT_FOUND
    assert refused(lambda: download(files, server.bob, "private/only-alice.txt")) == (
        grpc.StatusCode.NOT_FOUND
    )
    shares = rpc.SharesStub(server.channel)
    assert list(shares.ListShares(pb.ListLinksRequest(), metadata=bob).links) == []
    assert refused(lambda: shares.RevokeShare(pb.LinkId(link_id=share_id), metadata=bob)) == (
        grpc.StatusCode.NOT_FOUND
    )
    mine = shares.ListShares(pb.ListLinksRequest(), metadata=signed(server.alice)).links
    assert [link.id for link in mine] == [share_id]
    shares.RevokeShare(pb.LinkId(link_id=share_id), metadata=signed(server.alice))


def test_watch_streams_events_and_ends_when_its_token_is_revoked(
    server: GrpcServer, tmp_path: Path
) -> None:
    events = rpc.EventsStub(server.channel)
    with server.rest(server.alice) as rest:
        made = rest.post("/api/v1/tokens", json={"label": "watcher"})
        assert made.status_code == 201, made.text
        watcher_token, watcher_id = made.json()["token"], made.json()["record"]["id"]
        last = events.ListEvents(pb.ListEventsRequest(), metadata=signed(server.alice)).last_id
        stream = events.Watch(
            pb.WatchRequest(after=last), metadata=signed(watcher_token), timeout=TIMEOUT
        )
        seen: list[pb.Event] = []
        ended: list[grpc.StatusCode] = []

        def read() -> None:
            try:
                for event in stream:
                    seen.append(event)
            except grpc.RpcError as error:
                ended.append(error.code())

        reader = threading.Thread(target=read)
        reader.start()
        assert rest.post("/api/v1/tokens", json={"label": "second"}).status_code == 201
        # Revoke only once the stream is seen to be live: a token revoked before the server
        # takes the call is refused at once, which is right but is not what this test is about.
        deadline = time.monotonic() + TIMEOUT
        while not seen and reader.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen, f"the watch delivered nothing before revocation (ended: {ended})"
        assert rest.delete(f"/api/v1/tokens/{watcher_id}").status_code == 204
        reader.join(TIMEOUT)
    assert not reader.is_alive()
    assert ended == [grpc.StatusCode.UNAUTHENTICATED]
    kinds = [event.kind for event in seen]
    assert kinds[-1] == "token.revoked"
    assert "token.created" in kinds
    assert seen[-1].payload["id"] == watcher_id
