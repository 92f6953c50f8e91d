"""What the server needs from storage, and nothing about how it is stored.

Records are frozen dataclasses; times are integer Unix seconds so every backend stores them
the same way. Methods are ``async`` so a networked database can implement them for real; the
embedded SQLite store answers immediately, which costs nothing on the event loop because
each call is one indexed statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class User:
    id: int
    name: str
    display_name: str
    created_at: int
    password_hash: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ApiToken:
    id: int
    user_id: int
    label: str
    prefix: str  # the first characters of the token, shown so people can tell tokens apart
    created_at: int
    last_used_at: int | None
    revoked_at: int | None
    expires_at: int | None


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf_token: str = field(repr=False)
    created_at: int
    last_seen_at: int
    expires_at: int


@dataclass(frozen=True)
class PendingLogin:
    """An OIDC authorization request in flight, keyed by its ``state``."""

    provider: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    next_path: str
    created_at: int


@dataclass(frozen=True)
class Event:
    id: int
    user_id: int
    kind: str
    payload: dict[str, Any]
    created_at: int


class MetadataStore(Protocol):
    # users and identities
    async def create_user(
        self, name: str, display_name: str, password_hash: str | None, now: int
    ) -> User: ...
    async def user_by_id(self, user_id: int) -> User | None: ...
    async def user_by_name(self, name: str) -> User | None: ...
    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    async def link_identity(self, issuer: str, subject: str, user_id: int) -> None: ...
    async def user_by_identity(self, issuer: str, subject: str) -> User | None: ...

    # API tokens (only their hashes are stored)
    async def add_token(
        self,
        user_id: int,
        token_hash: bytes,
        label: str,
        *,
        prefix: str,
        now: int,
        expires_at: int | None,
    ) -> ApiToken: ...
    async def token_by_hash(self, token_hash: bytes) -> ApiToken | None: ...
    async def token_and_owner(self, token_hash: bytes) -> tuple[ApiToken, User] | None:
        """The token and its user in one round trip: every API call asks this."""
        ...

    async def tokens_of(self, user_id: int) -> Sequence[ApiToken]: ...
    async def revoke_token(self, user_id: int, token_id: int, now: int) -> bool: ...
    async def touch_token(self, token_id: int, now: int) -> None: ...

    # browser sessions (keyed by the hash of the cookie value)
    async def add_session(self, session_hash: bytes, session: Session) -> None: ...
    async def session_by_hash(self, session_hash: bytes) -> Session | None: ...
    async def touch_session(self, session_hash: bytes, now: int) -> None: ...
    async def delete_session(self, session_hash: bytes) -> None: ...
    async def delete_expired_sessions(self, now: int) -> int: ...
    async def delete_sessions_of(self, user_id: int, keep: bytes | None = None) -> int:
        """End every session of a user but ``keep`` (the one changing the password)."""
        ...

    # OIDC logins in flight: taken exactly once
    async def put_pending_login(self, state: str, login: PendingLogin) -> None: ...
    async def take_pending_login(self, state: str) -> PendingLogin | None: ...

    # events for live notifications, numbered per store in arrival order
    async def append_event(
        self, user_id: int, kind: str, payload: dict[str, Any], now: int
    ) -> Event: ...
    async def events_after(self, user_id: int, after_id: int, limit: int) -> Sequence[Event]: ...


class BlobStore(Protocol):
    """Opaque bytes under keys made of ``[A-Za-z0-9._-]`` segments joined by ``/``."""

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int: ...
    async def adopt(self, key: str, path: Path) -> int:
        """Take a finished local file as the blob (moved, not copied, where the store can);
        ``path`` is gone afterwards. Durable before it returns, like ``put``."""
        ...

    def read(
        self, key: str, chunk_size: int = 1 << 16, start: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        """The blob's bytes from ``start``, ``length`` of them (all the rest when None)."""
        ...

    async def size(self, key: str) -> int | None: ...
    async def delete(self, key: str) -> bool: ...
    async def keys(self, prefix: str) -> Sequence[str]: ...


class DuplicateError(Exception):
    """A unique name is already taken (a user name, an identity)."""
