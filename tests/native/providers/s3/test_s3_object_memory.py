"""Listing S3 with a memory of earlier runs: skipped HEADs, and changes still seen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from syncoxide.native.providers.s3.object_memory import ObjectMemory
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.providers.contract import Entry, EntryKind
from tests.native.providers.s3.test_provider_s3 import _settings, _stream
from tests.servers import S3Server

MEMORY = "s3-objects.json"


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    return request.getfixturevalue(f"{request.param}_s3")


async def _files(provider: S3Provider) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    async for page in provider.list_tree():
        found.update({e.path: e for e in page if e.kind is EntryKind.FILE})
    return found


def _rewrite_remembered_mtime(folder: Path, key_suffix: str, mtime_ns: int) -> None:
    saved = json.loads((folder / MEMORY).read_text())
    [key] = [k for k in saved["objects"] if k.endswith(key_suffix)]
    saved["objects"][key][3] = mtime_ns
    (folder / MEMORY).write_text(json.dumps(saved))


def test_a_remembered_object_is_not_asked_again(s3_server: S3Server, tmp_path: Path) -> None:
    settings = _settings(s3_server)

    async def run() -> None:
        async with S3Provider(settings) as writer:
            writer.keep_state_in(tmp_path)
            await writer.write("a/one.txt", _stream(b"first", 5), mtime_ns=10**18)
            await writer.write("a/two.txt", _stream(b"second", 6), mtime_ns=2 * 10**18)
        # Only a listing that skipped the HEAD can report what the memory says.
        _rewrite_remembered_mtime(tmp_path, "a/one.txt", 4 * 10**18)
        async with S3Provider(settings) as lister:
            lister.keep_state_in(tmp_path)
            listed = await _files(lister)  # adds LastModified to what the writes remembered
        assert listed["a/one.txt"].mtime_ns == 4 * 10**18
        assert listed["a/two.txt"].mtime_ns == 2 * 10**18 and listed["a/two.txt"].hashes["sha1"]
        _rewrite_remembered_mtime(tmp_path, "a/one.txt", 5 * 10**18)
        async with S3Provider(settings) as reader:
            reader.keep_state_in(tmp_path)
            again = await _files(reader)
        assert again["a/one.txt"].mtime_ns == 5 * 10**18
        assert again["a/two.txt"] == listed["a/two.txt"]
        assert again["a/two.txt"].hashes == listed["a/two.txt"].hashes

    asyncio.run(run())


def test_an_object_rewritten_elsewhere_is_asked_again(s3_server: S3Server, tmp_path: Path) -> None:
    settings = _settings(s3_server)

    async def run() -> None:
        async with S3Provider(settings) as ours:
            ours.keep_state_in(tmp_path)
            await ours.write("same-size.txt", _stream(b"aaaa", 4), mtime_ns=10**18)
            await ours.write("gone.txt", _stream(b"x", 1), mtime_ns=10**18)
            await _files(ours)
        async with S3Provider(settings) as other:  # another machine: no memory of ours
            await other.write("same-size.txt", _stream(b"bbbb", 4), mtime_ns=3 * 10**18)
            await other.delete("gone.txt")
        async with S3Provider(settings) as ours:
            ours.keep_state_in(tmp_path)
            listed = await _files(ours)
        assert set(listed) == {"same-size.txt"}
        assert listed["same-size.txt"].mtime_ns == 3 * 10**18
        saved = json.loads((tmp_path / MEMORY).read_text())["objects"]
        assert [k for k in saved if k.endswith("gone.txt")] == []

    asyncio.run(run())


def test_an_unreadable_memory_costs_only_heads(rclone_s3: S3Server, tmp_path: Path) -> None:
    settings = _settings(rclone_s3)
    (tmp_path / MEMORY).write_text("{not json")

    async def run() -> None:
        async with S3Provider(settings) as provider:
            provider.keep_state_in(tmp_path)
            await provider.write("f.txt", _stream(b"data", 4), mtime_ns=7 * 10**18)
            assert (await _files(provider))["f.txt"].mtime_ns == 7 * 10**18
        assert json.loads((tmp_path / MEMORY).read_text())["version"] == 1

    asyncio.run(run())


def test_a_memory_spelling_last_modified_as_before_still_knows_its_objects(tmp_path: Path) -> None:
    """Memories saved before listings kept the server's text hold botocore's spelling of the
    same instant: the object is recalled (no HEAD) and remembered in the new spelling."""
    saved = {"version": 1, "objects": {"k": [5, "e1", "2026-12-06 13:37:00.250000+00:00", 7, {}]}}
    (tmp_path / MEMORY).write_text(json.dumps(saved))
    memory = ObjectMemory(tmp_path / MEMORY)
    listed = "2026-12-06T13:37:00.250Z"
    known = memory.recall("k", 5, '"e1"', listed)
    assert known is not None and known.mtime_ns == 7
    assert memory.recall("k", 5, "e1", "2026-12-06T13:37:01.000Z") is None  # a newer object
    assert (
        memory.recall("k", 6, "e1", listed) is None and memory.recall("k", 5, "e2", listed) is None
    )
    memory.save()
    assert json.loads((tmp_path / MEMORY).read_text())["objects"]["k"][2] == listed
