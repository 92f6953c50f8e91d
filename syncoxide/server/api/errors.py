"""Errors as the API and the pages show them: a stable code, a human message, a status.

``SyncoxideError`` subclasses map to statuses by class; anything else is a 500 whose message
says nothing about internals. Logs carry the code and path, never a request body or header.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from syncoxide.errors import (
    AlreadyExistsError,
    AuthenticationError,
    FeatureOffError,
    GoneError,
    HostKeyChangedError,
    NotFoundError,
    PermissionDeniedError,
    RepositoryLockedError,
    SshKeyRefusedError,
    SshUnreachableError,
    StorageFullError,
    SyncoxideError,
    UsageError,
    WrongPasswordError,
)

log = logging.getLogger("syncoxide.server")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def not_signed_in() -> ApiError:
    return ApiError(401, "not_signed_in", "Sign in, or send an API token as 'Bearer'.")


def rate_limited(retry_after: float) -> ApiError:
    seconds = round(retry_after + 0.5)
    return ApiError(
        429,
        "rate_limited",
        f"Too many attempts. Wait {seconds} seconds and try again.",
        {"Retry-After": str(seconds)},
    )


_STATUS_BY_CLASS: tuple[tuple[type[SyncoxideError], int], ...] = (
    # A backup repository's passphrase is not the caller's sign-in: 422, not 401.
    (WrongPasswordError, 422),
    (AuthenticationError, 401),
    (AlreadyExistsError, 409),
    (RepositoryLockedError, 409),
    (StorageFullError, 507),
    # The user's own SSH server refused us or showed another host key: an upstream's answer.
    (HostKeyChangedError, 502),
    (SshKeyRefusedError, 502),
    (SshUnreachableError, 502),
    (FeatureOffError, 409),  # the operator has not turned it on: a 4xx, not a failure
    (PermissionDeniedError, 403),
    (GoneError, 410),
    (NotFoundError, 404),
    (UsageError, 400),
)


def from_syncoxide(error: SyncoxideError) -> ApiError:
    status = next((s for cls, s in _STATUS_BY_CLASS if isinstance(error, cls)), 500)
    message = error.message if not error.hint else f"{error.message} {error.hint}"
    return ApiError(status, error.code, message)


def error_response(error: ApiError, path: str) -> JSONResponse:
    log.info("%s %s -> %d %s", "api", path, error.status, error.code)
    return JSONResponse(
        {"error": error.code, "message": error.message},
        status_code=error.status,
        headers={"Cache-Control": "no-store", **(error.headers or {})},
    )
