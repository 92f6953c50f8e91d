"""Provider-side history on Google Drive and Dropbox, against their FAKE servers: both pass the
history conformance suite (syncoxide/testing/history_conformance.py: newest first, an old
revision back byte for byte, the head it replaces kept, unknown revisions change nothing); a
deleted Dropbox file keeps its revisions; the fakes answer unknown revisions as the real APIs
do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

from syncoxide.native.providers.dropbox.provider import DropboxProvider
from syncoxide.native.providers.gdrive.provider import DriveProvider
from syncoxide.providers.contract import Provider
from syncoxide.testing.history_conformance import HISTORY_CHECKS, HistoryCheck
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_gdrive import FakeDrive
from tests.native.providers_cloud import test_provider_dropbox, test_provider_gdrive

MTIME = 10**18  # whole seconds: Dropbox keeps no fraction


def _drive(fake_drive: tuple[FakeDrive, str]) -> DriveProvider:
    url = fake_drive[1]
    root = asyncio.run(test_provider_gdrive._fresh_root(url))
    return DriveProvider(test_provider_gdrive._settings(url, root))


def _dropbox(fake_dropbox: tuple[FakeDropbox, str]) -> DropboxProvider:
    return DropboxProvider(test_provider_dropbox._settings(fake_dropbox[1]))


MAKERS: dict[str, Callable[[Any], DriveProvider | DropboxProvider]] = {
    "drive": _drive,
    "dropbox": _dropbox,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("check", HISTORY_CHECKS, ids=lambda c: c.__name__)
def test_revisions_conform(check: HistoryCheck, kind: str, request: pytest.FixtureRequest) -> None:
    # Made outside the check's event loop: the Drive one makes its fresh root folder first.
    provider = MAKERS[kind](request.getfixturevalue(f"fake_{kind}"))

    async def make() -> Provider:
        return provider

    async def run() -> None:
        try:
            await check(make)
        finally:
            await provider.aclose()

    asyncio.run(run())


async def _body(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _read(provider: Provider, path: str) -> bytes:
    return b"".join([block async for block in provider.open_read(path)])


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
