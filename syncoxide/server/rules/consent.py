"""OAuth consent for Google Drive and Dropbox connections: authorization code with PKCE.

``start`` remembers the request under a random ``state`` (in this process, for ten minutes)
and gives the address of the provider's consent screen; the provider sends the browser back
to ``/connections/consent/callback`` with a one-time code, and ``finish`` swaps it for a
refresh token and adds the connection (checked and sealed like any other). Only the user who
started a consent can finish it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx2

from syncoxide.errors import UsageError
from syncoxide.native.net.guarded_clients import guarded_transport
from syncoxide.native.remotes.factories import DROPBOX_TOKEN_URL, GOOGLE_TOKEN_URL
from syncoxide.server.rules.connections import Connections, check_connection_input
from syncoxide.server.rules.store import Connection

CONSENT_SECONDS = 600
MAX_PENDING_PER_USER = 10
EXCHANGE_SECONDS = 20.0


@dataclass(frozen=True)
class ConsentService:
    label: str
    auth_url: str
    token_url: str
    extra: dict[str, str]  # what makes the provider hand out a refresh token


SERVICES = {
    "gdrive": ConsentService(
        "Google Drive",
        "https://accounts.google.com/o/oauth2/v2/auth",
        GOOGLE_TOKEN_URL,
        {
            "scope": "https://www.googleapis.com/auth/drive",
            "access_type": "offline",
            "prompt": "consent",
        },
    ),
    "dropbox": ConsentService(
        "Dropbox",
        "https://www.dropbox.com/oauth2/authorize",
        DROPBOX_TOKEN_URL,
        {"token_access_type": "offline"},
    ),
}


@dataclass(frozen=True)
class PendingConsent:
    user_id: int
    name: str
    kind: str
    options: dict[str, str] = field(repr=False)
    verifier: str = field(repr=False)
    redirect_uri: str
    expires_at: int


class ConsentFlows:
    def __init__(self, connections: Connections, clock: Callable[[], int]) -> None:
        self.connections = connections
        self.clock = clock
        self._pending: dict[str, PendingConsent] = {}

    def start(
        self, user_id: int, name: str, kind: str, options: dict[str, Any], *, redirect_uri: str
    ) -> str:
        """The consent screen's address; ``UsageError`` for options that cannot work."""
        if kind not in SERVICES:
            raise UsageError(
                f"{kind!r} connects with keys, not a consent screen.",
                hint="Consent is for gdrive and dropbox.",
            )
        service = SERVICES[kind]
        given = dict(options)
        auth_url = str(given.pop("auth_url", service.auth_url))
        checked = check_connection_input(name, kind, {**given, "refresh_token": "-"})
        checked.pop("refresh_token")
        self._forget_expired()
        if sum(1 for p in self._pending.values() if p.user_id == user_id) >= MAX_PENDING_PER_USER:
            raise UsageError(
                "Too many consents in progress.", hint="Finish one, or wait ten minutes."
            )
        state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        self._pending[state] = PendingConsent(
            user_id, name, kind, checked, verifier, redirect_uri, self.clock() + CONSENT_SECONDS
        )
        query = {
            "response_type": "code",
            "client_id": checked["client_id"],
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
            **service.extra,
        }
        return f"{auth_url}?{urlencode(query)}"

    async def finish(self, user_id: int, state: str, code: str, error: str) -> Connection:
        pending = self._pending.get(state)
        if pending is None or pending.user_id != user_id or pending.expires_at < self.clock():
            raise UsageError(
                "This consent is unknown, used or expired; nothing was connected.",
                hint="Start again from Files.",
            )
        del self._pending[state]
        label = SERVICES[pending.kind].label
        if error or not code:
            raise UsageError(
                f"{label} did not give access ({error or 'no code'}); nothing was connected."
            )
        refresh_token = await self._exchange(pending, code)
        options = {**pending.options, "refresh_token": refresh_token}
        added, result = await self.connections.add(user_id, pending.name, pending.kind, options)
        if added is None:
            raise UsageError(f"{label} gave access, but the connection failed: {result.message}")
        return added

    async def _exchange(self, pending: PendingConsent, code: str) -> str:
        label = SERVICES[pending.kind].label
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": pending.options["client_id"],
            "client_secret": pending.options.get("client_secret", ""),
            "code_verifier": pending.verifier,
        }
        token_url = pending.options.get("token_url", SERVICES[pending.kind].token_url)
        try:
            transport = guarded_transport(self.connections.guard)
            async with httpx2.AsyncClient(timeout=EXCHANGE_SECONDS, transport=transport) as client:
                reply = await client.post(token_url, data=form)
            answer = reply.json() if reply.content else {}
        except (httpx2.HTTPError, ValueError) as failure:
            raise UsageError(
                f"Could not reach {label}'s sign-in service ({type(failure).__name__}); "
                "nothing was connected."
            ) from failure
        token = answer.get("refresh_token") if isinstance(answer, dict) else None
        if reply.status_code != 200 or not token:
            said = answer.get("error", reply.status_code) if isinstance(answer, dict) else ""
            raise UsageError(
                f"{label} refused the consent code ({said}); nothing was connected.",
                hint="Start again from Files.",
            )
        return str(token)

    def _forget_expired(self) -> None:
        now = self.clock()
        for state in [s for s, p in self._pending.items() if p.expires_at < now]:
            del self._pending[state]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
