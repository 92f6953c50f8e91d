"""Provider-side history on Google Drive and Dropbox, against their FAKE servers: a file's
revisions are listed newest first, an old one comes back byte for byte with its mtime, the
head it replaces stays a revision (nothing lost), and an unknown revision changes nothing.
The fakes' own answers to unknown revisions are checked too, as the real APIs give them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

from syncoxide.errors import NotFoundError
from syncoxide.native.providers.dropbox.provider import DropboxProvider
from syncoxide.native.providers.gdrive.provider import DriveProvider
from syncoxide.providers.contract import KeepsVersions, Provider
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_gdrive import FakeDrive
from tests.native.providers_cloud import test_provider_dropbox, test_provider_gdrive

KiB = 1024
MTIME = 10**18  # whole seconds: Dropbox keeps no fraction
BODIES = (b"first", b"second!", b"third...")
#: Bigger than one upload request and one read block, so restores stream in several pieces.
BIG = bytes(range(256)) * (1200 * KiB // 256)


def _drive(fake_drive: tuple[FakeDrive, str]) -> DriveProvider:
    url = fake_drive[1]
    root = asyncio.run(test_provider_gdrive._fresh_root(url))
    return DriveProvider(test_provider_gdrive._settings(url, root))


def _dropbox(fake_dropbox: tuple[FakeDropbox, str]) -> DropboxProvider:
    return DropboxProvider(test_provider_dropbox._settings(fake_dropbox[1]))


MAKERS: dict[str, Callable[[Any], Provider]] = {"drive": _drive, "dropbox": _dropbox}


@pytest.fixture(params=sorted(MAKERS))
def provider(request: pytest.FixtureRequest) -> Provider:
    fake = request.getfixturevalue("fake_drive" if request.param == "drive" else "fake_dropbox")
    return MAKERS[request.param](fake)


async def _body(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 100 * KiB):
        yield data[start : start + 100 * KiB]


async def _read(provider: Provider, path: str) -> bytes:
    return b"".join([block async for block in provider.open_read(path)])


def test_revisions_are_listed_and_an_old_one_comes_back(provider: Provider) -> None:
    async def run() -> None:
        assert isinstance(provider, KeepsVersions)
        try:
            for body in BODIES:
                await provider.write("notes.txt", _body(body), mtime_ns=MTIME)
            await provider.write("notes.txt.bak", _body(b"neighbour"))
            listed = await provider.versions("notes.txt")
            assert [v.size for v in listed] == [8, 7, 5]
            assert [v.current for v in listed] == [True, False, False]
            assert len({v.version_id for v in listed}) == 3

            entry = await provider.restore_version("notes.txt", listed[-1].version_id)
            assert (entry.size, entry.mtime_ns) == (5, MTIME)
            assert await _read(provider, "notes.txt") == b"first"
            after = await provider.versions("notes.txt")
            assert [v.size for v in after] == [5, 8, 7, 5]  # the replaced head was kept
            assert [v.current for v in after] == [True, False, False, False]
            assert after[1].version_id == listed[0].version_id

            newest = await provider.restore_version("notes.txt", after[1].version_id)
            assert newest.size == 8
            assert await _read(provider, "notes.txt") == b"third..."
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_a_big_revision_comes_back_byte_for_byte(provider: Provider) -> None:
    async def run() -> None:
        assert isinstance(provider, KeepsVersions)
        try:
            await provider.write("big.bin", _body(BIG), mtime_ns=MTIME)
            await provider.write("big.bin", _body(b"small now"), mtime_ns=MTIME + 10**9)
            old = (await provider.versions("big.bin"))[-1]
            assert old.size == len(BIG)
            await provider.restore_version("big.bin", old.version_id)
            assert await _read(provider, "big.bin") == BIG
        finally:
            await provider.aclose()

    asyncio.run(run())


@pytest.mark.parametrize("wrong", ["no-such-version", "0123456789abcdef", ""])
def test_an_unknown_revision_changes_nothing(provider: Provider, wrong: str) -> None:
    async def run() -> None:
        assert isinstance(provider, KeepsVersions)
        try:
            await provider.write("kept.txt", _body(b"old"), mtime_ns=MTIME)
            await provider.write("kept.txt", _body(b"newer"), mtime_ns=MTIME)
            before = await provider.versions("kept.txt")
            with pytest.raises(NotFoundError, match="keeps no") as refused:
                await provider.restore_version("kept.txt", wrong)
            assert "Nothing was changed" in str(refused.value.hint)
            assert await _read(provider, "kept.txt") == b"newer"
            assert await provider.versions("kept.txt") == before
            with pytest.raises(NotFoundError):
                await provider.versions("never-written.txt")
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_a_revision_of_another_file_is_refused(provider: Provider) -> None:
    async def run() -> None:
        assert isinstance(provider, KeepsVersions)
        try:
            await provider.write("a.txt", _body(b"a"), mtime_ns=MTIME)
            await provider.write("b.txt", _body(b"bee"), mtime_ns=MTIME)
            [of_a] = await provider.versions("a.txt")
            with pytest.raises(NotFoundError):
                await provider.restore_version("b.txt", of_a.version_id)
            assert await _read(provider, "b.txt") == b"bee"
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_a_deleted_dropbox_file_keeps_its_revisions(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    provider = _dropbox(fake_dropbox)

    async def run() -> None:
        try:
            await provider.write("gone.txt", _body(b"kept"), mtime_ns=MTIME)
            await provider.delete("gone.txt")
            [only] = await provider.versions("gone.txt")
            assert (only.size, only.current) == (4, False)
            await provider.restore_version("gone.txt", only.version_id)
            assert await _read(provider, "gone.txt") == b"kept"
            assert [v.current for v in await provider.versions("gone.txt")] == [True, False]
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_the_fake_drive_answers_an_unknown_revision_as_drive_does(
    fake_drive: tuple[FakeDrive, str],
) -> None:
    fake, url = fake_drive
    made = fake.store.create({"name": "r.txt"}, b"one")
    fake.store.update(made, {}, b"two")
    auth = {"Authorization": f"Bearer {fake.tokens.issue()}"}
    listed = httpx2.get(f"{url}/drive/v3/files/{made.id}/revisions", headers=auth).json()
    assert listed["kind"] == "drive#revisionList"
    assert [(r["size"], r["kind"]) for r in listed["revisions"]] == [
        ("3", "drive#revision"),
        ("3", "drive#revision"),
    ]
    first = listed["revisions"][0]["id"]
    got = httpx2.get(f"{url}/drive/v3/files/{made.id}/revisions/{first}",
                     params={"alt": "media"}, headers=auth)  # fmt: skip
    assert got.content == b"one"
    missing = httpx2.get(f"{url}/drive/v3/files/{made.id}/revisions/nope", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["errors"][0]["reason"] == "notFound"


def test_the_fake_dropbox_answers_an_unknown_revision_as_dropbox_does(
    fake_dropbox: tuple[FakeDropbox, str],
) -> None:
    fake, url = fake_dropbox
    auth = {"Authorization": f"Bearer {fake.tokens.issue()}"}
    fake.store.put({"path": "/rev-check.txt", "mode": "overwrite"}, b"one", None)
    unknown = httpx2.post(f"{url}/2/files/restore", headers=auth,
                          json={"path": "/rev-check.txt", "rev": "0123456789abcdef"})  # fmt: skip
    assert unknown.status_code == 409
    assert unknown.json()["error_summary"].startswith("invalid_revision/")
    malformed = httpx2.post(f"{url}/2/files/restore", headers=auth,
                            json={"path": "/rev-check.txt", "rev": "x"})  # fmt: skip
    assert malformed.status_code == 400
    arg = json.dumps({"path": "rev:0123456789abcdef"})
    download = httpx2.post(f"{url}/2/files/download", headers=auth | {"Dropbox-API-Arg": arg})
    assert download.status_code == 409
    assert download.json()["error_summary"].startswith("path/not_found/")
    never = httpx2.post(f"{url}/2/files/list_revisions", headers=auth,
                        json={"path": "/never.txt", "mode": "path", "limit": 10})  # fmt: skip
    assert never.json()["error_summary"].startswith("path/not_found/")
