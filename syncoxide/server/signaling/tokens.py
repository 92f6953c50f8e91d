"""Room ids, room tokens and short codes.

A room id is public (it appears in the WebSocket URL); the token that lets you join is
``HMAC-SHA256(secret, "room:" + id)``, handed out once to whoever created the room and carried in
the link's fragment so it never lands in server logs. Nothing about a room is stored to check a
token, so any server holding the same secret can verify it (a shared broker later).

A short code (``7K3Q-9XPM``: 40 bits from a 32-letter alphabet without 0/O/1/I) is something a
person can read out; the server maps it back to the link for a limited time, and lookups are
rate-limited per address so 40 bits cannot be walked.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from syncoxide.readable_codes import code_letters, typed_letters
from syncoxide.server.inputs import same_secret

SECRET_FILE = "signaling.key"  # noqa: S105 - a file name, not a secret


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class RoomTokens:
    secret: bytes

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> RoomTokens:
        """Keep the secret beside the database so links survive a server restart."""
        path = data_dir / SECRET_FILE
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            secret = os.urandom(32)
            # Written whole under a temporary name, then linked into place: a second process
            # starting at the same moment either wins the link or reads the winner's secret.
            temporary = data_dir / f".{SECRET_FILE}.{os.getpid()}"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secret)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
            temporary.unlink()
        return cls(path.read_bytes())

    def new_room(self, entropy: bytes) -> tuple[str, str]:
        room = _b64(entropy[:16])
        return room, self.token_for(room)

    def token_for(self, room: str) -> str:
        return _b64(hmac.new(self.secret, b"room:" + room.encode(), hashlib.sha256).digest())

    def verify(self, room: str, token: str) -> bool:
        return same_secret(token, self.token_for(room))


def short_code(entropy: bytes) -> str:
    value = int.from_bytes(entropy[:5], "big")
    letters = code_letters(value, 8)
    return f"{letters[:4]}-{letters[4:]}"


def normalise_code(text: str) -> str:
    """Accept what people type: lower case, spaces, a missing dash."""
    letters = typed_letters(text)
    return f"{letters[:4]}-{letters[4:]}"


def is_room_id(text: str) -> bool:
    return len(text) == 22 and all(c.isalnum() or c in "-_" for c in text)
