"""FAKE OAuth token issuing and fault injection shared by the fake Drive and Dropbox servers.

Not a real OAuth server: it knows one client and one refresh token, hands out random access
tokens that expire after ``token_lifetime`` seconds, and can be told to refuse renewals. Its
consent screen (``authorize``) answers at once for a fake user, with a one-time code that the
``authorization_code`` grant swaps (PKCE checked) for the one refresh token.
``Faults`` wraps an ASGI app and answers chosen requests with an error status, a delay, or
the app's work followed by an error (a reply lost after the server acted).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
REFRESH_TOKEN = "fake-refresh-token"


class FakeTokens:
    """Access tokens of the fake: ``valid`` checks, ``expire_all`` makes the next call 401."""

    def __init__(self, token_lifetime: float = 3600.0) -> None:
        self.token_lifetime = token_lifetime
        self.refuse_renewals = False
        self.renewals = 0
        #: The fake user's answer on the consent screen (False: "access_denied").
        self.consent = True
        self._expiry: dict[str, float] = {}
        self._codes: dict[str, tuple[str, str]] = {}  # code -> (redirect_uri, PKCE challenge)

    def issue(self) -> str:
        token = "fake-access-" + secrets.token_hex(8)
        self._expiry[token] = time.monotonic() + self.token_lifetime
        return token

    def expire_all(self) -> None:
        self._expiry.clear()

    def valid(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme == "Bearer" and self._expiry.get(token, 0.0) > time.monotonic()

    async def authorize(self, request: Request) -> Response:
        """The consent screen, answered at once by the fake user: back to ``redirect_uri``
        with a one-time code (or ``error=access_denied`` when ``consent`` is False)."""
        query = request.query_params
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        redirect, state = query.get("redirect_uri", ""), query.get("state", "")
        if not self.consent:
            return RedirectResponse(
                f"{redirect}?{urlencode({'error': 'access_denied', 'state': state})}", 302
            )
        code = "fake-code-" + secrets.token_hex(8)
        self._codes[code] = (redirect, query.get("code_challenge", ""))
        return RedirectResponse(f"{redirect}?{urlencode({'code': code, 'state': state})}", 302)

    def _code_grant(self, form: dict[str, str]) -> Response:
        redirect, challenge = self._codes.pop(form.get("code", ""), ("", ""))
        verifier = form.get("code_verifier", "").encode()
        proof = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if not redirect or redirect != form.get("redirect_uri") or proof != challenge:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        body = {"access_token": self.issue(), "expires_in": int(self.token_lifetime)}
        return JSONResponse(body | {"refresh_token": REFRESH_TOKEN, "token_type": "Bearer"})

    async def token_endpoint(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") not in ("refresh_token", "authorization_code"):
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form["grant_type"] == "authorization_code":
            return self._code_grant(form)
        if self.refuse_renewals or form.get("refresh_token") != REFRESH_TOKEN:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Token has been revoked."},
                status_code=400,
            )
        self.renewals += 1
        body = {"access_token": self.issue(), "expires_in": int(self.token_lifetime)}
        return JSONResponse(body | {"token_type": "Bearer"})


@dataclass
class Fault:
    """Answer the next ``times`` requests whose path contains ``path_contains``."""

    path_contains: str
    status: int = 503
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0
    #: Let the app do the work first, then replace its reply (a reply lost after the fact).
    after_work: bool = False
    method: str | None = None
    #: With ``status=0``: send only this many body bytes of the real reply, then hang up.
    cut_after: int | None = None


class Faults:
    """ASGI middleware: injected failures, set from tests or ``POST /_fake/faults``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pending: list[Fault] = []
        self.seen: list[tuple[str, str, int]] = []  # (method, path, status sent)

    def add(self, fault: Fault) -> None:
        self.pending.append(fault)

    def _take(self, method: str, path: str) -> Fault | None:
        for fault in self.pending:
            if fault.path_contains in path and fault.method in (None, method):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if path == "/_fake/faults" and method == "POST":
            await self._control(scope, receive, send)
            return
        fault = self._take(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        # A client that gave up (timeout) while a delay ran is gone: nothing to answer.
        with contextlib.suppress(ClientDisconnect):
            await self._answer(fault, scope, receive, send)

    async def _answer(
        self, fault: Fault | None, scope: Scope, receive: Receive, send: Send
    ) -> None:
        method, path = scope["method"], scope["path"]
        if fault is None or fault.status == 0:
            recording = self._recording(method, path, send)
            cut = fault.cut_after if fault is not None else None
            await self.app(scope, receive, recording if cut is None else _cutting(recording, cut))
            return
        if fault.after_work:
            await self.app(scope, receive, _swallow)
        self.seen.append((method, path, fault.status))
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        body = {"error": {"code": fault.status, "message": "injected fault (fake server)"}}
        await JSONResponse(body, fault.status, headers)(scope, receive, send)

    def _recording(self, method: str, path: str, send: Send) -> Send:
        async def recorded(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((method, path, int(message["status"])))
            await send(message)

        return recorded

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        spec: dict[str, Any] = json.loads(await request.body())
        self.add(Fault(**spec))
        await JSONResponse({"pending": len(self.pending)})(scope, receive, send)


def _cutting(send: Send, limit: int) -> Send:
    """Passes the reply on until ``limit`` body bytes, then ends the message early: uvicorn
    closes a connection whose body is shorter than its Content-Length (a dropped link)."""
    left = [limit]

    async def cut(message: Message) -> None:
        if left[0] < 0:
            return  # the rest of the reply is never sent
        if message["type"] != "http.response.body":
            await send(message)
            return
        body = bytes(message.get("body", b""))[: left[0]]
        left[0] -= len(body)
        if left[0] <= 0:
            left[0] = -1
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        await send({**message, "body": body})

    return cut


async def _swallow(message: Message) -> None:
    return None
