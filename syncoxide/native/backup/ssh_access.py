"""Reaching a borg repository on someone's own SSH server: the key, the pinned host key, a probe.

Borg reaches ``ssh://user@host:port/path`` through the ``ssh`` command (``BORG_RSH``). We run
it with one identity file, one known-hosts file holding only the host key pinned when the
repository was added, ``StrictHostKeyChecking=yes`` and ``BatchMode=yes``: ssh refuses any
other host key and never asks a question. When ssh fails, borg only says the connection
closed; :func:`probe` then asks the SSH server itself (asyncssh, the same handshake) whether
the host key differs from the pinned one or the key was refused, so the error says which,
without reading ssh's text.

Host keys and public keys are kept as ``TYPE BASE64`` (the middle of an OpenSSH line).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from syncoxide.errors import (
    BackupError,
    HostKeyChangedError,
    SshKeyRefusedError,
    SshUnreachableError,
    UsageError,
)

CONNECT_SECONDS = 15


@dataclass(frozen=True)
class SshTarget:
    """Where ``ssh://user@host:port/path`` points."""

    user: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> SshTarget:
        if not url.startswith("ssh://"):
            raise UsageError(
                f"'{url}' is not an ssh:// repository URL.",
                hint="Write ssh://USER@HOST:PORT/PATH, as borg does (the port may be left out).",
            )
        try:
            parts = urlsplit(url)
            port = parts.port or 22
        except ValueError:
            raise UsageError(f"The port in '{url}' is not a number from 1 to 65535.") from None
        if not parts.username or not parts.hostname or parts.password is not None:
            raise UsageError(
                f"'{url}' needs a user and a host (and no password).",
                hint="Write ssh://USER@HOST:PORT/PATH; the server logs in with its own key.",
            )
        if len(parts.path) < 2 or parts.query or parts.fragment or "::" in parts.path:
            raise UsageError(f"'{url}' names no repository path after the host.")
        return cls(parts.username, parts.hostname, port, parts.path)

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@{self.host}:{self.port}{self.path}"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def known_hosts_line(self, host_key: str) -> str:
        name = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
        return f"{name} {host_key}\n"


@dataclass(frozen=True)
class SshIdentity:
    """An SSH key pair the server made for one user (Ed25519)."""

    private_key: str = field(repr=False)  # OpenSSH PEM text
    public_key: str  # TYPE BASE64

    @classmethod
    def generate(cls) -> SshIdentity:
        import asyncssh  # here, not at the top: ~0.3 s the server's start does not need

        key = asyncssh.generate_private_key("ssh-ed25519")
        public = key.export_public_key("openssh").decode().split()
        return cls(key.export_private_key("openssh").decode(), f"{public[0]} {public[1]}")


def fingerprint(key: str) -> str:
    """``SHA256:...`` as ``ssh-keygen -l`` prints it."""
    blob = base64.b64decode(key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def forced_command_line(public_key: str, path: str, comment: str) -> str:
    """The authorized_keys line we suggest: this key may only run ``borg serve`` there."""
    command = shlex.join(["borg", "serve", "--restrict-to-path", path]).replace('"', '\\"')
    return f'command="{command}",restrict {public_key} {comment}'


def borg_rsh(key_file: Path, known_hosts: Path) -> str:
    """The ssh command borg runs: this key only, this pinned host key only, no questions."""
    return shlex.join(
        [
            "ssh",
            "-i", str(key_file),
            "-o", "IdentitiesOnly=yes",
            "-o", f"UserKnownHostsFile={known_hosts}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes",
            "-o", f"ConnectTimeout={CONNECT_SECONDS}",
        ]
    )  # fmt: skip


async def fetch_host_key(target: SshTarget) -> str:
    """The host key the server at ``target`` shows now (to pin on first use)."""
    import asyncssh

    try:
        key = await asyncio.wait_for(
            asyncssh.get_server_host_key(target.host, target.port, config=None), CONNECT_SECONDS
        )
    except (OSError, asyncssh.Error, TimeoutError) as error:
        raise SshUnreachableError(
            f"Could not reach the SSH server at {target.where} ({error or type(error).__name__}).",
            hint="Check the host and port, and that the server is up; nothing was changed.",
        ) from None
    if key is None:
        raise BackupError(f"The SSH server at {target.where} showed no host key.")
    return " ".join(key.export_public_key("openssh").decode().split()[:2])


async def probe(target: SshTarget, identity: SshIdentity, host_key: str) -> None:
    """Log in as borg would; our error if the host key changed or the key is refused."""
    import asyncssh

    known = asyncssh.import_known_hosts(target.known_hosts_line(host_key))
    client_key = asyncssh.import_private_key(identity.private_key)
    try:
        connection = await asyncssh.connect(
            target.host,
            target.port,
            username=target.user,
            client_keys=[client_key],
            known_hosts=known,
            agent_path=None,
            password=None,
            kbdint_auth=False,
            login_timeout=CONNECT_SECONDS,
            config=None,
        )
    except asyncssh.HostKeyNotVerifiable:
        shown = await fetch_host_key(target)
        raise HostKeyChangedError(
            f"The SSH server at {target.where} shows another host key than when this "
            f"repository was added (pinned {fingerprint(host_key)}, now {fingerprint(shown)}). "
            "Nothing was sent to it.",
            hint="If its owner changed the key on purpose, remove the repository here and add "
            "it again to pin the new key; otherwise someone may be in the way.",
        ) from None
    except asyncssh.PermissionDenied:
        raise SshKeyRefusedError(
            f"The SSH server at {target.where} refused the key this server uses for you "
            f"(as {target.user}).",
            hint="Add your backup key (Backups > Your own SSH server) to that account's "
            "~/.ssh/authorized_keys, then try again; nothing was changed.",
        ) from None
    except (OSError, asyncssh.Error, TimeoutError) as error:
        raise SshUnreachableError(
            f"Could not reach the SSH server at {target.where} ({error or type(error).__name__})."
        ) from None
    connection.close()
    await connection.wait_closed()
