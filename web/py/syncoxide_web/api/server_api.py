"""The app's calls to its own server's API, with the session cookie and its CSRF token.

The page is served by the same origin as the API, so the session cookie goes along by itself;
unsafe methods must also echo the session's CSRF token, which ``GET /api/v1/me`` hands to
pages of this origin. Errors come back as ``SyncoxideError`` with the server's own message.
"""

from __future__ import annotations

import json
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.errors import AuthenticationError, SyncoxideError, TransportError

API = "/api/v1"
_csrf: dict[str, str] = {}


def request_options(method: str, headers: dict[str, str], body: Any = None) -> Any:
    options: dict[str, Any] = {"method": method, "credentials": "same-origin", "headers": headers}
    if body is not None:
        options["body"] = body
    return to_js(options, dict_converter=js.Object.fromEntries)


async def fetch(method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    """``fetch`` with the CSRF header on unsafe methods; TransportError when the network fails."""
    if method not in ("GET", "HEAD", "OPTIONS"):
        headers = {**headers, "X-CSRF-Token": await csrf_token()}
    try:
        return await js.fetch(url, request_options(method, headers, body))
    except JsException as error:
        raise TransportError(
            f"The server could not be reached ({error}).", hint="Check the connection and retry."
        ) from None


async def refusal(response: Any) -> SyncoxideError:
    try:
        message = json.loads(await response.text()).get("message") or ""
    except ValueError:
        message = ""
    text = message or f"The server answered {response.status}."
    if response.status in (401, 403):
        _csrf.clear()  # signed out or in again since: the next call asks for the new token
    if response.status == 401:
        return AuthenticationError(text, hint="Sign in again, then retry.")
    return SyncoxideError(text)


async def csrf_token() -> str:
    if "token" not in _csrf:
        answer = await call("GET", "/me")
        _csrf["token"] = str(answer.get("csrf_token", ""))
    return _csrf["token"]


async def call(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One JSON API operation; the answer's JSON (empty for 204)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    payload = json.dumps(body) if body is not None else None
    response = await fetch(method, API + path, headers, payload)
    if not response.ok:
        raise await refusal(response)
    if response.status == 204:
        return {}
    answer: dict[str, Any] = json.loads(await response.text())
    return answer
