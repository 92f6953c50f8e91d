"""Contract tests against the REAL Google Drive and Dropbox APIs; skipped without credentials.

Drive:   SYNCOXIDE_GDRIVE_TOKEN (an access token), or SYNCOXIDE_GDRIVE_REFRESH_TOKEN with
         SYNCOXIDE_GDRIVE_CLIENT_ID and SYNCOXIDE_GDRIVE_CLIENT_SECRET; optional
         SYNCOXIDE_GDRIVE_FOLDER_ID (the scratch folder, default: My Drive).
Dropbox: SYNCOXIDE_DROPBOX_TOKEN, or SYNCOXIDE_DROPBOX_REFRESH_TOKEN with
         SYNCOXIDE_DROPBOX_CLIENT_ID and SYNCOXIDE_DROPBOX_CLIENT_SECRET.
Each check runs in a new folder named ``syncoxide-conformance-<random>``, removed afterwards.
``SYNCOXIDE_*_API_URL`` / ``_TOKEN_URL`` override the endpoints (to aim this at a fake).
"""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest

from syncoxide.native.providers.dropbox.provider import DropboxProvider, DropboxSettings
from syncoxide.native.providers.gdrive.provider import DriveProvider, DriveSettings
from syncoxide.native.providers.oauth_http import OAuthSettings
from syncoxide.providers.contract import Provider
from syncoxide.testing.provider_conformance import CHECKS


def _oauth(prefix: str, service: str, token_url: str) -> OAuthSettings:
    env = os.environ
    if not env.get(f"{prefix}_TOKEN") and not env.get(f"{prefix}_REFRESH_TOKEN"):
        pytest.skip(f"no {service} credentials: set {prefix}_TOKEN or {prefix}_REFRESH_TOKEN")
    return OAuthSettings(
        service=service,
        token_url=env.get(f"{prefix}_TOKEN_URL", token_url),
        client_id=env.get(f"{prefix}_CLIENT_ID", ""),
        client_secret=env.get(f"{prefix}_CLIENT_SECRET", ""),
        refresh_token=env.get(f"{prefix}_REFRESH_TOKEN", ""),
        access_token=env.get(f"{prefix}_TOKEN", ""),
    )


async def _drive_check(check, oauth: OAuthSettings) -> None:
    api = os.environ.get("SYNCOXIDE_GDRIVE_API_URL", "https://www.googleapis.com")
    parent = os.environ.get("SYNCOXIDE_GDRIVE_FOLDER_ID", "root")
    scratch = DriveProvider(DriveSettings(oauth, root_folder_id=parent, api_url=api))
    name = f"syncoxide-conformance-{secrets.token_hex(4)}"
    await scratch.mkdir(name)
    folder = await scratch._find(name)
    assert folder is not None
    opened: list[DriveProvider] = []

    async def make() -> Provider:
        # Each call gets its own empty subfolder of the scratch folder.
        sub = f"{name}/run-{len(opened)}"
        await scratch.mkdir(sub)
        sub_meta = await scratch._find(sub)
        assert sub_meta is not None
        opened.append(DriveProvider(DriveSettings(oauth, str(sub_meta["id"]), api_url=api)))
        return opened[-1]

    try:
        await check(make)
    finally:
        for provider in opened:
            await provider.aclose()
        # Drive deletes a folder with its contents: one call cleans everything up.
        await scratch.client.request("DELETE", f"{api}/drive/v3/files/{folder['id']}")
        await scratch.aclose()


async def _dropbox_check(check, oauth: OAuthSettings) -> None:
    api = os.environ.get("SYNCOXIDE_DROPBOX_API_URL", "https://api.dropboxapi.com")
    content = os.environ.get("SYNCOXIDE_DROPBOX_CONTENT_URL", "https://content.dropboxapi.com")
    base = f"/syncoxide-conformance-{secrets.token_hex(4)}"
    opened: list[DropboxProvider] = []

    async def make() -> Provider:
        root = f"{base}/run-{len(opened)}"
        provider = DropboxProvider(DropboxSettings(oauth, root, api_url=api, content_url=content))
        await provider.mkdir("")
        opened.append(provider)
        return provider

    try:
        await check(make)
    finally:
        if opened:
            await opened[0].client.request("POST", f"{api}/2/files/delete_v2", json={"path": base})
        for provider in opened:
            await provider.aclose()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_real_google_drive_conforms(check) -> None:
    oauth = _oauth("SYNCOXIDE_GDRIVE", "Google Drive", "https://oauth2.googleapis.com/token")
    asyncio.run(_drive_check(check, oauth))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_real_dropbox_conforms(check) -> None:
    oauth = _oauth("SYNCOXIDE_DROPBOX", "Dropbox", "https://api.dropboxapi.com/oauth2/token")
    asyncio.run(_dropbox_check(check, oauth))
