"""From a remote's stored options to a live provider, one small builder per type.

Options arrive as strings (``syncoxide remote add box s3 part_size=16777216``) and are converted
to the settings dataclass's field types here; the path after ``NAME:`` becomes the provider's
root inside the remote. Provider modules are imported only for the type used.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

from syncoxide.errors import UsageError
from syncoxide.providers.contract import Provider

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address
DROPBOX_TOKEN_URL = "https://api.dropboxapi.com/oauth2/token"  # noqa: S105 - an address


def _converted(cls: Any, values: dict[str, str]) -> dict[str, Any]:
    """``values`` with each string converted to the declared type of ``cls``'s field."""
    assert is_dataclass(cls)
    declared = {f.name: str(f.type) for f in fields(cls)}
    converted: dict[str, Any] = {}
    for key, value in values.items():
        kind = declared[key]
        try:
            converted[key] = (
                int(value)
                if kind.startswith("int")
                else float(value)
                if kind.startswith("float")
                else value
            )
        except ValueError as error:
            raise UsageError(f"Option {key}={value!r} must be a number.") from error
    return converted


def _joined(base: str, path: str) -> str:
    return posixpath.join(base, path).strip("/") if path else base.strip("/")


def _s3(options: dict[str, str], path: str) -> Provider:
    from syncoxide.native.providers.s3.provider import S3Provider
    from syncoxide.native.providers.s3.settings import S3Settings, check_tuning

    options["prefix"] = _joined(options.get("prefix", ""), path)
    if "endpoint" in options:
        options["endpoint_url"] = options.pop("endpoint")
    converted = _converted(S3Settings, options)
    check_tuning(converted)
    return S3Provider(S3Settings(**converted))


def _webdav(options: dict[str, str], path: str) -> Provider:
    from syncoxide.native.providers.webdav.provider import WebDavProvider, WebDavSettings

    if path:
        options["url"] = options["url"].rstrip("/") + "/" + path
    return WebDavProvider(WebDavSettings(**_converted(WebDavSettings, options)))


def _sftp(options: dict[str, str], path: str) -> Provider:
    from syncoxide.native.providers.sftp.provider import SftpProvider, SftpSettings

    options["root"] = posixpath.join(options.get("root", ""), path) or "."
    return SftpProvider(SftpSettings(**_converted(SftpSettings, options)))


def _oauth(service: str, default_token_url: str, options: dict[str, str]) -> Any:
    from syncoxide.native.providers.oauth_http import OAuthSettings

    return OAuthSettings(
        service=service,
        token_url=options.pop("token_url", default_token_url),
        client_id=options.pop("client_id", ""),
        client_secret=options.pop("client_secret", ""),
        refresh_token=options.pop("refresh_token", ""),
    )


def _gdrive(options: dict[str, str], path: str) -> Provider:
    from syncoxide.native.providers.gdrive.provider import DriveProvider, DriveSettings

    if path:
        raise UsageError(
            "Google Drive remotes are rooted by folder id, not by path.",
            hint="Add a remote with root_folder_id=<id of the folder> and use NAME: alone.",
        )
    oauth = _oauth("Google Drive", GOOGLE_TOKEN_URL, options)
    return DriveProvider(DriveSettings(oauth, **_converted(DriveSettings, options)))


def _dropbox(options: dict[str, str], path: str) -> Provider:
    from syncoxide.native.providers.dropbox.provider import DropboxProvider, DropboxSettings

    oauth = _oauth("Dropbox", DROPBOX_TOKEN_URL, options)
    root = "/" + _joined(options.pop("root_path", ""), path)
    values = {**_converted(DropboxSettings, options), "root_path": root.rstrip("/")}
    return DropboxProvider(DropboxSettings(oauth, **values))


def _server(options: dict[str, str], path: str) -> Provider:
    from syncoxide.native.providers.server_storage.provider import (
        ServerStorageProvider,
        ServerStorageSettings,
    )
    from syncoxide.native.remotes.server_credentials import server_and_token

    url, token = server_and_token(options.get("url"), options.get("token"))
    root = _joined(options.get("root", ""), path)
    return ServerStorageProvider(ServerStorageSettings(url=url, token=token, root=root))


FACTORIES: dict[str, Callable[[dict[str, str], str], Provider]] = {
    "s3": _s3,
    "webdav": _webdav,
    "sftp": _sftp,
    "gdrive": _gdrive,
    "dropbox": _dropbox,
    "server": _server,
}
