"""Sign-in through any OpenID Connect issuer: authorization code flow with PKCE.

How a login goes: ``begin`` stores a pending login under a random ``state`` (with the nonce
and the PKCE verifier) and binds that state to the browser with a short-lived cookie, then
sends the browser to the issuer. ``finish`` takes the pending login exactly once, checks that
the browser's cookie, the returned state and the provider all agree and that the login is
recent, redeems the code (authlib sends the PKCE verifier), and validates the ID token:
signature against the issuer's JWKS, ``iss``, ``aud``, ``exp`` and the ``nonce`` we sent.

Plain OAuth2 providers without ID tokens (GitHub) are configured with ``openid = false`` and
explicit endpoints; the user is then read from the ``userinfo_endpoint``.
"""

from __future__ import annotations

import re
import secrets
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

from syncoxide.errors import ConfigError
from syncoxide.server.api.errors import ApiError
from syncoxide.server.inputs import same_secret
from syncoxide.server.storage.port import DuplicateError, MetadataStore, PendingLogin, User

if TYPE_CHECKING:  # authlib and joserfc are imported when a sign-in uses them (~0.13 s)
    from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
        AsyncOAuth2Client,
    )

LOGIN_TTL_SECONDS = 600
STATE_COOKIE = "sxo_login_state"

PRESETS: dict[str, dict[str, Any]] = {
    "google": {"label": "Google", "issuer": "https://accounts.google.com"},
    "github": {
        "label": "GitHub",
        "issuer": "https://github.com",
        "openid": False,
        "scope": "read:user",
        "authorization_endpoint": "https://github.com/login/oauth/authorize",
        "token_endpoint": "https://github.com/login/oauth/access_token",
        "userinfo_endpoint": "https://api.github.com/user",
    },
}


@dataclass(frozen=True)
class OidcProvider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = "openid email profile"
    allow_new_users: bool = False
    openid: bool = True
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    userinfo_endpoint: str | None = None


def load_providers(path: Path) -> dict[str, OidcProvider]:
    """Read ``[oidc.NAME]`` tables from the server's TOML config, applying presets."""
    if not path.is_file():
        return {}
    try:
        settings = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"Could not read {path}: {error}.") from error
    providers = {}
    for name, table in settings.get("oidc", {}).items():
        values = {**PRESETS.get(table.get("preset", ""), {}), **table}
        values.pop("preset", None)
        values.setdefault("label", name)
        try:
            providers[name] = OidcProvider(name=name, **values)
        except TypeError as error:
            raise ConfigError(
                f"The [oidc.{name}] section of {path} is incomplete or has unknown keys.",
                hint="It needs issuer (or preset), client_id and client_secret.",
            ) from error
    return providers


@dataclass
class OidcLogins:
    store: MetadataStore
    providers: dict[str, OidcProvider]
    _metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    _http: httpx2.AsyncClient | None = None

    @property
    def http(self) -> httpx2.AsyncClient:
        # Made on first use: most servers name no provider, and a client loads the CA bundle
        # (0.15 s of CPU measured), which every server start paid, and tests start hundreds.
        if self._http is None:
            self._http = httpx2.AsyncClient(timeout=10)
        return self._http

    def provider(self, name: str) -> OidcProvider:
        found = self.providers.get(name)
        if found is None:
            raise ApiError(404, "unknown_provider", f"No sign-in provider named {name!r}.")
        return found

    async def metadata(self, provider: OidcProvider) -> dict[str, Any]:
        if not provider.openid:
            return {
                "authorization_endpoint": provider.authorization_endpoint,
                "token_endpoint": provider.token_endpoint,
                "userinfo_endpoint": provider.userinfo_endpoint,
            }
        cached = self._metadata.get(provider.name)
        if cached is None:
            url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                response = await self.http.get(url)
                response.raise_for_status()
                cached = response.json()
            except (httpx2.HTTPError, ValueError) as error:
                raise ApiError(
                    502, "issuer_unreachable", f"Could not reach {provider.label} to sign in."
                ) from error
            if cached.get("issuer") != provider.issuer:
                raise ApiError(502, "issuer_mismatch", f"{provider.label} named another issuer.")
            self._metadata[provider.name] = cached
        return cached

    def _client(self, provider: OidcProvider, redirect_uri: str) -> AsyncOAuth2Client:
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        return AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            scope=provider.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=10,
        )

    async def begin(
        self, name: str, redirect_uri: str, next_path: str, now: int
    ) -> tuple[str, str]:
        """Return the issuer URL to send the browser to and the state to bind to it."""
        provider = self.provider(name)
        metadata = await self.metadata(provider)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)
        await self.store.put_pending_login(
            state, PendingLogin(name, nonce, verifier, next_path, now)
        )
        async with self._client(provider, redirect_uri) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=state,
                nonce=nonce,
                code_verifier=verifier,
            )
        return url, state

    async def finish(
        self,
        name: str,
        query: dict[str, str],
        browser_state: str | None,
        *,
        redirect_uri: str,
        now: int,
    ) -> tuple[OidcProvider, dict[str, Any], str]:
        """Check the callback; return the provider, the verified claims and where to go."""
        provider = self.provider(name)
        state = query.get("state", "")
        if not same_secret(state, browser_state):
            raise ApiError(
                400,
                "state_mismatch",
                "This sign-in did not start in this browser. Start again from the sign-in page.",
            )
        pending = await self.store.take_pending_login(state)
        if pending is None or pending.provider != name:
            raise ApiError(
                400,
                "state_mismatch",
                "This sign-in is unknown or was already used. Start again from the sign-in page.",
            )
        if now - pending.created_at > LOGIN_TTL_SECONDS:
            raise ApiError(400, "login_expired", "This sign-in took too long. Start again.")
        if "error" in query or "code" not in query:
            raise ApiError(400, "login_refused", f"{provider.label} did not sign you in.")
        metadata = await self.metadata(provider)
        async with self._client(provider, redirect_uri) as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    code=query["code"],
                    code_verifier=pending.code_verifier,
                )
            except Exception as error:  # authlib raises OAuthError or httpx2 errors
                raise ApiError(
                    400,
                    "code_rejected",
                    f"{provider.label} refused the sign-in code (expired or already used). "
                    "Start again.",
                ) from error
            if provider.openid:
                claims = await self._id_token_claims(provider, metadata, token, pending.nonce)
            else:
                response = await client.get(metadata["userinfo_endpoint"])
                claims = {**response.json()}
                claims["sub"] = str(claims.get("id", claims.get("sub", "")))
        if not claims.get("sub"):
            raise ApiError(400, "login_refused", f"{provider.label} did not say who you are.")
        return provider, claims, pending.next_path

    async def _id_token_claims(
        self, provider: OidcProvider, metadata: dict[str, Any], token: dict[str, Any], nonce: str
    ) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        raw = token.get("id_token")
        if not raw:
            raise ApiError(400, "id_token_missing", f"{provider.label} sent no ID token.")
        try:
            keys = (await self.http.get(metadata["jwks_uri"])).json()
            decoded = jwt.decode(raw, KeySet.import_key_set(keys))
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": provider.issuer},
                aud={"essential": True, "value": provider.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError, httpx2.HTTPError) as error:
            raise ApiError(
                400,
                "id_token_invalid",
                f"The sign-in from {provider.label} could not be verified "
                f"({type(error).__name__}). Start again.",
            ) from error
        return dict(decoded.claims)


async def user_for_claims(
    store: MetadataStore, provider: OidcProvider, claims: dict[str, Any], now: int
) -> User:
    subject = str(claims["sub"])
    user = await store.user_by_identity(provider.issuer, subject)
    if user is not None:
        return user
    if not provider.allow_new_users:
        raise ApiError(
            403,
            "no_account",
            f"No syncoxide account is linked to this {provider.label} sign-in. "
            "Ask the administrator to allow new users for this provider.",
        )
    wanted = str(
        claims.get("preferred_username")
        or claims.get("login")
        or str(claims.get("email", "")).split("@")[0]
        or "user"
    )
    base = re.sub(r"[^a-z0-9._-]", "-", wanted.lower()).strip("-._")[:40] or "user"
    display = str(claims.get("name") or claims.get("email") or base)
    for attempt in range(50):
        name = base if attempt == 0 else f"{base}-{attempt + 1}"
        try:
            user = await store.create_user(name, display, None, now)
        except DuplicateError:
            continue
        await store.link_identity(provider.issuer, subject, user.id)
        return user
    raise ApiError(409, "name_taken", "Could not find a free user name for this sign-in.")


def without_secret(provider: OidcProvider) -> OidcProvider:
    return replace(provider, client_secret="")
