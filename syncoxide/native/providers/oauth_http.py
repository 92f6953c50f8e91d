"""OAuth 2 bearer-token HTTP for the cloud providers (Google Drive, Dropbox), with retries.

How it works: every request goes through ``OAuthClient.request``, which
- attaches the current access token, renewing it first when it is about to expire;
- on a 401 renews the token once and repeats the request (tokens expire or are revoked early);
- on 429, 5xx and timeouts waits (``Retry-After`` when the service says how long, else
  exponential backoff with jitter) and repeats, up to ``attempts`` times in all;
- once the token endpoint refuses a renewal, fails every later call at once with the same
  ``AuthenticationError`` instead of asking again: a revoked connection must not become a
  retry storm against the service.
Request bodies are bytes, never streams, so any request can be repeated safely.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2

from syncoxide.errors import AuthenticationError, ProviderError, ProviderUnavailableError
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.native.net.guarded_clients import guarded_transport

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_RENEW_EARLY_SECONDS = 60.0  # renew a little before expiry so a long request does not 401


@dataclass(frozen=True)
class OAuthSettings:
    """Credentials and retry policy of one connected account."""

    service: str  # "Google Drive", "Dropbox": used in messages
    token_url: str
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    timeout: float = 30.0
    attempts: int = 5
    backoff_seconds: float = 0.5
    #: A Retry-After longer than this is not waited out: the call fails as unavailable.
    max_wait_seconds: float = 60.0


def retry_after_seconds(response: httpx2.Response) -> float | None:
    """The wait a 429/503 asks for (seconds or an HTTP date), or None when it does not say."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class OAuthClient:
    """An ``httpx2.AsyncClient`` that carries, renews and retries. Close with ``aclose``."""

    def __init__(
        self,
        settings: OAuthSettings,
        *,
        is_retryable: Callable[[httpx2.Response], bool] | None = None,
    ) -> None:
        self._settings = settings
        self._is_retryable = is_retryable or (lambda r: r.status_code in RETRYABLE_STATUSES)
        self._client: httpx2.AsyncClient | None = None
        #: Set before the first request: every address it connects to is checked.
        self.guard: AddressGuard | None = None
        self._access = settings.access_token
        self._expires_at = float("inf") if settings.access_token else 0.0
        self._renewing = asyncio.Lock()
        self._refused: AuthenticationError | None = None
        #: Counted for tests and reports: how many waits and renewals happened.
        self.retries = 0
        self.renewals = 0

    @property
    def settings(self) -> OAuthSettings:
        return self._settings

    def _http(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(
                timeout=httpx2.Timeout(self._settings.timeout),
                transport=guarded_transport(self.guard),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(
        self, method: str, url: str, *, stream: bool = False, retry: bool = True, **options: Any
    ) -> httpx2.Response:
        """Sends with a valid token; returns any reply that is not retryable (caller checks).

        With ``stream`` the body is not read: the caller must ``aclose`` the response.
        ``retry=False`` makes one attempt (resumable uploads resume by asking the server)."""
        attempts = self._settings.attempts if retry else 1
        renewed = False
        problem = "no attempt was made"
        attempt = 0
        while attempt < attempts:
            attempt += 1
            token = await self._token()
            response, problem = await self._send_once(
                method, url, token, stream=stream, options=options
            )
            if response is None:
                await self._pause(attempt, attempts, None)
                continue
            if response.status_code == 401:
                await response.aclose()
                if renewed:
                    raise self._rejected_after_renewal()
                await self._renew(rejected=token)
                renewed, attempt = True, attempt - 1  # a renewal is not a failed attempt
                continue
            if retry and self._is_retryable(response):
                problem = f"it answered {response.status_code}"
                wait = retry_after_seconds(response)
                await response.aclose()
                await self._pause(attempt, attempts, wait)
                continue
            return response
        raise ProviderUnavailableError(
            f"{self._settings.service} is unavailable: {problem} ({method}, {attempts} tries).",
            hint="Nothing half-written was kept under a final name; run again later.",
        )

    async def _send_once(
        self, method: str, url: str, token: str, *, stream: bool, options: dict[str, Any]
    ) -> tuple[httpx2.Response | None, str]:
        """One try: (the reply, "") or (None, what went wrong on the way)."""
        headers = {**options.get("headers", {}), "Authorization": f"Bearer {token}"}
        built = self._http().build_request(method, url, **{**options, "headers": headers})
        try:
            return await self._http().send(built, stream=stream), ""
        except httpx2.TimeoutException:
            return None, "it did not answer in time"
        except httpx2.TransportError as error:
            return None, f"the connection failed ({type(error).__name__})"

    async def _pause(self, attempt: int, attempts: int, asked: float | None) -> None:
        if attempt >= attempts:
            return
        if asked is not None and asked > self._settings.max_wait_seconds:
            raise ProviderUnavailableError(
                f"{self._settings.service} asked to wait {asked:.0f} s before trying again.",
                hint="Nothing half-written was kept; run again later.",
            )
        base = self._settings.backoff_seconds * 2 ** (attempt - 1)
        # Jitter spreads clients that failed together so they do not return together.
        wait = asked if asked is not None else base * (0.5 + random.random())  # noqa: S311
        self.retries += 1
        await asyncio.sleep(wait)

    def _rejected_after_renewal(self) -> AuthenticationError:
        return AuthenticationError(
            f"{self._settings.service} rejected a freshly renewed access token.",
            hint="Nothing was changed. Reconnect the account, then run again.",
        )

    async def _token(self) -> str:
        if self._refused is not None:
            raise self._refused
        if self._access and time.monotonic() < self._expires_at - _RENEW_EARLY_SECONDS:
            return self._access
        return await self._renew(rejected=self._access or None)

    async def _renew(self, rejected: str | None) -> str:
        async with self._renewing:
            if self._refused is not None:
                raise self._refused
            fresh = time.monotonic() < self._expires_at - _RENEW_EARLY_SECONDS
            if self._access and self._access != rejected and fresh:
                return self._access  # another task renewed while this one waited
            if not self._settings.refresh_token:
                self._refused = self._refusal("the access token expired or was revoked")
                raise self._refused
            reply = await self._ask_token_endpoint()
            self._access = str(reply["access_token"])
            lifetime = float(reply.get("expires_in", 3600))
            self._expires_at = time.monotonic() + lifetime
            self.renewals += 1
            return self._access

    async def _ask_token_endpoint(self) -> dict[str, Any]:
        s = self._settings
        form = {
            "grant_type": "refresh_token",
            "refresh_token": s.refresh_token,
            "client_id": s.client_id,
            "client_secret": s.client_secret,
        }
        try:
            reply = await self._http().post(s.token_url, data=form)
        except httpx2.HTTPError as error:
            raise ProviderUnavailableError(
                f"Could not reach the {s.service} sign-in service ({type(error).__name__}).",
                hint="Nothing was changed; run again later.",
            ) from error
        if reply.status_code in RETRYABLE_STATUSES:
            raise ProviderUnavailableError(
                f"The {s.service} sign-in service is unavailable ({reply.status_code}).",
                hint="Nothing was changed; run again later.",
            )
        body = _json_or_empty(reply)
        if reply.status_code != 200 or "access_token" not in body:
            reason = str(body.get("error", f"status {reply.status_code}"))
            self._refused = self._refusal(f"renewing the access token was refused ({reason})")
            raise self._refused
        return body

    def _refusal(self, what: str) -> AuthenticationError:
        service = self._settings.service
        return AuthenticationError(
            f"{service}: {what}; the connection was revoked or has expired.",
            hint=f"Nothing was changed. Reconnect {service} (connect the account again), "
            "then run again.",
        )


@contextmanager
def reading(service: str, path: str) -> Iterator[None]:
    """Translates a reply body cut off mid-way (the connection dropped) into our tree."""
    try:
        yield
    except httpx2.HTTPError as error:
        raise ProviderUnavailableError(
            f"{service}: the connection dropped while reading {path!r} ({type(error).__name__}).",
            hint="Nothing was changed; run again to fetch it.",
        ) from error


def _json_or_empty(reply: httpx2.Response) -> dict[str, Any]:
    try:
        body = reply.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def require_json(reply: httpx2.Response, service: str) -> dict[str, Any]:
    """The reply's JSON object; a ProviderError when the service sent something else."""
    body = _json_or_empty(reply)
    if not body and reply.content.strip() not in (b"{}", b"", b"null"):
        raise ProviderError(f"{service} sent a reply that is not JSON ({reply.status_code}).")
    return body
