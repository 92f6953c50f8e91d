"""botocore, aiohttp and ``HttpPool`` failures -> the syncoxide error tree, at the S3 boundary.

S3 reports errors as a code string plus an HTTP status; the code is the stable part, the
status decides retryability for codes we do not know (5xx and 429 are worth retrying).

botocore and aiohttp are not imported here: a sync that only needs the lean requests
(``lean.py``) never loads them (about 0.3 s and 0.1 s of CPU at every start). Their exceptions
can only have been raised once something imported them, so they are looked up in
``sys.modules`` when an error is mapped.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

from syncoxide.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    SyncoxideError,
)
from syncoxide.native.net.http_pool import HttpError

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

_AUTH_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidToken",
        "ExpiredToken",
        "AuthorizationHeaderMalformed",
        "InvalidSecurity",
    }
)
_MISSING_CODES = frozenset({"NoSuchKey", "NotFound", "404", "NoSuchUpload"})
_BUSY_CODES = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
        "Throttling",
        "RequestTimeTooSkewed",
    }
)


class PreconditionFailedError(ProviderError):
    """A conditional request was refused (412): the object is not as the condition said.
    S3 moves catch it and fall back to looking before they move."""

    code = "precondition_failed"


def client_error(error: ClientError, where: str, bucket: str) -> SyncoxideError:
    """The syncoxide error for one S3 error response."""
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    said = str(details.get("Message") or code or status)
    if code == "NoSuchBucket":
        return NotFoundError(
            f"S3 bucket {bucket!r} does not exist.",
            hint="Nothing was changed. Create the bucket or check the remote's settings.",
        )
    if code in _MISSING_CODES or status == 404:
        return NotFoundError(f"S3: {where!r} does not exist.")
    if code == "PreconditionFailed" or status == 412:
        return PreconditionFailedError(f"S3: {where!r} changed since it was listed ({said}).")
    if code in _AUTH_CODES:
        return AuthenticationError(
            f"S3 rejected the credentials ({code}).",
            hint="Nothing was changed. Check the access key and secret of this remote.",
        )
    if code == "AccessDenied" or status == 403:
        return PermissionDeniedError(f"S3 denied access to {where!r}: {said}.")
    if code in _BUSY_CODES or status == 429 or status >= 500:
        return ProviderUnavailableError(
            f"S3 is unavailable right now ({said}) while working on {where!r}.",
            hint="Nothing half-written was kept; try again later.",
        )
    return ProviderError(f"S3 refused {where!r}: {said}.")


def loaded_botocore() -> ModuleType | None:
    """``botocore.exceptions`` if something imported it already, else None."""
    return sys.modules.get("botocore.exceptions")


def error_code(error: BaseException) -> str | None:
    """The S3 error code of a botocore ``ClientError``; None for any other exception."""
    botocore = loaded_botocore()
    if botocore is None or not isinstance(error, botocore.ClientError):
        return None
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def translated(where: str, bucket: str, endpoint: str) -> Iterator[None]:
    """Runs a block of S3 calls, re-raising foreign errors as syncoxide errors."""
    try:
        yield
    except Exception as error:
        mapped = _mapped(error, where, bucket, endpoint)
        if mapped is None:
            raise
        raise mapped from error


def _mapped(error: Exception, where: str, bucket: str, endpoint: str) -> SyncoxideError | None:
    """The syncoxide error for a foreign one; None for an error that is not foreign."""
    if isinstance(error, asyncio.IncompleteReadError):
        return ProviderUnavailableError(f"S3 cut the connection while reading {where!r}.")
    unreachable: tuple[type[Exception], ...] = (HttpError, TimeoutError)
    aiohttp = sys.modules.get("aiohttp")  # botocore's client sends with it
    if aiohttp is not None:
        unreachable = (*unreachable, aiohttp.ClientError)
    botocore = loaded_botocore()
    if botocore is not None:
        if isinstance(error, botocore.ClientError):
            return client_error(error, where, bucket)
        if isinstance(error, botocore.NoCredentialsError):
            return AuthenticationError(
                "No S3 credentials were configured.",
                hint="Add access_key_id and secret_access_key.",
            )
        unreachable = (*unreachable, botocore.ConnectionError, botocore.HTTPClientError)
    if isinstance(error, unreachable):
        return ProviderUnavailableError(
            f"Could not reach the S3 endpoint {endpoint} ({type(error).__name__}: {error}).",
            hint="Nothing was changed. Check the address and that the server is running.",
        )
    if botocore is not None and isinstance(error, botocore.BotoCoreError):
        return ProviderError(f"S3 client error on {where!r}: {error}.")
    return None
