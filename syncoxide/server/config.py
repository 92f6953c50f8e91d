"""Where the server keeps its things, and how it is reached: the embedded defaults.

With no flags, ``syncoxide serve`` listens on 127.0.0.1:8000 and keeps its SQLite database and
blobs in the per-user data directory (``~/.local/share/syncoxide`` on Linux), created on first
run. ``--data-dir`` or ``SYNCOXIDE_DATA_DIR`` moves it.

Every setting the server takes from the environment is read here and nowhere else.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from syncoxide.catalog.retention import DAY, RetentionPolicy
from syncoxide.errors import ConfigError
from syncoxide.server.deployment.settings import Deployment, parse_deployment
from syncoxide.server.signaling.ice import IceSettings, ice_settings
from syncoxide.server.webbuild import project_root

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: How often the server purges trash and versions past their retention, unless set otherwise.
RETENTION_SWEEP_SECONDS = 3600.0
#: After how many hours a connection's part of the index counts as stale, unless set otherwise
#: (``[catalog] stale_after_hours``); what may be set: a minute to a year, as for a user's own.
STALE_AFTER_HOURS = 24
STALE_AFTER_HOURS_RANGE = (1 / 60, 366 * 24)
_RETENTION_KEYS = ("versions_days", "trash_days", "quota_share", "sweep_every_seconds")


@dataclass(frozen=True)
class RetentionSettings:
    policy: RetentionPolicy
    sweep_every_seconds: float = RETENTION_SWEEP_SECONDS


def default_data_dir() -> Path:
    override = os.environ.get("SYNCOXIDE_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("syncoxide", appauthor=False))


@dataclass(frozen=True)
class AutomationSettings:
    workers: int = 2  # jobs at once in each server process
    per_user: int = 1  # jobs at once per user, over every process
    lease_seconds: float = 30.0  # a killed server's jobs run again after this
    settle_seconds: float = 10.0  # a combining rule waits this long after the last arrival
    poll_seconds: float = 60.0  # how often rules on connections and shares look at their folders
    quiet_seconds: float = 5.0  # a polled file must keep its size and time this long to arrive


@dataclass(frozen=True)
class BackupHosting:
    """How users reach their hosted borg repositories over SSH (``[backups]``, docs/backups.md).

    With no ``authorized_keys`` set, keys are kept but no file is written: the operator has
    not given the server an SSH account to serve them from (``ssh_ready`` is false)."""

    root: Path  # the users' areas: ROOT/user-ID/
    authorized_keys: Path | None
    ssh_host: str
    ssh_port: int
    ssh_login: str
    borg: str  # the borg that the forced command runs

    @property
    def ssh_ready(self) -> bool:
        return self.authorized_keys is not None


#: How mail leaves the server: ``starttls`` upgrades a plain connection (port 587), ``ssl`` is
#: TLS from the first byte (port 465), ``none`` is for a relay on this machine only.
MAIL_SECURITY = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class MailSettings:
    """Outgoing mail (``[mail]`` in the settings file, docs/email.md). Without a ``host`` the
    server sends no mail and says so where mail was asked for."""

    host: str
    port: int
    security: str  # a key of MAIL_SECURITY
    sender: str  # the From address
    user: str = ""
    password: str = field(default="", repr=False)
    #: The server's address as recipients reach it, for links in messages; when empty, the
    #: address the request that caused the message came in on.
    public_url: str = ""
    #: At most one change digest per share per this many minutes.
    digest_minutes: int = 15


@dataclass(frozen=True)
class GrpcAddress:
    """Where ``serve --grpc-port`` listens for gRPC (the web server's host, its own port)."""

    host: str
    port: int

    @property
    def target(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    web_root: Path

    @classmethod
    def embedded_defaults(cls, data_dir: Path | None = None) -> ServerConfig:
        return cls(data_dir=data_dir or default_data_dir(), web_root=project_root() / "web")

    @property
    def vendor_dir(self) -> Path:
        return self.web_root / "static" / "vendor"

    @property
    def manifest_path(self) -> Path:
        return self.vendor_dir / "manifest.json"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "syncoxide.sqlite3"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def signing_key_path(self) -> Path:
        """The server-only key that signs unlock cookies and download tickets (signing.py)."""
        return self.data_dir / "signing.key"

    @property
    def settings_path(self) -> Path:
        """Optional TOML settings: sign-in providers (``[oidc.NAME]``), see the README."""
        override = os.environ.get("SYNCOXIDE_SETTINGS")
        return Path(override).expanduser() if override else self.data_dir / "settings.toml"

    def _settings_table(self, name: str) -> dict[str, Any]:
        path = self.settings_path
        if not path.is_file():
            return {}
        try:
            table = tomllib.loads(path.read_text()).get(name, {})
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"Could not read {path}: {error}.") from error
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] in {path} must be a table.")
        return table

    def deployment(self) -> Deployment:
        """The metadata database, blob store and message bus: ``[deployment]`` in the
        settings file, overridden by ``SYNCOXIDE_DATABASE``, ``SYNCOXIDE_BLOBS`` and
        ``SYNCOXIDE_BUS`` (docs/scaling.md); SQLite, local disk and in-process by default."""
        table = self._settings_table("deployment")
        return parse_deployment(os.environ, table, str(self.settings_path))

    def backup_hosting(self) -> BackupHosting:
        """``[backups]`` in the settings file: ``root``, ``authorized_keys``, ``ssh_host``,
        ``ssh_port``, ``ssh_login``, ``borg``; each has a default for one machine."""
        table = self._settings_table("backups")
        text = {k: v for k, v in table.items() if isinstance(v, str)}
        port = table.get("ssh_port", 22)
        unknown = set(table) - {"root", "authorized_keys", "ssh_host", "ssh_port", "ssh_login",
                                "borg"}  # fmt: skip
        if unknown or not isinstance(port, int) or len(text) != len(table) - ("ssh_port" in table):
            raise ConfigError(
                f"[backups] in {self.settings_path} has an unknown or mistyped setting.",
                hint="Settings: root, authorized_keys, ssh_host, ssh_login, borg (text) and "
                "ssh_port (a number); see docs/backups.md.",
            )
        keys = text.get("authorized_keys")
        return BackupHosting(
            root=Path(text.get("root", str(self.data_dir / "backups"))).expanduser(),
            authorized_keys=Path(keys).expanduser() if keys else None,
            ssh_host=text.get("ssh_host", "localhost"),
            ssh_port=port,
            ssh_login=text.get("ssh_login", getpass.getuser()),
            borg=text.get("borg", shutil.which("borg") or "borg"),
        )

    def retention(self) -> RetentionSettings:
        """``[retention]`` in the settings file (docs/catalog.md): ``versions_days``,
        ``trash_days`` (30 each), ``quota_share`` (0.5) and ``sweep_every_seconds`` (3600)."""
        table = self._settings_table("retention")
        defaults = RetentionPolicy()
        numbers = {
            k: v
            for k, v in table.items()
            if isinstance(v, int | float) and not isinstance(v, bool) and v > 0
        }
        unknown = set(table) - set(_RETENTION_KEYS)
        if unknown or len(numbers) != len(table) or numbers.get("quota_share", 0.5) > 1:
            raise ConfigError(
                f"[retention] in {self.settings_path} has an unknown or mistyped setting.",
                hint="Settings (positive numbers): versions_days, trash_days, quota_share "
                "(at most 1), sweep_every_seconds; see docs/catalog.md.",
            )
        policy = RetentionPolicy(
            version_max_age=round(numbers.get("versions_days", 0) * DAY)
            or defaults.version_max_age,
            trash_max_age=round(numbers.get("trash_days", 0) * DAY) or defaults.trash_max_age,
            quota_share=float(numbers.get("quota_share", defaults.quota_share)),
        )
        sweep = numbers.get("sweep_every_seconds", RETENTION_SWEEP_SECONDS)
        return RetentionSettings(policy, float(sweep))

    def catalog_stale_after(self) -> int:
        """``stale_after_hours`` under ``[catalog]`` in the settings file (docs/catalog.md), in
        seconds: how long after its last refresh a connection's part of the index counts as
        stale, for users who set no staleness of their own (default one day)."""
        table = self._settings_table("catalog")
        hours = table.get("stale_after_hours", STALE_AFTER_HOURS)
        low, high = STALE_AFTER_HOURS_RANGE
        if (
            set(table) - {"stale_after_hours"}
            or not isinstance(hours, int | float)
            or isinstance(hours, bool)
            or not low <= hours <= high
        ):
            raise ConfigError(
                f"[catalog] in {self.settings_path} has an unknown or mistyped setting.",
                hint="Set stale_after_hours, a number of hours from a minute (1/60) to a year"
                " (8784); see docs/catalog.md.",
            )
        return round(hours * 3600)

    def mail(self) -> MailSettings | None:
        """``[mail]`` in the settings file, checked; None when it names no ``host``."""
        table = self._settings_table("mail")
        if not table.get("host"):
            return None
        text_keys = {"host", "security", "from", "user", "password", "public_url"}
        number_keys = {"port", "digest_minutes"}
        wrong = sorted(
            k
            for k, v in table.items()
            if not (k in text_keys and isinstance(v, str))
            and not (k in number_keys and isinstance(v, int) and not isinstance(v, bool))
        )
        security = table.get("security", "starttls")
        if wrong or security not in MAIL_SECURITY or "@" not in table.get("from", ""):
            raise ConfigError(
                f"[mail] in {self.settings_path} has an unknown, mistyped or missing setting"
                + (f" ({', '.join(wrong)})." if wrong else "."),
                hint="Give host and from (an address); port, digest_minutes (numbers); "
                "security (starttls, ssl or none), user, password, public_url; see docs/email.md.",
            )
        return MailSettings(
            host=table["host"],
            port=table.get("port", MAIL_SECURITY[security]),
            security=security,
            sender=table["from"],
            user=table.get("user", ""),
            password=table.get("password", ""),
            public_url=table.get("public_url", "").rstrip("/"),
            digest_minutes=max(1, table.get("digest_minutes", 15)),
        )

    @property
    def link_quota_bytes(self) -> int | None:
        """What each user's links and own files may hold together (``SYNCOXIDE_LINK_QUOTA_BYTES``,
        docs/links.md); None, the default, is no limit. Anything but a whole number is refused
        at start-up rather than read as "no limit"."""
        raw = os.environ.get("SYNCOXIDE_LINK_QUOTA_BYTES", "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise ConfigError(
                f"SYNCOXIDE_LINK_QUOTA_BYTES={raw!r} is not a number of bytes.",
                hint="Give a whole number such as 10000000000 (10 GB), or unset it for no limit.",
            )
        return int(raw)

    def ice(self) -> IceSettings:
        """STUN/TURN servers for peers: ``[webrtc]`` in the settings file, overridden by
        ``SYNCOXIDE_STUN_URLS``, ``SYNCOXIDE_TURN_URLS``, ``SYNCOXIDE_TURN_SECRET``
        (docs/webrtc-relay.md)."""
        return ice_settings(self._settings_table("webrtc"), os.environ, str(self.settings_path))

    @property
    def lease_seconds(self) -> int:
        """How long an instance's hold on a scheduled job lasts unless renewed
        (``SYNCOXIDE_LEASE_SECONDS``, default 30): how soon another instance takes over the
        jobs of one that died (docs/scaling.md)."""
        raw = os.environ.get("SYNCOXIDE_LEASE_SECONDS", "").strip() or "30"
        if not raw.isdigit() or int(raw) < 2:
            raise ConfigError(
                f"SYNCOXIDE_LEASE_SECONDS={raw!r} is not a number of seconds (2 or more).",
                hint="Give a whole number such as 30, or unset it for the default.",
            )
        return int(raw)

    def automation(self) -> AutomationSettings:
        """The job worker's settings: ``[automation]`` in the settings file (docs/automation.md)."""
        table = self._settings_table("automation")
        try:
            return AutomationSettings(
                workers=int(table.get("workers", 2)),
                per_user=int(table.get("per_user", 1)),
                lease_seconds=float(table.get("lease_seconds", 30)),
                settle_seconds=float(table.get("settle_seconds", 10)),
                poll_seconds=float(table.get("poll_seconds", 60)),
                quiet_seconds=float(table.get("quiet_seconds", 5)),
            )
        except (TypeError, ValueError) as error:
            raise ConfigError(f"[automation] in {self.settings_path}: {error}.") from None

    def connections_allow(self) -> list[str]:
        """Internal hosts, addresses and CIDRs that users' connections may reach anyway
        (docs/rules.md): ``SYNCOXIDE_CONNECTIONS_ALLOW`` (comma-separated) and
        ``allow = [...]`` under ``[connections]`` in the settings file, together."""
        return self._listed("SYNCOXIDE_CONNECTIONS_ALLOW", "connections", "allow")

    def trusted_proxies(self) -> list[str]:
        """Addresses and CIDRs of reverse proxies whose ``X-Forwarded-For`` and
        ``X-Forwarded-Proto`` the server believes (docs/accounts-and-api.md):
        ``SYNCOXIDE_TRUSTED_PROXIES`` (comma-separated) and ``trusted_proxies = [...]`` under
        ``[server]`` in the settings file. None by default, not even loopback: any local
        program could otherwise pick the address that rate limits and sign-in pages see."""
        entries = self._listed("SYNCOXIDE_TRUSTED_PROXIES", "server", "trusted_proxies")
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ConfigError(
                    f"Trusted proxy {entry!r} is not an IP address or network.",
                    hint='List your proxy\'s addresses, e.g. "127.0.0.1" or "10.0.0.0/8".',
                ) from None
        return entries

    def _listed(self, variable: str, table_name: str, key: str) -> list[str]:
        """A list setting: the environment variable's entries, then the settings file's."""
        entries = os.environ.get(variable, "").split(",")
        table = self._settings_table(table_name)
        listed = table.get(key, [])
        if not isinstance(listed, list) or not all(isinstance(e, str) for e in listed):
            raise ConfigError(
                f"[{table_name}] {key} in {self.settings_path} must be a list of strings.",
                hint=f'For example: {key} = ["10.0.0.0/8"]',
            )
        entries.extend(listed)
        return [entry.strip() for entry in entries if entry.strip()]
