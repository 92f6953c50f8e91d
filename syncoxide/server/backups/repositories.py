"""A user's hosted repositories as the server itself opens them: made, registered, opened.

Repositories live in the user's area (``ROOT/user-ID/NAME``), the same folder the user's SSH
keys reach with ``borg serve --restrict-to-path``, so one repository serves both the user's
own machines (over SSH) and the server (provider backups, browsing and restores in the app).

A repository can also live on the user's own SSH server (``url``: ``ssh://user@host:port/
path``): the server reaches it with the SSH key it made for the user (:mod:`.identities`),
trusting only the host key it saw when the repository was added (pinned on first use; a
changed one is refused with :class:`~syncoxide.errors.HostKeyChangedError`). The host must
pass the same address guard as the users' provider connections.

The passphrase: hosted repositories are encrypted (repokey) with the user's passphrase. The
server keeps it only if asked (``keep_passphrase``), sealed with AES-256-GCM under the same
key as connection secrets; it must, to run provider backups with no client on and to browse
and restore from the app. A repository whose passphrase the server does not keep is used from
the user's machines only, and the server cannot read it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from syncoxide.errors import (
    AlreadyExistsError,
    NotFoundError,
    ProviderUnavailableError,
    SshUnreachableError,
    SyncoxideError,
    UsageError,
)
from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import DEFAULT_ENCRYPTION, ENCRYPTIONS, BorgRepository
from syncoxide.native.backup.ssh_access import SshTarget, borg_rsh, fetch_host_key, probe
from syncoxide.native.crypto.sealing import SecretSealer
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.server.backups.hosted import HostedRepositories, check_repository_name
from syncoxide.server.backups.identities import BackupIdentities
from syncoxide.server.backups.store import BackupRepository, BackupStore

MIN_PASSPHRASE = 8


class PassphraseNotKeptError(UsageError):
    code = "passphrase_not_kept"


def _context(user_id: int, name: str) -> str:
    return f"backup repository\0user {user_id}\0{name}"


class BackupRepositories:
    def __init__(
        self,
        *,
        store: BackupStore,
        hosted: HostedRepositories,
        sealer: SecretSealer,
        borg_base: Path,
        clock: Callable[[], int],
        identities: BackupIdentities,
        guard: AddressGuard,
    ) -> None:
        self.store = store
        self.hosted = hosted
        self.sealer = sealer
        self.borg_base = borg_base
        self.clock = clock
        self.identities = identities
        self.guard = guard

    def path(self, repository: BackupRepository) -> Path:
        return self.hosted.area(repository.user_id) / repository.name

    async def get(self, user_id: int, repository_id: int) -> BackupRepository:
        found = await self.store.repository(user_id, repository_id)
        if found is None:
            raise NotFoundError(f"You have no backup repository {repository_id}.")
        return found

    async def _borg(self, repository: BackupRepository, passphrase: str) -> BorgRepository:
        if not repository.url:
            area = self.hosted.area(repository.user_id)
            settings = BorgSettings(passphrase=passphrase, base_dir=self.borg_base)
            return BorgRepository(str(area / repository.name), settings)
        target = SshTarget.parse(repository.url)
        key_file, known_hosts = await self.identities.ssh_files(repository)

        async def diagnose() -> None:
            await probe(target, await self.identities.identity(repository.user_id),
                        repository.host_key)  # fmt: skip

        settings = BorgSettings(
            passphrase=passphrase,
            base_dir=self.borg_base,
            rsh=borg_rsh(key_file, known_hosts),
            diagnose=diagnose,
        )
        return BorgRepository(target.url, settings)

    async def open(self, repository: BackupRepository) -> BorgRepository:
        """The repository, ready for borg; ``PassphraseNotKeptError`` if the server cannot."""
        if not repository.passphrase:
            raise PassphraseNotKeptError(
                f"The server does not keep the passphrase of {repository.name}.",
                hint="Give it once under Backups (it is kept sealed), or use the repository "
                "from your own machine with borg.",
            )
        passphrase = self.sealer.open(
            _context(repository.user_id, repository.name),
            repository.passphrase,
            f"passphrase of backup repository {repository.name}",
            "Give the repository's passphrase again under Backups.",
        )
        return await self._borg(repository, passphrase)

    async def create(
        self,
        user_id: int,
        name: str,
        passphrase: str,
        *,
        encryption: str = DEFAULT_ENCRYPTION,
        make: bool = True,
        keep_passphrase: bool = True,
        url: str = "",
    ) -> BackupRepository:
        """Make the repository (``make``) or register one made over SSH; checked either way.

        With ``url`` it is on the user's own SSH server: its host key is pinned now, and the
        server's key for the user must already be let in there."""
        check_repository_name(name)
        if encryption not in ENCRYPTIONS:
            raise UsageError(f"'{encryption}' is not one of {', '.join(ENCRYPTIONS)}.")
        if await self.store.repository_named(user_id, name) is not None:
            raise AlreadyExistsError(f"You have a backup repository named {name} already.")
        if len(passphrase) < MIN_PASSPHRASE and (make or keep_passphrase):
            raise UsageError(f"The passphrase needs at least {MIN_PASSPHRASE} characters.")
        record = BackupRepository(0, user_id, name, encryption, "", self.clock())
        if url:
            record = await self._pinned(record, url, keep_passphrase)
        borg = await self._borg(record, passphrase)
        if make:
            await self._make(borg, encryption)
        elif keep_passphrase:
            await borg.summary()  # it exists and the passphrase opens it
        elif not (self.hosted.area(user_id) / name / "config").is_file():
            raise NotFoundError(f"There is no repository {name} in your hosted area yet.")
        sealed = self.sealer.seal(_context(user_id, name), passphrase) if keep_passphrase else ""
        return await self.store.add_repository(replace(record, passphrase=sealed))

    async def _pinned(
        self, record: BackupRepository, url: str, keep_passphrase: bool
    ) -> BackupRepository:
        """``record`` on the SSH server at ``url``, its host key pinned, our key let in."""
        target = SshTarget.parse(url)
        if not keep_passphrase:
            raise UsageError(
                "The server opens a repository on your own SSH server only with its passphrase.",
                hint="Keep the passphrase, or use that repository from your machines alone.",
            )
        try:
            await self.guard.addresses(target.host, target.port)  # not a way into our network
        except ProviderUnavailableError as error:  # the name does not resolve
            raise SshUnreachableError(error.message, hint="Check the host name.") from None
        host_key = await fetch_host_key(target)
        await probe(target, await self.identities.identity(record.user_id), host_key)
        return replace(record, url=target.url, host_key=host_key)

    async def _make(self, borg: BorgRepository, encryption: str) -> None:
        if borg.location.remote:
            await borg.init(encryption)  # borg refuses an existing repository itself
            return
        folder = Path(borg.location.text)
        if folder.exists():
            raise AlreadyExistsError(
                f"{folder.name} exists in your hosted area already.",
                hint="Register it instead (create: false) with its passphrase.",
            )
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            await borg.init(encryption)
        except SyncoxideError:
            if folder.is_dir() and not (folder / "config").exists():
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise

    async def keep_passphrase(
        self, user_id: int, repository_id: int, passphrase: str
    ) -> BackupRepository:
        """Keep (or replace) the sealed passphrase, once it is shown to open the repository."""
        repository = await self.get(user_id, repository_id)
        await (await self._borg(repository, passphrase)).summary()
        sealed = self.sealer.seal(_context(user_id, repository.name), passphrase)
        updated = replace(repository, passphrase=sealed)
        await self.store.save_repository(updated)
        return updated

    async def forget_passphrase(self, user_id: int, repository_id: int) -> BackupRepository:
        updated = replace(await self.get(user_id, repository_id), passphrase="")
        await self.store.save_repository(updated)
        return updated

    async def forget(self, user_id: int, repository_id: int) -> None:
        """Drop the record (and rules backing up into it); the repository's files stay."""
        if not await self.store.delete_repository(user_id, repository_id):
            raise NotFoundError(f"You have no backup repository {repository_id}.")
