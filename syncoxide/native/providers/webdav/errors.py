"""HTTP statuses and httpx2 failures -> the syncoxide error tree, at the WebDAV boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx2

from syncoxide.errors import (
    AlreadyExistsError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    SyncoxideError,
)


def status_error(status: int, method: str, where: str) -> SyncoxideError:
    """The syncoxide error for a failed WebDAV reply."""
    if status == 401:
        return AuthenticationError(
            "The WebDAV server rejected the user name or password.",
            hint="Nothing was changed. Check the credentials of this remote.",
        )
    if status == 403:
        return PermissionDeniedError(f"WebDAV: no permission to {method} {where!r}.")
    if status in (404, 410):
        return NotFoundError(f"WebDAV: {where!r} does not exist.")
    if status == 412:
        return AlreadyExistsError(f"WebDAV: {where!r} already exists.")
    if status == 507:
        return ProviderError(
            f"The WebDAV server is out of space while writing {where!r}.",
            hint="Nothing half-written was kept under the final name. Free space, then retry.",
        )
    if status in (408, 423, 429) or status >= 500:
        return ProviderUnavailableError(
            f"The WebDAV server is unavailable right now ({status}) for {method} {where!r}.",
            hint="Nothing half-written was kept; try again later.",
        )
    return ProviderError(f"WebDAV refused {method} {where!r} with status {status}.")


@contextmanager
def translated(where: str, base_url: str, server: str = "WebDAV server") -> Iterator[None]:
    """httpx2 failures of an HTTP provider (``server`` names it in messages) as syncoxide errors."""
    try:
        yield
    except httpx2.TimeoutException as error:
        raise ProviderUnavailableError(
            f"The {server} at {base_url} did not answer in time ({where!r}).",
            hint="Nothing half-written was kept; try again later.",
        ) from error
    except httpx2.TransportError as error:
        raise ProviderUnavailableError(
            f"Could not reach the {server} at {base_url} ({type(error).__name__}).",
            hint="Nothing was changed. Check the address and that the server is running.",
        ) from error
    except httpx2.HTTPError as error:
        raise ProviderError(f"HTTP client error on {where!r} ({server}): {error}.") from error
