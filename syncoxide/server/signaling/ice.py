"""The STUN/TURN servers this server hands to peers, with fresh TURN credentials each time.

Configured under ``[webrtc]`` in the settings file (or the environment, which wins), see
docs/webrtc-relay.md::

    [webrtc]
    stun = ["stun:turn.example.org:3478"]
    turn = ["turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp"]
    turn_secret_file = "/etc/syncoxide/turn-secret"   # the same as coturn's static-auth-secret
    turn_lifetime = 43200                               # seconds a credential stays valid

``SYNCOXIDE_STUN_URLS`` and ``SYNCOXIDE_TURN_URLS`` (comma-separated) and
``SYNCOXIDE_TURN_SECRET`` override them. Nothing configured: an empty list, and peers use their
host candidates only (no public STUN server is ever added).

The lifetime must outlast the longest transfer through the relay: coturn checks the username's
expiry on each allocation refresh, so a relay used past it is cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide.errors import ConfigError, RemoteProtocolError
from syncoxide.protocol.ice_servers import IceServer, check_url, turn_server

DEFAULT_LIFETIME = 12 * 3600
_KEYS = {"stun", "turn", "turn_secret", "turn_secret_file", "turn_lifetime"}


@dataclass(frozen=True)
class IceSettings:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: bytes = b""
    lifetime: int = DEFAULT_LIFETIME

    def servers_for(self, label: str, now: float) -> list[IceServer]:
        """What a peer named ``label`` may use from ``now`` on (TURN valid for ``lifetime``)."""
        servers = [IceServer(self.stun_urls)] if self.stun_urls else []
        if self.turn_urls:
            expires = int(now) + self.lifetime
            servers.append(
                turn_server(self.turn_urls, self.turn_secret, label=label, expires_at=expires)
            )
        return servers

    def as_json(self, label: str, now: float) -> list[dict[str, Any]]:
        return [server.to_json() for server in self.servers_for(label, now)]


def ice_settings(
    table: Mapping[str, Any], environ: Mapping[str, str], where: str = "the settings file"
) -> IceSettings:
    """``[webrtc]`` from ``table``, overridden by ``environ``; ConfigError saying what is wrong."""
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(
            f"[webrtc] in {where} has unknown settings: {', '.join(sorted(unknown))}.",
            hint="Settings: stun, turn (lists), turn_secret or turn_secret_file, turn_lifetime.",
        )
    stun = _urls(environ.get("SYNCOXIDE_STUN_URLS"), table.get("stun", []), "stun")
    turn = _urls(environ.get("SYNCOXIDE_TURN_URLS"), table.get("turn", []), "turn")
    secret = _secret(table, environ, where)
    if turn and not secret:
        raise ConfigError(
            "TURN addresses are configured without the shared secret.",
            hint="Set turn_secret_file under [webrtc] (or SYNCOXIDE_TURN_SECRET) to coturn's "
            "static-auth-secret.",
        )
    lifetime = table.get("turn_lifetime", DEFAULT_LIFETIME)
    whole = isinstance(lifetime, int) and not isinstance(lifetime, bool)
    if not whole or not 60 <= lifetime <= 7 * 86400:
        raise ConfigError("[webrtc] turn_lifetime must be whole seconds from 60 to 604800.")
    return IceSettings(stun, turn, secret, lifetime)


def _urls(from_environ: str | None, listed: object, name: str) -> tuple[str, ...]:
    if from_environ is not None:
        listed = [url.strip() for url in from_environ.split(",") if url.strip()]
    if not isinstance(listed, list):
        raise ConfigError(f"[webrtc] {name} must be a list of addresses.")
    try:
        return tuple(check_url(url) for url in listed)
    except RemoteProtocolError as error:
        raise ConfigError(f"[webrtc] {name}: {error.message}", hint=error.hint) from None


def _secret(table: Mapping[str, Any], environ: Mapping[str, str], where: str) -> bytes:
    if environ.get("SYNCOXIDE_TURN_SECRET"):
        return environ["SYNCOXIDE_TURN_SECRET"].encode()
    inline, file = table.get("turn_secret"), table.get("turn_secret_file")
    if inline is not None and not isinstance(inline, str):
        raise ConfigError(f"[webrtc] turn_secret in {where} must be text.")
    if file is None:
        return (inline or "").encode()
    try:
        return Path(str(file)).expanduser().read_text().strip().encode()
    except OSError as error:
        raise ConfigError(
            f"Could not read the TURN secret from {file}: {error.strerror}.",
            hint="Check the path and that the server's user may read it.",
        ) from error
