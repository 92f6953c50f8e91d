"""A one-way sync's server-side moves on S3 cost what rclone's do: a CopyObject and a
DeleteObject per file, counted on the wire by a relay that reads the HTTP requests.

The engine listed both sides before it planned the move, so the provider is told what it found
(``MovesListedFiles``) and asks nothing again: no HEAD of the free target or of the source,
no listing of a folder the plan removes anyway. What still guards the data is checked too:
a folder the source keeps survives its last file moving out, and an object written at the
target since the listing is never overwritten where the server honours the copy's
``If-None-Match`` (the two test servers ignore it, as measured: the file then ends as the
careful path would leave it only where the server checks).
"""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.errors import AlreadyExistsError
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.providers.contract import Entry, Provider, chunks_of
from syncoxide.sync.plan import ActionKind, Mode
from syncoxide.system import SystemClock, SystemRandom
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.s3 import test_provider_s3
from tests.native.providers.tree_contents import file_contents
from tests.servers import S3Server

pytestmark = pytest.mark.live

FILES = 6
SIZE = 100_000


async def _sync(one: Provider, two: Provider, store: MemoryPairStore) -> RunReport:
    options = RunOptions(mode=Mode.SYNC, transfers=4)
    report = await run_pair(one, two, store, options, clock=SystemClock(), random=SystemRandom())
    assert not report.failures, report.failures
    return report


def _seed(root: Path) -> dict[str, bytes]:
    files = {f"big/f{n}.bin": random.Random(n).randbytes(SIZE) for n in range(FILES)}
    files["keep/k.bin"] = random.Random(99).randbytes(SIZE)
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    return files


async def _folders(provider: Provider) -> set[str]:
    return {e.path async for page in provider.list_tree() for e in page if e.kind.value == "dir"}


@pytest.mark.parametrize("server_name", ["rclone", "moto"])
def test_a_moved_file_costs_one_copy_and_one_delete(
    server_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server: S3Server = request.getfixturevalue(f"{server_name}_s3")
    source = tmp_path / "one"
    files = _seed(source)
    settings = test_provider_s3._settings(server)
    port = int(server.endpoint.rsplit(":", 1)[1])

    async def run(target: S3Provider, requests: list[str]) -> None:
        one, store = LocalProvider(source), MemoryPairStore()
        await _sync(one, target, store)
        (source / "big").rename(source / "moved")
        # The folder the source keeps loses its only file to a move: it must stay.
        os.rename(source / "keep/k.bin", source / "k2.bin")
        del requests[:]
        report = await _sync(one, target, store)
        renames = [a for a in report.plan.actions if a.kind is ActionKind.RENAME]
        assert len(renames) == FILES + 1, report.plan.actions
        moved = FILES + 1
        copies = [r for r in requests if r.startswith("COPY ")]
        assert len(copies) == moved, requests
        file_deletes = [r for r in requests if r.startswith("DELETE ") and r.endswith(".bin")]
        assert len(file_deletes) == moved, requests
        # Nobody asked again about a file the listing had just shown.
        asked = [r for r in requests if r.startswith("HEAD ") and r.endswith(".bin")]
        assert asked == [], requests
        expected = {f"moved/{p.split('/')[1]}": c for p, c in files.items() if p.startswith("big/")}
        expected["k2.bin"] = files["keep/k.bin"]
        assert await _tree(target) == expected
        assert "keep" in await _folders(target)
        assert "big" not in await _folders(target)
        again = await _sync(one, target, store)
        assert again.plan.actions == (), again.plan.actions

    with counting_proxy(port) as proxy:
        target = S3Provider(replace(settings, endpoint_url=f"http://127.0.0.1:{proxy.port}"))
        asyncio.run(_closing(target, run(target, proxy.requests)))


async def _closing(target: S3Provider, work: object) -> None:
    try:
        await work  # type: ignore[misc]
    finally:
        await target.aclose()


class _HonoursCopyConditions:
    """A fake of what AWS does and the servers here do not (they ignore both headers, as
    measured): a CopyObject with ``If-None-Match: *`` onto an existing key, or with an
    ``x-amz-copy-source-if-match`` its source no longer matches, is refused with 412.
    Everything else goes to the real server (moto) unchanged."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def copy_object(self, **call: Any) -> Any:
        bucket, source = call["Bucket"], call["CopySource"]["Key"]
        if call.get("IfNoneMatch") == "*" and await self._etag(bucket, call["Key"]) is not None:
            raise _refused()
        wanted = call.get("CopySourceIfMatch")
        if wanted is not None and await self._etag(bucket, source) != wanted:
            raise _refused()
        return await self._client.copy_object(**call)

    async def _etag(self, bucket: str, key: str) -> str | None:
        try:
            return str((await self._client.head_object(Bucket=bucket, Key=key))["ETag"])
        except ClientError:
            return None


def _refused() -> ClientError:
    reply: Any = {
        "Error": {"Code": "PreconditionFailed"},
        "ResponseMetadata": {"HTTPStatusCode": 412},
    }
    return ClientError(reply, "CopyObject")


async def _honouring(settings: S3Settings) -> S3Provider:
    """A provider whose copies meet AWS's checks: through botocore (the lean path off), whose
    client the fake above wraps."""
    provider = S3Provider(settings)
    provider._client = _HonoursCopyConditions(await provider._s3())
    await provider._lean_session()
    provider._lean = None
    return provider


async def _put(provider: S3Provider, path: str, content: bytes) -> Entry:
    return await provider.write(path, chunks_of(content), mtime_ns=10**18)


def test_a_target_written_since_the_listing_is_not_overwritten(moto_s3: S3Server) -> None:
    async def run() -> None:
        provider = await _honouring(test_provider_s3._settings(moto_s3))
        try:
            await _put(provider, "d/a", b"moving")
            listed = await provider.stat("d/a")
            await _put(provider, "t", b"written since the listing")
            with pytest.raises(AlreadyExistsError):
                await provider.move_listed(listed, "t", folder_stays=True)
            assert await _tree(provider) == {"d/a": b"moving", "t": b"written since the listing"}
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_a_source_changed_since_the_listing_moves_as_it_is_now(moto_s3: S3Server) -> None:
    async def run() -> None:
        provider = await _honouring(test_provider_s3._settings(moto_s3))
        try:
            await _put(provider, "d/a", b"as listed")
            listed = await provider.stat("d/a")
            await _put(provider, "d/a", b"changed since")
            await provider.move_listed(listed, "n", folder_stays=True)
            # The careful path took over: nothing lost, the bytes now there moved whole.
            assert await _tree(provider) == {"n": b"changed since"}
            assert "d" in await _folders(provider)
        finally:
            await provider.aclose()

    asyncio.run(run())


async def _tree(provider: Provider) -> dict[str, bytes]:
    return await file_contents(provider, kinds=("file",))
