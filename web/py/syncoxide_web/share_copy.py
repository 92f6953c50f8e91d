"""The Send view's "also upload": the same files as a share link on the server, over tus.

The share is created first (``POST /api/v1/shares``), then each file goes to
``/api/v1/uploads/`` in 8 MiB PATCHes whose bodies are Blob slices, so the bytes go from the
file to the network without passing through Python. A reopened sender asks the share which
files it already holds and uploads only the others. The signed-in session's CSRF token is read
from the page's sign-out form (the server puts it there).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from syncoxide.errors import AuthenticationError, TransportError

CHUNK = 8 * 1024 * 1024
TUS = "1.0.0"


def csrf_token() -> str | None:
    """The session's CSRF token, or None when nobody is signed in on this page."""
    field = js.document.querySelector('.user-bar input[name="csrf"]')
    return str(field.value) if field is not None and field.value else None


def _init(method: str, headers: dict[str, str], body: Any = None) -> Any:
    init: dict[str, Any] = {
        "method": method,
        "credentials": "same-origin",
        "headers": js.Object.fromEntries(to_js(list(headers.items()))),
    }
    if body is not None:
        init["body"] = body
    return to_js(init, dict_converter=js.Object.fromEntries)


async def _checked(response: Any, expected: int, what: str) -> Any:
    if int(response.status) == expected:
        return response
    text = str(await response.text())
    try:
        message = json.loads(text).get("message", text)
    except ValueError:
        message = text[:200] or f"HTTP {response.status}"
    if int(response.status) in (401, 403):
        raise AuthenticationError(
            f"The server refused to {what}: {message}",
            hint="Sign in again (top right), then send again; the peer-to-peer link still works.",
        )
    raise TransportError(f"The server refused to {what}: {message}")


class ServerCopy:
    """A share link being filled with the sender's files."""

    def __init__(self, server: str, csrf: str, share: dict[str, Any]) -> None:
        self.server, self.csrf, self.share = server, csrf, share

    @classmethod
    async def create(cls, server: str, csrf: str, title: str) -> ServerCopy:
        headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf}
        body = json.dumps({"title": title[:200]})
        response = await js.fetch(f"{server}/api/v1/shares", _init("POST", headers, body))
        share = json.loads(await (await _checked(response, 201, "create a share")).text())
        return cls(server, csrf, share)

    @property
    def url(self) -> str:
        return str(self.share["url"])

    async def held_paths(self) -> set[str]:
        response = await js.fetch(f"{self.server}/api/v1/shares/{self.share['id']}")
        described = json.loads(await (await _checked(response, 200, "describe the share")).text())
        return {file["path"] for file in described.get("files", [])}

    async def upload_missing(
        self, entries: list[tuple[str, Any]], on_bytes: Callable[[int], None]
    ) -> str:
        """Upload every file the share does not hold yet; the share link path when all are in."""
        held = await self.held_paths()
        for path, blob in entries:
            if path in held:
                on_bytes(int(blob.size))
            else:
                await self._upload(path, blob, on_bytes)
        return self.url

    async def _upload(self, path: str, blob: Any, on_bytes: Callable[[int], None]) -> None:
        size = int(blob.size)
        metadata = ",".join(
            f"{key} {base64.b64encode(value.encode()).decode()}"
            for key, value in (("share", str(self.share["id"])), ("path", path))
        )
        headers = {"Tus-Resumable": TUS, "Upload-Length": str(size), "Upload-Metadata": metadata}
        headers["X-CSRF-Token"] = self.csrf
        created = await _checked(
            await js.fetch(f"{self.server}/api/v1/uploads/", _init("POST", headers)),
            201,
            f"start uploading {path}",
        )
        location = str(created.headers.get("location"))
        offset = 0
        while offset < size:
            end = min(size, offset + CHUNK)
            patch = {
                "Tus-Resumable": TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "X-CSRF-Token": self.csrf,
            }
            answer = await _checked(
                await js.fetch(location, _init("PATCH", patch, blob.slice(offset, end))),
                204,
                f"take the next part of {path}",
            )
            new_offset = int(str(answer.headers.get("upload-offset")))
            on_bytes(new_offset - offset)
            offset = new_offset
