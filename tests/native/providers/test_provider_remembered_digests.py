"""One-way sync to S3 (rclone serve s3, moto) and SFTP (OpenSSH) moves renamed files server-side
by the digests the pair remembered from its own earlier copies (``syncoxide.sync.digest_cache``).

Neither destination lists a digest both sides can compare (S3's ETag is no MD5 for a multipart
object, SFTP has none), so without them a renamed file was uploaded again. Each test talks to
the server through a counting relay, so "0 bytes uploaded" is measured on the wire, and counts
the provider's writes and moves. The other test rewrites a destination file to other bytes of
the same size before its source is renamed: its remembered digest is stale and must not pair.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.parts import PartSettings
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.sftp.provider import SftpProvider
from syncoxide.providers.contract import Provider
from syncoxide.sync.digest_cache import decode_cache
from syncoxide.sync.plan import ActionKind, Mode
from syncoxide.system import SystemClock, SystemRandom
from tests.native.providers.counting_proxy import CountingProxy, counting_proxy
from tests.native.providers.s3 import test_provider_s3
from tests.native.providers.sftp import test_provider_sftp
from tests.native.providers.tree_contents import file_contents
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server, SshServer

pytestmark = pytest.mark.live

KINDS = ["s3-rclone", "s3-moto", "sftp"]
SMALL = 200_000
BIG = test_provider_s3.SMALL_PARTS + 300_000  # a multipart object on S3: its ETag is no MD5
T0 = 1_700_000_000


def _bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


FILES = {"d/a": _bytes(1, SMALL), "d/b": _bytes(2, SMALL), "big.bin": _bytes(3, BIG)}


class _Watched:
    """Counts the destination's uploads (bytes handed to any of its writes) and its
    server-side moves."""

    def __init__(self, target: Any) -> None:
        self.written, self.moves, self.parts = 0, 0, 0
        write, move = target.write, target.move
        target.write = lambda path, chunks, **kw: write(path, self._counted(chunks), **kw)
        if hasattr(target, "write_known"):  # S3 takes a big file's digests up front
            known = target.write_known
            target.write_known = lambda path, chunks, digests, **kw: known(
                path, self._counted(chunks), digests, **kw
            )
        if hasattr(target, "write_part"):
            part = target.write_part

            def counted_part(path: str, token: str, offset: int, chunks: Any, **kw: Any) -> Any:
                self.parts += 1
                return part(path, token, offset, self._counted(chunks), **kw)

            target.write_part = counted_part

        async def counted_move(source: str, target_path: str) -> None:
            self.moves += 1
            await move(source, target_path)

        target.move = counted_move
        if hasattr(target, "move_listed"):  # S3: a move the engine's listing already checked
            listed_move = target.move_listed

            async def counted_listed_move(source: Any, target_path: str, **kw: Any) -> None:
                self.moves += 1
                await listed_move(source, target_path, **kw)

            target.move_listed = counted_listed_move

    async def _counted(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self.written += len(chunk)
            yield chunk


@contextmanager
def _destination(kind: str, request: pytest.FixtureRequest) -> Iterator[tuple[Any, CountingProxy]]:
    """The destination provider, talking to its server through a counting relay."""
    if kind.startswith("s3-"):
        server: S3Server = request.getfixturevalue(f"{kind[3:]}_s3")
        settings = test_provider_s3._settings(server)
        with counting_proxy(int(server.endpoint.rsplit(":", 1)[1])) as proxy:
            yield (
                S3Provider(replace(settings, endpoint_url=f"http://127.0.0.1:{proxy.port}")),
                proxy,
            )
        return
    ssh: SshServer = request.getfixturevalue("sshd_server")
    sftp = test_provider_sftp._settings(ssh)
    with counting_proxy(ssh.port) as proxy:
        host_line = ssh.known_hosts.read_text().split(" ", 1)[1]
        through = replace(
            sftp,
            port=proxy.port,
            known_hosts=None,
            known_hosts_data=f"[127.0.0.1]:{proxy.port} {host_line}",
        )
        yield SftpProvider(through), proxy


def _seed(root: Path, files: dict[str, bytes]) -> None:
    for number, (path, content) in enumerate(sorted(files.items())):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
        os.utime(root / path, (T0 + 100 * number, T0 + 100 * number))


#: The big file in two parts of S3's smallest size (``syncoxide.engine.parts``): parts are
#: hashed apart, so its digest for the pair to remember is read from the source alongside.
IN_PARTS = PartSettings(2, test_provider_s3.SMALL_PARTS, test_provider_s3.SMALL_PARTS)


async def _sync(
    one: Provider, two: Provider, store: MemoryPairStore, parts: PartSettings | None = None
) -> RunReport:
    options = RunOptions(mode=Mode.SYNC, transfers=4, parts=parts or PartSettings())
    report = await run_pair(one, two, store, options, clock=SystemClock(), random=SystemRandom())
    assert not report.failures, report.failures
    return report


def _renamed(root: Path) -> None:
    (root / "e").mkdir()
    (root / "d/a").rename(root / "e/a2")
    (root / "big.bin").rename(root / "e/big2.bin")


@pytest.mark.parametrize("in_parts", [False, True], ids=["whole", "in-parts"])
@pytest.mark.parametrize("kind", KINDS)
def test_renamed_files_move_server_side_with_nothing_uploaded(
    kind: str, in_parts: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = tmp_path / "one"
    _seed(source, FILES)

    async def run(target: Any, proxy: CountingProxy) -> None:
        one, store, watch = LocalProvider(source), MemoryPairStore(), _Watched(target)
        parts = IN_PARTS if in_parts else None
        first = await _sync(one, target, store, parts)
        assert watch.written == sum(map(len, FILES.values()))
        assert (watch.parts > 0) == in_parts, first.outcomes
        remembered = decode_cache(store.digests, target.root_id).files
        assert remembered.keys() == FILES.keys()  # every copy left its digests
        _renamed(source)
        watch.written = watch.moves = 0
        sent_before = proxy.sent
        report = await _sync(one, target, store, parts)
        kinds = sorted(a.kind.value for a in report.plan.actions if a.kind is not ActionKind.MKDIR)
        if kind == "s3-rclone" and in_parts:
            # The known limit: rclone serve s3 lists another ETag (the plain MD5) than its
            # CompleteMultipartUpload returned, and parts give no whole MD5 to prove it by;
            # the big file goes up again, the small one still moves.
            assert kinds == ["copy", "delete", "rename"], report.plan.actions
            assert (watch.written, watch.moves) == (BIG, 1)
        else:
            assert kinds == ["rename", "rename"], report.plan.actions
            assert (watch.written, watch.moves) == (0, 2)
            # Requests only (listing, HEADs, copy + delete, SSH packets): no file's bytes.
            assert proxy.sent - sent_before < SMALL // 4
        expected = {"d/b": FILES["d/b"], "e/a2": FILES["d/a"], "e/big2.bin": FILES["big.bin"]}
        assert await file_contents(target) == expected
        remembered = decode_cache(store.digests, target.root_id).files
        assert remembered.keys() == expected.keys()  # the records followed the moves
        assert (await _sync(one, target, store, parts)).plan.actions == ()

    with _destination(kind, request) as (target, proxy):
        asyncio.run(_closing(target, run(target, proxy)))


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


def _dies_at_the_second_part(target: Any) -> None:
    """Makes ``target``'s second part kill the run."""
    part = target.write_part
    went = 0

    async def dying(path: str, token: str, offset: int, chunks: Any, **kw: Any) -> None:
        nonlocal went
        if went:
            raise Killed
        went += 1
        await part(path, token, offset, chunks, **kw)

    target.write_part = dying


def _new_process(target: Any, state: Path) -> Any:
    """The same destination as a new process opens it: nothing carried over in memory."""
    again = type(target)(target._settings)
    if hasattr(again, "keep_state_in"):  # S3 names its open uploads in a ledger file
        again.keep_state_in(state)
    return again


@pytest.mark.parametrize("kind", ["s3-moto", "sftp"])
def test_a_resumed_copy_in_parts_is_remembered_so_its_rename_moves(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The whole-file digest a resumed copy in parts reads alongside is kept, also when the
    resume left the run nothing else to do, so renaming that file later moves it."""
    source = tmp_path / "one"
    _seed(source, {"big.bin": FILES["big.bin"]})
    one, store = LocalProvider(source), MemoryPairStore()

    async def after_the_kill(target: Any) -> None:
        watch = _Watched(target)
        report = await _sync(one, target, store, IN_PARTS)
        assert "big.bin" in {o.action.path for o in report.resumed if o.written is not None}
        assert watch.parts == 1  # only the part the killed run had not stored
        assert "big.bin" in decode_cache(store.digests, target.root_id).files
        (source / "big.bin").rename(source / "big2.bin")
        watch.written = watch.moves = 0
        report = await _sync(one, target, store, IN_PARTS)
        assert [a.kind for a in report.plan.actions] == [ActionKind.RENAME], report.plan.actions
        assert (watch.written, watch.moves) == (0, 1)

    with _destination(kind, request) as (target, _):
        dying = _new_process(target, tmp_path / "state")
        _dies_at_the_second_part(dying)
        one_stream = replace(IN_PARTS, streams=1)  # the first part is stored when it dies
        with pytest.raises(Killed):
            asyncio.run(_closing(dying, _sync(one, dying, store, one_stream)))
        again = _new_process(target, tmp_path / "state")
        asyncio.run(_closing(again, after_the_kill(again)))


def _rewrite_same_size(kind: str, target: Any, path: str, content: bytes) -> None:
    """Another program replaces a destination file with other bytes of the same size."""
    if kind.startswith("sftp"):
        on_disk = Path(target._settings.root) / path
        on_disk.write_bytes(content)  # a new mtime, the only change SFTP can show
        os.utime(on_disk, (T0 + 5000, T0 + 5000))
        return
    # The worst case S3 allows: the old mtime written back with it, and no digest of ours.
    settings = target._settings
    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=settings.endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    key = f"{settings.prefix.strip('/')}/{path}"
    metadata = client.head_object(Bucket=settings.bucket, Key=key)["Metadata"]
    old = {name.lower(): value for name, value in metadata.items()}["mtime"]  # case varies
    client.put_object(Bucket=settings.bucket, Key=key, Body=content, Metadata={"mtime": old})
    client.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_changed_at_the_same_size_is_no_rename(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = tmp_path / "one"
    small = {path: content for path, content in FILES.items() if path != "big.bin"}
    _seed(source, small)
    other = _bytes(9, SMALL)

    async def run(target: Any, proxy: CountingProxy) -> None:
        one, store, watch = LocalProvider(source), MemoryPairStore(), _Watched(target)
        await _sync(one, target, store)
        _rewrite_same_size(kind, target, "d/a", other)
        (source / "d/a").rename(source / "d/a2")
        watch.written = watch.moves = 0
        await _sync(one, target, store)
        assert watch.moves == 0  # the rewritten file's old digest paired nothing
        assert watch.written == SMALL  # the renamed file went up again
        assert await file_contents(target) == {"d/a2": small["d/a"], "d/b": small["d/b"]}
        del proxy

    with _destination(kind, request) as (target, proxy):
        asyncio.run(_closing(target, run(target, proxy)))


async def _closing(target: Any, work: Any) -> None:
    try:
        await work
    finally:
        await target.aclose()
