"""The SSH key the server uses for each user's own SSH servers, and the files ssh reads.

A user who keeps a borg repository on their own machine (``ssh://user@host:port/path``) gives
this server access by adding the public half of a key the server made for them (one per
user, Ed25519) to that account's ``authorized_keys``, ideally forced to ``borg serve
--restrict-to-path``. The private half is stored sealed (AES-256-GCM under the connections'
key, as connection secrets); ssh reads keys only from files, so while the server uses it, it
sits in ``DATA/ssh-run/user-ID/id_ed25519`` (folder 0700, file 0600, the server's account
only), and each repository's pinned host key in a known-hosts file of its own beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from syncoxide.native.backup.ssh_access import SshIdentity, SshTarget, forced_command_line
from syncoxide.native.crypto.sealing import SecretSealer
from syncoxide.server.backups.store import BackupIdentity, BackupRepository, BackupStore
from syncoxide.server.storage.owner_only import mkdir_owner_only


def _context(user_id: int) -> str:
    return f"backup ssh identity\0user {user_id}"


def key_comment(user_id: int) -> str:
    return f"syncoxide-backups-user-{user_id}"


class BackupIdentities:
    def __init__(
        self,
        *,
        store: BackupStore,
        sealer: SecretSealer,
        runtime: Path,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.sealer = sealer
        self.runtime = runtime
        self.clock = clock

    async def public_key(self, user_id: int) -> str:
        """``TYPE BASE64 COMMENT``: the line a user pastes (made on first ask)."""
        identity = await self._stored(user_id)
        return f"{identity.public_key} {key_comment(user_id)}"

    async def identity(self, user_id: int) -> SshIdentity:
        stored = await self._stored(user_id)
        private = self.sealer.open(
            _context(user_id),
            stored.private_key,
            "backup SSH key",
            "Remove and add your SSH repositories again; a new key will be made.",
        )
        return SshIdentity(private, stored.public_key)

    async def suggested_line(self, user_id: int, path: str) -> str:
        """The authorized_keys line for a repository at ``path``: borg serve there only."""
        identity = await self._stored(user_id)
        return forced_command_line(identity.public_key, path, key_comment(user_id))

    async def ssh_files(self, repository: BackupRepository) -> tuple[Path, Path]:
        """The key file and the repository's known-hosts file, written for ssh to read."""
        folder = self.runtime / f"user-{repository.user_id}"
        mkdir_owner_only(folder)
        key_file = folder / "id_ed25519"
        private = (await self.identity(repository.user_id)).private_key
        _write_private(key_file, private)
        known = folder / f"{repository.name}.known_hosts"
        line = SshTarget.parse(repository.url).known_hosts_line(repository.host_key)
        _write_private(known, line)
        return key_file, known

    async def _stored(self, user_id: int) -> BackupIdentity:
        found = await self.store.identity(user_id)
        if found is not None:
            return found
        made = SshIdentity.generate()
        sealed = self.sealer.seal(_context(user_id), made.private_key)
        return await self.store.add_identity(
            BackupIdentity(user_id, made.public_key, sealed, self.clock())
        )


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only, unless the file holds it already."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    temporary.touch(mode=0o600)
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
