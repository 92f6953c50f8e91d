"""``NAME:path`` on a remote added with ``syncoxide remote add``, or a local folder: the
provider for a location given on the command line (``sync``, ``mount``)."""

from __future__ import annotations

from typing import Any

from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.remotes.store import RemoteStore, open_remote, split_location


def open_location(spec: str, durable: bool = True, remotes: RemoteStore | None = None) -> Any:
    remotes = remotes or RemoteStore()
    name, path = split_location(spec, remotes.names())
    if name is None:
        return LocalProvider(spec, durable=durable)
    kind, options = remotes.options(name)
    if kind == "crypt":
        inner = open_location(_joined(options["remote"], path), durable, remotes)
        return _password_folder(inner, options)
    return open_remote(kind, options, path)


def _joined(location: str, path: str) -> str:
    return f"{location.rstrip('/')}/{path}" if path else location


def _password_folder(inner: Any, options: dict[str, str]) -> Any:
    from syncoxide.crypto.keys import SecretBytes
    from syncoxide.native.crypto.backend import CryptographyBackend
    from syncoxide.providers.encrypted import PasswordFolder
    from syncoxide.system import SystemRandom

    password = SecretBytes(options["password"].encode())
    return PasswordFolder(inner, CryptographyBackend(), password, SystemRandom())
