"""Replies of a syncoxide server's storage API -> the syncoxide error tree."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx2

from syncoxide.errors import (
    AlreadyExistsError,
    AuthenticationError,
    DirectoryNotEmptyError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    SyncoxideError,
    UsageError,
)
from syncoxide.native.providers.webdav import errors as webdav_errors

_BY_CODE: dict[str, type[SyncoxideError]] = {
    "already_exists": AlreadyExistsError,
    "directory_not_empty": DirectoryNotEmptyError,
}


def _message(reply: httpx2.Response) -> tuple[str, str]:
    try:
        found = reply.json()
        return str(found.get("error", "")), str(found.get("message", ""))
    except ValueError:
        return "", ""


def checked(reply: httpx2.Response, method: str, where: str) -> None:
    """Raises the syncoxide error for a failed reply; returns for a 2xx."""
    if reply.status_code < 300:
        return
    raise status_error(reply.status_code, *_message(reply), method=method, where=where)


def status_error(
    status: int, code: str, message: str, *, method: str, where: str
) -> SyncoxideError:
    said = message or f"status {status}"
    if status == 401:
        return AuthenticationError(
            f"The server refused the token ({said}).",
            hint="Nothing was changed. Run `syncoxide login` again, or give the remote a token.",
        )
    if status == 403:
        return PermissionDeniedError(f"The server refused to {method} {where!r}: {said}")
    if status in (404, 410):
        return NotFoundError(f"{where!r} does not exist on the server.")
    if code in _BY_CODE:
        return _BY_CODE[code](said)
    if status in (422, 460):
        return IntegrityError(said, hint="Nothing was committed; the previous version was kept.")
    if status in (413, 507):  # over the quota, or the server's disk is full: not retryable
        return ProviderError(said, hint="Nothing half-written was kept under the final name.")
    if status in (408, 423, 429) or status >= 500:
        return ProviderUnavailableError(
            f"The server is unavailable right now ({status}) for {method} {where!r}.",
            hint="Nothing half-written was kept; try again later.",
        )
    if status == 400:
        return UsageError(f"The server refused {method} {where!r}: {said}")
    return ProviderError(f"The server refused {method} {where!r} ({status}): {said}")


@contextmanager
def translated(where: str, base_url: str) -> Iterator[None]:
    with webdav_errors.translated(where, base_url, "syncoxide server"):
        yield
