"""Named remotes (``box:`` for an S3 bucket, ``nas:`` for WebDAV...) and where they are kept.

``remotes.json`` in the config directory holds each remote's type and options. Secrets
(passwords, secret keys, refresh tokens) never appear in it in clear: each is sealed with
AES-256-GCM under a random key in ``remotes.key`` (mode 0600) beside it, with the remote's name
and the option's name as associated data, so a sealed value cannot be moved to another remote
or option. That protects the file when it is copied, synced or shown; someone who can read the
key file too can read the secrets, as with any tool that runs unattended.

``NAME:path`` anywhere a path is accepted opens the remote at that path; anything else is a
local path (``location.py`` tells the two apart).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide.errors import ConfigError, UsageError
from syncoxide.native.atomic_file import replace_file
from syncoxide.native.crypto.sealing import SecretSealer
from syncoxide.providers.contract import Provider

FORMAT_VERSION = 1
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,31}$")


@dataclass(frozen=True)
class RemoteType:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    secrets: tuple[str, ...]


TYPES: dict[str, RemoteType] = {
    "s3": RemoteType(
        ("bucket",),
        (
            "endpoint",
            "access_key_id",
            "secret_access_key",
            "region",
            "prefix",
            "part_size",
            "upload_concurrency",
            "part_memory",
        ),
        ("secret_access_key",),
    ),
    "webdav": RemoteType(("url",), ("username", "password"), ("password",)),
    "sftp": RemoteType(
        ("host", "username"),
        ("port", "root", "password", "private_key", "known_hosts", "connections"),
        ("password",),
    ),
    "gdrive": RemoteType(
        ("client_id", "refresh_token"),
        ("client_secret", "root_folder_id", "token_url", "api_url"),
        ("client_secret", "refresh_token"),
    ),
    # Your own files on a syncoxide server; url and token default to `syncoxide login`'s.
    "server": RemoteType((), ("url", "token", "root"), ("token",)),
    # An encrypted folder inside a local path or another remote (``remote=box:vault``).
    "crypt": RemoteType(("remote", "password"), (), ("password",)),
    "dropbox": RemoteType(
        ("client_id", "refresh_token"),
        ("client_secret", "root_path", "token_url", "api_url", "content_url"),
        ("client_secret", "refresh_token"),
    ),
}


def config_dir() -> Path:
    override = os.environ.get("SYNCOXIDE_CONFIG_DIR")
    if override:
        return Path(override)
    # Imported only here: platformdirs pulls in tempfile, shutil, bz2 and lzma (about 17 ms
    # at the start of every run that names a remote), and an override never needs it.
    import platformdirs

    return Path(platformdirs.user_config_dir("syncoxide"))


class RemoteStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or config_dir()
        self.path = self.folder / "remotes.json"
        self.key_path = self.folder / "remotes.key"

    def load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            document = json.loads(self.path.read_text())
        except ValueError as error:
            raise ConfigError(
                f"{self.path} is not valid JSON.", hint="Fix or remove it; no remote was changed."
            ) from error
        if document.get("version") != FORMAT_VERSION:
            raise ConfigError(f"{self.path} was written by another syncoxide version.")
        remotes: dict[str, dict[str, Any]] = document["remotes"]
        return remotes

    def names(self) -> set[str]:
        return set(self.load())

    def add(self, name: str, kind: str, options: dict[str, str]) -> None:
        _check(name, kind, options)
        remotes = self.load()
        if name in remotes:
            raise UsageError(
                f"A remote named {name} exists already.",
                hint=f"Remove it first with `syncoxide remote remove {name}`.",
            )
        secrets = {
            k: self._seal(name, k, v) for k, v in options.items() if k in TYPES[kind].secrets
        }
        plain = {k: v for k, v in options.items() if k not in secrets}
        remotes[name] = {"type": kind, "options": plain, "secrets": secrets}
        self._save(remotes)

    def remove(self, name: str) -> None:
        remotes = self.load()
        if remotes.pop(name, None) is None:
            raise UsageError(f"There is no remote named {name}.")
        self._save(remotes)

    def options(self, name: str) -> tuple[str, dict[str, str]]:
        """The remote's type and every option, secrets opened."""
        entry = self.load()[name]
        opened = {k: self._open(name, k, v) for k, v in entry.get("secrets", {}).items()}
        return entry["type"], {**entry["options"], **opened}

    def _save(self, remotes: dict[str, dict[str, Any]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        document = {"version": FORMAT_VERSION, "remotes": remotes}
        replace_file(self.path, json.dumps(document, indent=1).encode())

    def _seal(self, name: str, option: str, value: str) -> str:
        return SecretSealer(self.key_path).seal(f"{name}\0{option}", value)

    def _open(self, name: str, option: str, stored: str) -> str:
        return SecretSealer(self.key_path).open(
            f"{name}\0{option}",
            stored,
            f"{option} of remote {name}",
            f"Add the remote again (`syncoxide remote remove {name}`, then `add`).",
        )


def _check(name: str, kind: str, options: dict[str, str]) -> None:
    if not _NAME.match(name):
        raise UsageError(
            f"{name!r} cannot name a remote.",
            hint="Use 2-32 letters, digits, '-' or '_', starting with a letter.",
        )
    check_options(kind, options)


def check_options(kind: str, options: dict[str, str], types: dict[str, RemoteType] = TYPES) -> None:
    """A clear ``UsageError`` for an unknown type, an unknown option or a missing one."""
    if kind not in types:
        raise UsageError(f"Unknown remote type {kind!r}.", hint=f"Use one of {', '.join(types)}.")
    known = set(types[kind].required) | set(types[kind].optional)
    unknown = sorted(set(options) - known)
    missing = [key for key in types[kind].required if key not in options]
    if unknown or missing:
        raise UsageError(
            f"Remote type {kind} "
            + (f"does not take {', '.join(unknown)}" if unknown else f"needs {', '.join(missing)}")
            + ".",
            hint=f"It takes: {', '.join(sorted(known))}.",
        )


def parse_options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise UsageError(f"{pair!r} is not key=value.")
        options[key] = value
    return options


def open_remote(kind: str, options: dict[str, str], path: str) -> Provider:
    """The provider for one remote, rooted at ``path`` inside it."""
    from syncoxide.native.remotes.factories import FACTORIES

    return FACTORIES[kind](dict(options), path)
