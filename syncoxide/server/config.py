"""Where the server keeps its things, and how it is reached: the embedded defaults.

With no flags, ``syncoxide serve`` listens on 127.0.0.1:8000 and keeps its SQLite database and
blobs in the per-user data directory (``~/.local/share/syncoxide`` on Linux), created on first
run. ``--data-dir`` or ``SYNCOXIDE_DATA_DIR`` moves it.

Every setting the server takes from the environment is read here and nowhere else.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from syncoxide.errors import ConfigError
from syncoxide.server.webbuild import project_root

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def default_data_dir() -> Path:
    override = os.environ.get("SYNCOXIDE_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("syncoxide", appauthor=False))


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

    def connections_allow(self) -> list[str]:
        """Internal hosts, addresses and CIDRs that users' connections may reach anyway
        (docs/rules.md): ``SYNCOXIDE_CONNECTIONS_ALLOW`` (comma-separated) and
        ``allow = [...]`` under ``[connections]`` in the settings file, together."""
        entries = os.environ.get("SYNCOXIDE_CONNECTIONS_ALLOW", "").split(",")
        path = self.settings_path
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text()).get("connections", {})
            except (OSError, tomllib.TOMLDecodeError) as error:
                raise ConfigError(f"Could not read {path}: {error}.") from error
            listed = table.get("allow", [])
            if not isinstance(listed, list) or not all(isinstance(e, str) for e in listed):
                raise ConfigError(
                    f"[connections] allow in {path} must be a list of strings.",
                    hint='For example: allow = ["nas.lan", "10.0.0.0/8"]',
                )
            entries.extend(listed)
        return [entry.strip() for entry in entries if entry.strip()]
