"""Accounts: local passwords (Argon2id), API tokens and browser sessions.

Secrets handed out (tokens, session cookies) are 256-bit random strings; only their SHA-256
is stored, which is enough because they cannot be guessed (a slow hash would only slow every
request down). Passwords are people's, so they get Argon2id. Nothing here logs a secret.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Sequence

from argon2.exceptions import InvalidHashError, VerificationError

from syncoxide.errors import AuthenticationError, NotFoundError, UsageError
from syncoxide.server.accounts.passwords import PASSWORD_HASHER
from syncoxide.server.api.identity import SignedIn
from syncoxide.server.storage.port import ApiToken, DuplicateError, MetadataStore, Session, User

TOKEN_PREFIX = "sxo_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for
SESSION_IDLE_SECONDS = 7 * 24 * 3600
SESSION_MAX_SECONDS = 30 * 24 * 3600
TOKEN_CACHE_SECONDS = 5
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
# Verifying against this keeps "no such user" as slow as "wrong password". A stored one, not
# one hashed at import: that took ~0.3 s of CPU in every command that imports accounts.
_STORED_DUMMY = (
    "$argon2id$v=19$m=65536,t=3,p=4$XqSBiyFV/baEj6aohQ54kA$"
    "mloqMn2HXgrtfgFBg9MXYOPnHdg7R62PHjTRTuGB59c"
)


@functools.cache
def dummy_hash() -> str:
    """A hash with the hasher's current parameters (so verifying it costs what a real one
    does): the stored one, or, should a new library change its defaults, a fresh one."""
    if PASSWORD_HASHER.check_needs_rehash(_STORED_DUMMY):
        return PASSWORD_HASHER.hash("not a real password")
    return _STORED_DUMMY


def _verified(stored: str | None, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(stored or dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


Clock = Callable[[], int]


def wall_clock() -> int:
    return int(time.time())


def secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def check_user_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a valid user name.",
            hint="Use 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter "
            "or digit.",
        )
    return name


class Accounts:
    def __init__(self, store: MetadataStore, clock: Clock = wall_clock) -> None:
        self.store = store
        self.clock = clock
        # Recently checked tokens: skips the database on most API calls. Revoking in this
        # process empties it at once; another server sees a revocation within
        # TOKEN_CACHE_SECONDS (documented in the README).
        self._token_cache: dict[bytes, tuple[int, ApiToken, User]] = {}

    async def add_local_user(self, name: str, password: str, display_name: str = "") -> User:
        check_user_name(name)
        if len(password) < 8:
            raise UsageError("The password is too short.", hint="Use at least 8 characters.")
        try:
            hashed = await asyncio.to_thread(PASSWORD_HASHER.hash, password)
            return await self.store.create_user(name, display_name or name, hashed, self.clock())
        except DuplicateError as error:
            raise UsageError(
                f"A user named {name!r} already exists.", hint="Pick another name."
            ) from error

    async def check_password(self, name: str, password: str) -> User:
        user = await self.store.user_by_name(name)
        stored = user.password_hash if user else None
        # In a thread: Argon2 takes ~0.3 s of CPU (it releases the GIL) and the event loop
        # serves other requests meanwhile. With no such user the dummy hash is verified, so
        # that answer is as slow as a wrong password.
        verified = await asyncio.to_thread(_verified, stored, password)
        if user is None or stored is None or not verified:
            raise AuthenticationError(
                "The user name or password is wrong.", hint="Check both and try again."
            )
        if PASSWORD_HASHER.check_needs_rehash(stored):
            hashed = await asyncio.to_thread(PASSWORD_HASHER.hash, password)
            await self.store.set_password_hash(user.id, hashed)
        return user

    async def set_password(
        self, user: User, password: str, *, keep_session: bytes | None = None
    ) -> None:
        """A new password ends the user's other browser sessions: whoever signed in with the
        old one (perhaps the reason it is changed) is signed out. API tokens stay; the
        account page lists them for revoking."""
        if len(password) < 8:
            raise UsageError("The password is too short.", hint="Use at least 8 characters.")
        hashed = await asyncio.to_thread(PASSWORD_HASHER.hash, password)
        await self.store.set_password_hash(user.id, hashed)
        await self.store.delete_sessions_of(user.id, keep=keep_session)

    async def require_user(self, name: str) -> User:
        user = await self.store.user_by_name(name)
        if user is None:
            raise NotFoundError(
                f"There is no user named {name!r}.",
                hint="Create one with `syncoxide user add NAME`.",
            )
        return user

    # API tokens

    async def create_token(
        self, user: User, label: str, expires_in: int | None = None
    ) -> tuple[str, ApiToken]:
        label = label.strip()[:100] or "token"
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = self.clock() + expires_in if expires_in else None
        record = await self.store.add_token(
            user.id,
            secret_hash(secret),
            label,
            prefix=secret[:10],
            now=self.clock(),
            expires_at=expires_at,
        )
        return secret, record

    async def tokens(self, user: User) -> Sequence[ApiToken]:
        return await self.store.tokens_of(user.id)

    async def revoke_token(self, user: User, token_id: int) -> None:
        self._token_cache.clear()
        if not await self.store.revoke_token(user.id, token_id, self.clock()):
            raise NotFoundError(
                "No such active token.", hint="List your tokens to see which ones are active."
            )

    async def authenticate_token(self, secret: str) -> SignedIn:
        digest = secret_hash(secret)
        now = self.clock()
        cached = self._token_cache.get(digest)
        record: ApiToken | None
        user: User | None
        if cached is not None and now - cached[0] < TOKEN_CACHE_SECONDS:
            record, user = cached[1], cached[2]
        else:
            found = await self.store.token_and_owner(digest)
            record, user = found if found else (None, None)
            if len(self._token_cache) > 10_000:
                self._token_cache.clear()
            if record is not None and user is not None and record.revoked_at is None:
                self._token_cache[digest] = (now, record, user)
        if record is None or user is None or record.revoked_at is not None:
            raise AuthenticationError(
                "This API token is not valid or was revoked.",
                hint="Create a new one with `syncoxide token create` or in the app.",
            )
        if record.expires_at is not None and record.expires_at <= now:
            raise AuthenticationError("This API token has expired.", hint="Create a new one.")
        if cached is None and (record.last_used_at is None or now - record.last_used_at >= 60):
            await self.store.touch_token(record.id, now)
        return SignedIn(user, "token")

    # sessions

    async def start_session(self, user: User) -> tuple[str, Session]:
        cookie = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(user.id, secrets.token_urlsafe(32), now, now, now + SESSION_MAX_SECONDS)
        await self.store.add_session(secret_hash(cookie), session)
        return cookie, session

    async def session_user(self, cookie: str) -> SignedIn | None:
        digest = secret_hash(cookie)
        session = await self.store.session_by_hash(digest)
        now = self.clock()
        if session is None:
            return None
        if session.expires_at <= now or now - session.last_seen_at > SESSION_IDLE_SECONDS:
            await self.store.delete_session(digest)
            return None
        user = await self.store.user_by_id(session.user_id)
        if user is None:
            return None
        if now - session.last_seen_at >= 60:
            await self.store.touch_session(digest, now)
        return SignedIn(user, "session", session.csrf_token, digest)

    async def end_session(self, signed_in: SignedIn) -> None:
        if signed_in.session_hash is not None:
            await self.store.delete_session(signed_in.session_hash)

    async def end_every_session(self, user: User) -> int:
        """Sign ``user`` out of every browser (API tokens stay); how many sessions ended."""
        return await self.store.delete_sessions_of(user.id)
