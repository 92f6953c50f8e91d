"""What ``syncoxide login`` has in flight on the server (see cli_login).

Two records, in the order they are used:

1. A *sign-in request*: the command line asks first (``POST /api/v1/cli-login/start``), naming
   its device and the SHA-256 ``challenge`` of a verifier only it knows; the server notes the
   address it came from and the time, and gives back a short ``user_code`` the terminal shows.
   The approval page shows all of that and asks the user to type the code from the terminal,
   as the OAuth device flow does: a link crafted by someone else names a device and an address
   that are not the user's, and its code is not on the user's screen.
2. A one-time *code* filed once the user approved: it carries the new token to the command
   line, which swaps it together with the verifier. A wrong verifier leaves the code usable by
   the real command line (it would otherwise let anyone who saw the code burn it).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Protocol

from syncoxide.server.inputs import same_secret

CODE_TTL_SECONDS = 120
REQUEST_TTL_SECONDS = 600
MAX_WRONG_USER_CODES = 3  # then the request is dropped: 20^8 codes leave a guesser nothing
MAX_PENDING = 10_000  # memory bound; starts are also throttled per address
# No vowels (no words) and none of 0/O, 1/I/L, 5/S, 2/Z read alike on a terminal.
_USER_CODE_ALPHABET = "BCDFGHJKMNPQRTVWXY"
_USER_CODE_LENGTH = 8


def challenge_of(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("utf-8", "surrogatepass")).digest())
        .rstrip(b"=")
        .decode()
    )


def new_user_code() -> str:
    letters = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(_USER_CODE_LENGTH))
    return f"{letters[:4]}-{letters[4:]}"


def normalized_user_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


@dataclass(frozen=True)
class SignInRequest:
    """What a command line asked for, as the approval page shows it."""

    challenge: str
    port: int  # 0: show the code to paste; else redirect to http://127.0.0.1:<port>/callback
    device: str
    address: str
    asked_at: int
    user_code: str


class CliCodes(Protocol):
    """Sign-in requests and one-time codes: in memory, or in Redis shared by instances."""

    async def ask(self, request: SignInRequest, now: int) -> str: ...
    async def asked(self, request_id: str, now: int) -> SignInRequest | None: ...
    async def confirm(self, request_id: str, typed_code: str, now: int) -> SignInRequest | None: ...
    async def file(self, challenge: str, token: str, now: int) -> str: ...
    async def redeem(self, code: str, verifier: str, now: int) -> str | None: ...


@dataclass
class CliLoginCodes:
    _pending: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    _requests: dict[str, SignInRequest] = field(default_factory=dict)
    _wrong: dict[str, int] = field(default_factory=dict)

    async def ask(self, request: SignInRequest, now: int) -> str:
        """File a sign-in request; its id (for the approval page's address)."""
        self._requests = {
            k: v for k, v in self._requests.items() if v.asked_at + REQUEST_TTL_SECONDS > now
        }
        self._wrong = {k: v for k, v in self._wrong.items() if k in self._requests}
        while len(self._requests) >= MAX_PENDING:
            self._requests.pop(next(iter(self._requests)))
        request_id = secrets.token_urlsafe(24)
        self._requests[request_id] = request
        return request_id

    async def asked(self, request_id: str, now: int) -> SignInRequest | None:
        request = self._requests.get(request_id)
        if request is None or request.asked_at + REQUEST_TTL_SECONDS <= now:
            return None
        return request

    async def confirm(self, request_id: str, typed_code: str, now: int) -> SignInRequest | None:
        """The request, taken, when ``typed_code`` is its user code; None otherwise (and the
        request is dropped after MAX_WRONG_USER_CODES wrong ones)."""
        request = await self.asked(request_id, now)
        if request is None:
            return None
        if same_secret(normalized_user_code(typed_code), normalized_user_code(request.user_code)):
            self._requests.pop(request_id, None)
            self._wrong.pop(request_id, None)
            return request
        self._wrong[request_id] = self._wrong.get(request_id, 0) + 1
        if self._wrong[request_id] >= MAX_WRONG_USER_CODES:
            self._requests.pop(request_id, None)
            self._wrong.pop(request_id, None)
        return None

    async def file(self, challenge: str, token: str, now: int) -> str:
        self._pending = {k: v for k, v in self._pending.items() if v[2] > now}
        code = secrets.token_urlsafe(24)
        self._pending[code] = (challenge, token, now + CODE_TTL_SECONDS)
        return code

    async def redeem(self, code: str, verifier: str, now: int) -> str | None:
        entry = self._pending.get(code)
        if entry is None or entry[2] <= now:
            return None
        if not same_secret(challenge_of(verifier), entry[0]):
            return None  # kept: the real command line may still swap it
        del self._pending[code]
        return entry[1]
