"""Repositories the server hosts for its users, reached over SSH as BorgWarehouse does.

Each user has an area, ``BACKUPS/user-ID/``; each SSH key the user registers becomes one line
of the service account's ``authorized_keys`` whose forced command is ``borg serve`` restricted
to that area (optionally append-only, with a storage quota). Whatever the client asks, sshd
runs that command, so a key can reach only its owner's repositories, and an append-only key
cannot remove history. Repositories are encrypted on the client (repokey): the server never
sees a passphrase.

    command="borg serve --restrict-to-path /srv/backups/user-7 --append-only
    --storage-quota 50G",restrict ssh-ed25519 AAAA... syncoxide-user-7-key-3   (one line)
"""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from syncoxide.errors import UsageError
from syncoxide.native.atomic_file import replace_file

_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
)
_QUOTA = re.compile(r"^\d+[KMGTP]?$")
_REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class HostedKey:
    user_id: int
    key_id: int
    public_key: str  # "TYPE BASE64", as checked by parse_public_key
    append_only: bool = False
    quota: str | None = None  # borg's spelling: 50G


def parse_public_key(text: str) -> str:
    """``TYPE BASE64`` from an OpenSSH public key line; a comment is dropped."""
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] not in _KEY_TYPES:
        raise UsageError(
            "That is not an OpenSSH public key.",
            hint="Paste the one line of ~/.ssh/id_ed25519.pub (it starts with ssh-ed25519).",
        )
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise UsageError("The key's base64 part is damaged.") from None
    if blob[4 : 4 + len(parts[0])] != parts[0].encode():
        raise UsageError("The key's type and its content do not agree.")
    return f"{parts[0]} {parts[1]}"


def check_quota(quota: str | None) -> str | None:
    if quota is not None and not _QUOTA.match(quota):
        raise UsageError(f"'{quota}' is not a size borg understands; write for example 50G.")
    return quota


def check_repository_name(name: str) -> str:
    if not _REPO_NAME.match(name):
        raise UsageError(
            f"'{name}' cannot name a repository.",
            hint="Use up to 64 letters, digits, '.', '_' or '-'.",
        )
    return name


class HostedRepositories:
    def __init__(self, root: Path, borg: str = "borg") -> None:
        self.root = root
        self.borg = borg

    def area(self, user_id: int) -> Path:
        return self.root / f"user-{user_id}"

    def prepare_area(self, user_id: int) -> Path:
        """The user's area, made if missing: ``borg init`` over SSH needs the folder to exist
        (``borg serve --restrict-to-path`` does not make it), keys or not."""
        area = self.area(user_id)
        area.mkdir(parents=True, exist_ok=True)
        return area

    def forced_command(self, key: HostedKey) -> str:
        words = [self.borg, "serve", "--restrict-to-path", str(self.area(key.user_id))]
        if key.append_only:
            words.append("--append-only")
        if key.quota:
            words += ["--storage-quota", check_quota(key.quota) or ""]
        return shlex.join(words)

    def authorized_keys_line(self, key: HostedKey) -> str:
        command = self.forced_command(key).replace('"', '\\"')
        comment = f"syncoxide-user-{key.user_id}-key-{key.key_id}"
        return f'command="{command}",restrict {parse_public_key(key.public_key)} {comment}'

    def write_authorized_keys(self, path: Path, keys: Iterable[HostedKey]) -> None:
        """Replace ``path`` atomically with one line per key (sshd never reads half a file)."""
        keys = list(keys)  # read twice below: a generator would leave the file empty
        for key in keys:
            self.prepare_area(key.user_id)
        text = "".join(self.authorized_keys_line(k) + "\n" for k in keys)
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, text.encode())

    def client_settings(
        self, *, user_id: int, repository: str, host: str, port: int, login: str
    ) -> dict[str, str]:
        """What a user types into borg or Vorta to reach a hosted repository."""
        path = self.area(user_id) / check_repository_name(repository)
        url = f"ssh://{login}@{host}:{port}{path}"
        return {
            "repository_url": url,
            "borg_init": f"borg init --encryption repokey-blake2 {url}",
            "borg_create": f"borg create --stats {url}::{{hostname}}-{{now}} ~/Documents",
            "vorta": f"Repository URL: {url}  (SSH key: the one you registered; "
            "encryption: repokey-blake2)",
        }
