"""Encrypting and decrypting local files and folders with a password (used by the CLI).

Layouts on disk (see docs/crypto.md):

* a file:   vault record (100 bytes, ``vault.py``) immediately followed by one encrypted file
            (``format.py``); the vault's master key wraps the file key.
* a folder: ``syncoxide.vault`` at the top, then the same tree with every name encrypted
            (``names.py``, bound to its plaintext parent path) and every file in ``format.py``.

Output is built under a temporary name next to the destination and renamed into place only
when complete, so a wrong password, a tampered chunk or a crash leaves nothing under the final
name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from syncoxide.crypto import names, stream, vault
from syncoxide.crypto.backend import Argon2Params, CryptoBackend
from syncoxide.crypto.format import MAGIC as FILE_MAGIC
from syncoxide.crypto.keys import SecretBytes, names_key
from syncoxide.errors import (
    EmptyInputError,
    ForeignFormatError,
    NotFoundError,
    TamperedDataError,
    TruncatedDataError,
    UsageError,
)
from syncoxide.ports import RandomSource

VAULT_FILE = "syncoxide.vault"


def _reader(handle: BinaryIO) -> stream.Read:
    async def read(size: int) -> bytes:
        return handle.read(size)  # buffered: short only at end of file

    return read


def _writer(handle: BinaryIO) -> stream.Write:
    async def write(data: bytes) -> None:
        handle.write(data)

    return write


@contextmanager
def staged_output(final: Path, *, folder: bool) -> Iterator[Path]:
    """A temporary path beside ``final``, renamed onto it only if the block succeeds."""
    if final.exists():
        raise UsageError(f"{final} already exists.", hint="Choose a new output name.")
    parent = final.parent
    if not parent.is_dir():
        raise NotFoundError(f"The output folder {parent} does not exist.")
    prefix = f".{final.name}.syncoxide-partial-"
    if folder:
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    else:
        descriptor, name = tempfile.mkstemp(prefix=prefix, dir=parent)
        os.close(descriptor)
        staging = Path(name)
    try:
        yield staging
        staging.rename(final)
    except BaseException:
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.unlink(missing_ok=True)
        raise


class PasswordCrypt:
    """Encrypts and decrypts paths under one password."""

    def __init__(
        self,
        backend: CryptoBackend,
        password: SecretBytes,
        random: RandomSource,
        params: Argon2Params | None = None,
    ) -> None:
        self._backend = backend
        self._password = password
        self._random = random
        self._params = params
        #: What a folder encryption left out (symlinks, devices, pipes), for the caller to report.
        self.skipped: list[Path] = []

    def __repr__(self) -> str:
        return "<PasswordCrypt, password redacted>"

    async def encrypt(self, source: Path, target: Path) -> None:
        if not source.exists():
            raise NotFoundError(f"{source} does not exist.")
        record, master = await vault.create_vault(
            self._backend, self._password, self._random, self._params
        )
        folder = source.is_dir()
        with staged_output(target, folder=folder) as staging:
            if folder:
                (staging / VAULT_FILE).write_bytes(record.encode())
                cipher = names.NameCipher(
                    self._backend, names_key(master), names.DEFAULT_MAX_LENGTH
                )
                await self._encrypt_tree(source, staging, "", master=master, cipher=cipher)
            else:
                with staging.open("wb") as out:
                    out.write(record.encode())
                    await self._encrypt_file(source, out, master)
                    _sync(out)

    async def _encrypt_file(self, source: Path, out: BinaryIO, master: SecretBytes) -> None:
        sealer = await stream.FileSealer.create(self._backend, master, self._random)
        with source.open("rb") as handle:
            await stream.seal_stream(sealer, _reader(handle), _writer(out))

    async def _encrypt_tree(
        self,
        source: Path,
        target: Path,
        directory: str,
        *,
        master: SecretBytes,
        cipher: names.NameCipher,
    ) -> None:
        for entry in sorted(source.iterdir()):
            if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
                self.skipped.append(
                    entry
                )  # links could leave or loop the tree; devices are not data
                continue
            stored = await cipher.encrypt(directory, entry.name)
            if stored.sidecar is not None and stored.sidecar_name is not None:
                (target / stored.sidecar_name).write_text(stored.sidecar, encoding="ascii")
            child = target / stored.stored
            if entry.is_dir():
                child.mkdir()
                inner = f"{directory}/{entry.name}" if directory else entry.name
                await self._encrypt_tree(entry, child, inner, master=master, cipher=cipher)
            elif entry.is_file():
                with child.open("wb") as out:
                    await self._encrypt_file(entry, out, master)

    async def decrypt(self, source: Path, target: Path) -> None:
        if not source.exists():
            raise NotFoundError(f"{source} does not exist.")
        if source.is_dir():
            await self._decrypt_folder(source, target)
            return
        with source.open("rb") as handle:
            master = await self._unlock(handle.read(vault.VAULT_SIZE_V1), source)
            with staged_output(target, folder=False) as staging, staging.open("wb") as out:
                await self._decrypt_file(handle, out, master)
                _sync(out)

    async def _unlock(self, prefix: bytes, source: Path) -> SecretBytes:
        record = parse_password_vault(prefix, source)
        return await vault.unlock_vault(self._backend, record, self._password)

    async def change_password(self, target: Path, new_password: SecretBytes) -> None:
        """Re-wrap the master key under ``new_password``; no file is re-encrypted."""
        folder = target.is_dir()
        vault_path = target / VAULT_FILE if folder else target
        if not vault_path.is_file():
            raise NotFoundError(f"{vault_path} does not exist.")
        with vault_path.open("r+b") as handle:
            record = parse_password_vault(handle.read(vault.VAULT_SIZE_V1), vault_path)
            changed = await vault.change_password(
                self._backend,
                record,
                self._random,
                old=self._password,
                new=new_password,
                params=self._params,
            )
            if not folder:  # 100 bytes at offset 0: one sector, rewritten in place
                handle.seek(0)
                handle.write(changed.encode())
                _sync(handle)
                return
        staging = vault_path.with_name(f".{VAULT_FILE}.syncoxide-partial")
        staging.write_bytes(changed.encode())
        staging.replace(vault_path)

    async def _decrypt_file(self, handle: BinaryIO, out: BinaryIO, master: SecretBytes) -> None:
        read = _reader(handle)
        try:
            header = await stream.read_header(read)
        except EmptyInputError as error:  # an empty file in a folder is cut, not "empty input"
            raise TruncatedDataError(
                "An encrypted file ends before its header: its content is missing.",
                hint="Restore it from another copy.",
            ) from error
        opener = await stream.FileOpener.create(self._backend, master, header)
        await stream.open_stream(opener, read, _writer(out))

    async def _decrypt_folder(self, source: Path, target: Path) -> None:
        vault_path = source / VAULT_FILE
        if not vault_path.is_file():
            raise ForeignFormatError(
                f"{source} is not a folder encrypted by syncoxide (no {VAULT_FILE} in it).",
                hint="Nothing was written. Pick the encrypted folder.",
            )
        master = await self._unlock(vault_path.read_bytes(), vault_path)
        cipher = names.NameCipher(self._backend, names_key(master), names.DEFAULT_MAX_LENGTH)
        with staged_output(target, folder=True) as staging:
            await self._decrypt_tree(source, staging, "", master=master, cipher=cipher)

    async def _decrypt_tree(
        self,
        source: Path,
        target: Path,
        directory: str,
        *,
        master: SecretBytes,
        cipher: names.NameCipher,
    ) -> None:
        for entry in sorted(source.iterdir()):
            if (not directory and entry.name == VAULT_FILE) or names.is_sidecar(entry.name):
                continue
            sidecar = source / (entry.name + names.SIDECAR_SUFFIX)
            long_text = sidecar.read_text("ascii") if sidecar.is_file() else None
            name = await cipher.decrypt(directory, entry.name, long_text)
            if (target / name).exists():
                raise TamperedDataError(
                    f"Two encrypted entries in {entry.parent} decrypt to the same name.",
                    hint="Someone added an entry; restore the folder from another copy.",
                )
            if entry.is_dir():
                (target / name).mkdir()
                inner = f"{directory}/{name}" if directory else name
                await self._decrypt_tree(entry, target / name, inner, master=master, cipher=cipher)
            elif entry.is_file():
                with entry.open("rb") as handle, (target / name).open("xb") as out:
                    await self._decrypt_file(handle, out, master)


def parse_password_vault(prefix: bytes, source: Path) -> vault.VaultRecord:
    """The vault at the start of a password-encrypted file (or a folder's vault file)."""
    if not prefix:
        raise EmptyInputError(
            f"{source} is empty, so there is nothing to decrypt.", hint="Check the file name."
        )
    if prefix.startswith(FILE_MAGIC):
        raise UsageError(
            f"{source} is one file from an encrypted folder or share: it has no password.",
            hint="Decrypt the whole encrypted folder instead.",
        )
    if not vault.is_vault(prefix) and not vault.VAULT_MAGIC.startswith(prefix):
        raise ForeignFormatError(
            f"{source} was not encrypted by syncoxide (its first bytes are different).",
            hint="Pick the encrypted copy.",
        )
    if len(prefix) < vault.VAULT_SIZE_V1:
        raise TruncatedDataError(f"{source} ends inside its password vault.")
    return vault.parse_vault(prefix)


def _sync(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())
