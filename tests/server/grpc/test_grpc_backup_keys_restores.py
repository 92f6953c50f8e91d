"""Backup SSH keys, archive browsing and restores over a ``grpc.aio`` channel against a real
server and real borg: each call does what its REST route does for its owner, another account
reaches nothing, and bad input (a malformed archive name, a bad quota) gets a clear error."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from syncoxide.server.grpc.v1 import api_pb2 as pb
from syncoxide.server.grpc.v1 import api_pb2_grpc as rpc
from tests.server.backups.backups_world import PASSPHRASE, back_up_from_a_client, make_tree
from tests.server.grpc.grpc_world import TIMEOUT, GrpcServer, signed

pytestmark = [
    pytest.mark.live,  # starts a real server
    pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed"),
]

ARCHIVE = "docs-2026-12-06T10:00:00"
Code = grpc.StatusCode


@dataclass(frozen=True)
class Backed:
    """Alice's hosted repository holding ARCHIVE of ``tree``, and her storage connection."""

    repository_id: int
    home_id: int
    tree: dict[str, bytes]


@pytest.fixture(scope="module")
def backed(server: GrpcServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backed]:
    source = tmp_path_factory.mktemp("grpc-backup-source")
    tree = make_tree(source / "home", files=30)
    with server.rest(server.alice) as rest:
        home = rest.post(
            "/api/v1/connections", json={"name": "home", "kind": "home", "options": {}}
        )
        assert home.status_code == 201, home.text
        made = rest.post(
            "/api/v1/backups/repositories", json={"name": "docs", "passphrase": PASSPHRASE}
        )
        assert made.status_code == 201, made.text
        area = Path(rest.get("/api/v1/backups/hosting").json()["area"])
    back_up_from_a_client(area, "docs", source / "home", ARCHIVE)
    yield Backed(int(made.json()["id"]), int(home.json()["id"]), tree)


def live(scenario: Callable[[rpc.BackupsAsyncStub, rpc.FilesAsyncStub], Awaitable[None]],
         server: GrpcServer) -> None:  # fmt: skip
    """Run ``scenario`` with stubs on a fresh ``grpc.aio`` channel to the server."""

    async def run() -> None:
        async with grpc.aio.insecure_channel(server.target) as channel:
            await asyncio.wait_for(channel.channel_ready(), TIMEOUT)
            await scenario(rpc.BackupsStub(channel), rpc.FilesStub(channel))

    asyncio.run(run())


async def refused(
    call: Callable[..., Awaitable[Any]], request: Any, token: str
) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(request, metadata=signed(token), timeout=TIMEOUT)
    return caught.value


async def code_of(call: Callable[..., Awaitable[Any]], request: Any, token: str) -> Code:
    code: Code = (await refused(call, request, token)).code()
    return code


async def settled(backups: rpc.BackupsAsyncStub, token: str, restore_id: int) -> pb.Restore:
    """The restore once it is no longer running."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        restore = await backups.GetRestore(
            pb.RestoreId(restore_id=restore_id), metadata=signed(token), timeout=TIMEOUT
        )
        if restore.status != "running":
            return restore
        await asyncio.sleep(0.2)
    raise AssertionError(f"restore {restore_id} still runs after 90 s")


async def following(backups: rpc.BackupsAsyncStub, token: str, restore_id: int) -> list[pb.Restore]:
    """Every reply of ``FollowRestore`` until the stream ends (it ends with the last state)."""
    stream = backups.FollowRestore(
        pb.RestoreId(restore_id=restore_id), metadata=signed(token), timeout=90
    )
    replies = [restore async for restore in stream]
    assert replies and all(r.status == "running" for r in replies[:-1]), replies
    assert replies[-1].status != "running"
    return replies


async def stored_digests(files: rpc.FilesAsyncStub, token: str, folder: str) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` of the caller's storage, read back over gRPC."""
    listed = await files.ListStorage(
        pb.ListStorageRequest(path=folder, recursive=True), metadata=signed(token)
    )
    digests = {}
    for entry in listed.entries:
        if entry.kind == "file":
            read = hashlib.sha256()
            async for chunk in files.Download(
                pb.DownloadRequest(path=entry.path), metadata=signed(token)
            ):
                read.update(chunk.data)
            digests[entry.path.removeprefix(folder + "/")] = read.hexdigest()
    return digests


def _hashes(tree: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in tree.items()}


def _public_key(comment: str) -> str:
    raw = Ed25519PrivateKey.generate().public_key()
    return raw.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode() + f" {comment}"


def test_ssh_keys_are_added_listed_and_deleted_by_their_owner_only(server: GrpcServer) -> None:
    async def scenario(backups: rpc.BackupsAsyncStub, _files: rpc.FilesAsyncStub) -> None:
        alice, bob, everything = signed(server.alice), signed(server.bob), pb.ListBackupsRequest()
        key = _public_key("alice@laptop")
        added = await backups.AddKey(
            pb.AddKeyRequest(public_key=key, append_only=True, quota="5G"), metadata=alice
        )
        assert (added.label, added.append_only, added.quota) == ("alice@laptop", True, "5G")
        assert key.startswith(added.public_key)
        listed = (await backups.ListKeys(everything, metadata=alice)).keys
        assert [k.id for k in listed] == [added.id]
        assert list((await backups.ListKeys(everything, metadata=bob)).keys) == []
        alices = pb.KeyId(key_id=added.id)
        assert await code_of(backups.DeleteKey, alices, server.bob) == Code.NOT_FOUND
        taken = pb.AddKeyRequest(public_key=key)
        assert await code_of(backups.AddKey, taken, server.bob) == Code.ALREADY_EXISTS
        for bad in (
            pb.AddKeyRequest(public_key="not a key"),
            pb.AddKeyRequest(public_key=_public_key("x"), quota="lots"),
        ):
            assert await code_of(backups.AddKey, bad, server.alice) == Code.INVALID_ARGUMENT
        assert [k.id for k in (await backups.ListKeys(everything, metadata=alice)).keys] == [
            added.id
        ]
        await backups.DeleteKey(alices, metadata=alice)
        assert list((await backups.ListKeys(everything, metadata=alice)).keys) == []
        assert await code_of(backups.DeleteKey, alices, server.alice) == Code.NOT_FOUND

        identity = await backups.GetIdentity(everything, metadata=alice)
        assert identity.public_key.startswith("ssh-") and identity.fingerprint
        assert identity.public_key.split()[1] in identity.authorized_keys
        assert (await backups.GetIdentity(everything, metadata=bob)).public_key != (
            identity.public_key
        )

    live(scenario, server)


def test_an_archive_is_browsed_folder_by_folder(server: GrpcServer, backed: Backed) -> None:
    async def scenario(backups: rpc.BackupsAsyncStub, _files: rpc.FilesAsyncStub) -> None:
        alice = signed(server.alice)
        repository = pb.RepositoryId(repository_id=backed.repository_id)
        archives = (await backups.ListArchives(repository, metadata=alice)).archives
        assert [a.name for a in archives] == [ARCHIVE]
        browse = pb.BrowseArchiveRequest(repository_id=backed.repository_id, archive=ARCHIVE)
        top = await backups.BrowseArchive(browse, metadata=alice)
        assert (top.path, [(e.name, e.kind) for e in top.entries]) == ("", [("docs", "dir")])
        browse.path = "docs/sub1"
        folder = await backups.BrowseArchive(browse, metadata=alice)
        expected = {p: len(d) for p, d in backed.tree.items() if p.startswith("docs/sub1/")}
        assert {e.path: e.size for e in folder.entries} == expected
        assert all(e.kind == "file" and e.mtime > 0 for e in folder.entries)

    live(scenario, server)


def test_browsing_refuses_bad_names_missing_archives_and_other_accounts(
    server: GrpcServer, backed: Backed
) -> None:
    async def scenario(backups: rpc.BackupsAsyncStub, _files: rpc.FilesAsyncStub) -> None:
        def browse(archive: str, path: str = "") -> pb.BrowseArchiveRequest:
            return pb.BrowseArchiveRequest(
                repository_id=backed.repository_id, archive=archive, path=path
            )

        bad_name = await refused(backups.BrowseArchive, browse("docs/../x"), server.alice)
        assert bad_name.code() == Code.INVALID_ARGUMENT
        assert "is not a usable archive name" in (bad_name.details() or "")
        assert await code_of(backups.BrowseArchive, browse(""), server.alice) == (
            Code.INVALID_ARGUMENT
        )
        missing = await refused(backups.BrowseArchive, browse("nope-2026"), server.alice)
        assert missing.code() == Code.NOT_FOUND, missing.details()
        gone = browse(ARCHIVE, "docs/not-there")
        assert await code_of(backups.BrowseArchive, gone, server.alice) == Code.NOT_FOUND
        a_file = browse(ARCHIVE, next(iter(backed.tree)))
        assert await code_of(backups.BrowseArchive, a_file, server.alice) == Code.INVALID_ARGUMENT
        assert await code_of(backups.BrowseArchive, browse(ARCHIVE), server.bob) == Code.NOT_FOUND

    live(scenario, server)


def test_a_restore_runs_shows_progress_and_writes_the_archive_back(
    server: GrpcServer, backed: Backed
) -> None:
    async def scenario(backups: rpc.BackupsAsyncStub, files: rpc.FilesAsyncStub) -> None:
        alice = signed(server.alice)
        request = pb.RestoreArchiveRequest(
            repository_id=backed.repository_id, archive=ARCHIVE,
            connection_id=backed.home_id, path="docs", dest_path="restored-all",
        )  # fmt: skip
        started = await backups.RestoreArchive(request, metadata=alice)
        assert (started.status, started.archive, started.files) == ("running", ARCHIVE, 0)
        assert not started.HasField("finished_at")
        followed = await following(backups, server.alice, started.id)
        assert followed[0].status == "running" and len(set(map(str, followed))) == len(followed)
        assert [r.bytes for r in followed] == sorted(r.bytes for r in followed)
        done = followed[-1]
        total = sum(map(len, backed.tree.values()))
        assert (done.status, done.files, done.files_total) == ("ok", 30, 30), done.message
        assert (done.bytes, done.bytes_total) == (total, total)
        assert done.HasField("finished_at")
        listed = (await backups.ListRestores(pb.ListBackupsRequest(), metadata=alice)).restores
        assert started.id in [r.id for r in listed]
        restored = await stored_digests(files, server.alice, "restored-all")
        assert restored == _hashes(backed.tree)
        finished = pb.RestoreId(restore_id=done.id)
        assert await following(backups, server.alice, done.id) == [done]  # over: one reply
        stream = backups.FollowRestore(finished, metadata=signed(server.bob), timeout=TIMEOUT)
        with pytest.raises(grpc.aio.AioRpcError) as elsewhere:
            await anext(aiter(stream))
        assert elsewhere.value.code() == Code.NOT_FOUND
        nothing = await refused(backups.CancelRestore, finished, server.alice)
        assert nothing.code() == Code.INVALID_ARGUMENT
        assert "nothing to cancel" in (nothing.details() or "")
        assert await code_of(backups.RestartRestore, finished, server.alice) == (
            Code.INVALID_ARGUMENT
        )

    live(scenario, server)


def test_a_cancelled_restore_stops_and_can_be_started_again(
    server: GrpcServer, backed: Backed
) -> None:
    async def scenario(backups: rpc.BackupsAsyncStub, files: rpc.FilesAsyncStub) -> None:
        alice = signed(server.alice)
        request = pb.RestoreArchiveRequest(
            repository_id=backed.repository_id, archive=ARCHIVE,
            connection_id=backed.home_id, dest_path="restored-again",
        )  # fmt: skip
        started = await backups.RestoreArchive(request, metadata=alice)
        # borg lists the archive before writing anything: a cancel now finds it running
        asked = await backups.CancelRestore(pb.RestoreId(restore_id=started.id), metadata=alice)
        assert (asked.id, asked.cancel_requested) == (started.id, True)
        cancelled = await settled(backups, server.alice, started.id)
        assert cancelled.status == "cancelled", cancelled.message
        assert "Start it again" in cancelled.message
        again = await backups.RestartRestore(pb.RestoreId(restore_id=started.id), metadata=alice)
        assert again.id != started.id and again.status == "running"
        finished = await settled(backups, server.alice, again.id)
        assert (finished.status, finished.files) == ("ok", 30), finished.message
        restored = await stored_digests(files, server.alice, "restored-again")
        assert restored == _hashes(backed.tree)

    live(scenario, server)


def test_restores_refuse_other_accounts_bad_names_and_revoked_tokens(
    server: GrpcServer, backed: Backed
) -> None:
    with server.rest(server.alice) as rest:
        made = rest.post("/api/v1/tokens", json={"label": "gone"})
        assert made.status_code == 201, made.text
        assert rest.delete(f"/api/v1/tokens/{made.json()['record']['id']}").status_code == 204
    revoked = str(made.json()["token"])

    async def scenario(backups: rpc.BackupsAsyncStub, _files: rpc.FilesAsyncStub) -> None:
        alice, everything = signed(server.alice), pb.ListBackupsRequest()

        def restore(archive: str, connection_id: int) -> pb.RestoreArchiveRequest:
            return pb.RestoreArchiveRequest(
                repository_id=backed.repository_id, archive=archive,
                connection_id=connection_id, path="docs/sub0", dest_path="bob-was-here",
            )  # fmt: skip

        bad = await refused(backups.RestoreArchive, restore("a::b", backed.home_id), server.alice)
        assert bad.code() == Code.INVALID_ARGUMENT
        assert "is not a usable archive name" in (bad.details() or "")
        mine = await backups.RestoreArchive(restore(ARCHIVE, backed.home_id), metadata=alice)
        restore_id = pb.RestoreId(restore_id=mine.id)
        # bob can neither restore alice's repository nor into alice's connection, nor see hers
        onto = restore(ARCHIVE, backed.home_id)
        assert await code_of(backups.RestoreArchive, onto, server.bob) == Code.NOT_FOUND
        for call in (backups.GetRestore, backups.CancelRestore, backups.RestartRestore):
            assert await code_of(call, restore_id, server.bob) == Code.NOT_FOUND
        bobs = (await backups.ListRestores(everything, metadata=signed(server.bob))).restores
        assert list(bobs) == []
        for call, request in (
            (backups.ListRestores, everything),
            (backups.GetRestore, restore_id),
            (backups.ListKeys, everything),
            (backups.BrowseArchive, pb.BrowseArchiveRequest(
                repository_id=backed.repository_id, archive=ARCHIVE)),
        ):  # fmt: skip
            assert await code_of(call, request, revoked) == Code.UNAUTHENTICATED
        done = await settled(backups, server.alice, mine.id)
        assert (done.status, done.files) == ("ok", 10), done.message  # untouched by bob

    live(scenario, server)
