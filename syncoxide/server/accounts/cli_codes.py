"""One-time codes that carry a token from the browser to ``syncoxide login`` (see cli_login)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field

from syncoxide.server.inputs import same_secret

CODE_TTL_SECONDS = 120


def challenge_of(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("utf-8", "surrogatepass")).digest())
        .rstrip(b"=")
        .decode()
    )


@dataclass
class CliLoginCodes:
    _pending: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    def file(self, challenge: str, token: str, now: int) -> str:
        self._pending = {k: v for k, v in self._pending.items() if v[2] > now}
        code = secrets.token_urlsafe(24)
        self._pending[code] = (challenge, token, now + CODE_TTL_SECONDS)
        return code

    def redeem(self, code: str, verifier: str, now: int) -> str | None:
        entry = self._pending.pop(code, None)
        if entry is None or entry[2] <= now:
            return None
        if not same_secret(challenge_of(verifier), entry[0]):
            return None
        return entry[1]
