"""The app's calls to its own server's JSON API, as the signed-in user of this page.

The session cookie goes along by itself; the CSRF token that unsafe methods need is read from
the sign-out form the server put in the page (a cross-site page cannot read it). Refusals
become ``syncoxide.errors`` with the server's own message.
"""

from __future__ import annotations

import json
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from syncoxide.errors import (
    AuthenticationError,
    GoneError,
    NotFoundError,
    PermissionDeniedError,
    SyncoxideError,
    TransportError,
    UsageError,
)

API = "/api/v1"
_BY_STATUS: dict[int, type[SyncoxideError]] = {
    400: UsageError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    410: GoneError,
    413: UsageError,
}


def csrf_token() -> str:
    field = js.document.querySelector('form.sign-out input[name="csrf"]')
    return str(field.value) if field else ""


async def call_api(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The decoded JSON answer (None for 204); a SyncoxideError when the server refuses."""
    headers = {"Accept": "application/json"}
    if method not in ("GET", "HEAD"):
        headers["X-CSRF-Token"] = csrf_token()
    options: dict[str, Any] = {"method": method, "credentials": "same-origin"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        options["body"] = json.dumps(body)
    options["headers"] = headers
    try:
        response = await js.fetch(API + path, to_js(options, dict_converter=js.Object.fromEntries))
    except Exception as error:  # a JS TypeError: the network failed, not the server
        raise TransportError(
            f"Could not reach the server ({error}).", hint="Check the connection and try again."
        ) from None
    text = str(await response.text())
    answer = json.loads(text) if text else None
    if not response.ok:
        message = answer.get("message") if isinstance(answer, dict) else None
        kind = _BY_STATUS.get(int(response.status), SyncoxideError)
        raise kind(message or f"The server answered {response.status}.")
    return answer


async def fetch_bytes(url: str, headers: dict[str, str] | None = None) -> Any:
    """A ``Response`` for a download (the caller streams its body); refusals raise."""
    options = {"credentials": "same-origin", "headers": headers or {}}
    response = await js.fetch(url, to_js(options, dict_converter=js.Object.fromEntries))
    if not response.ok:
        raise _BY_STATUS.get(int(response.status), SyncoxideError)(
            f"The download was refused (HTTP {response.status})."
        )
    return response
