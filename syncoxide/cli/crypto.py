"""``syncoxide encrypt`` and ``syncoxide decrypt``: password encryption of files and folders.

The password comes from ``--password-file`` (first line), else ``SYNCOXIDE_PASSWORD``, else a
prompt (asked twice when encrypting). It is held as ``SecretBytes`` and never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import NotFoundError, ProviderError, SyncoxideError, UsageError
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.native.crypto.files import PasswordCrypt
from syncoxide.system import SystemRandom

PASSWORD_ENV = "SYNCOXIDE_PASSWORD"  # noqa: S105  # the variable name, not a password
NEW_PASSWORD_ENV = "SYNCOXIDE_NEW_PASSWORD"  # noqa: S105


def register(commands: Any) -> None:
    encrypt = commands.add_parser("encrypt", help="encrypt a file or folder with a password")
    _add_common(encrypt)
    encrypt.add_argument(
        "--kdf-memory-mib",
        type=int,
        default=64,
        help="Argon2id memory cost in MiB (default %(default)s)",
    )
    encrypt.add_argument(
        "--kdf-iterations", type=int, default=3, help="Argon2id passes (default %(default)s)"
    )
    encrypt.set_defaults(run=_encrypt)
    decrypt = commands.add_parser("decrypt", help="decrypt what `syncoxide encrypt` wrote")
    _add_common(decrypt)
    decrypt.set_defaults(run=_decrypt)
    change = commands.add_parser(
        "change-password", help="change the password of an encrypted file or folder"
    )
    change.add_argument("target", type=Path, metavar="ENCRYPTED", help="what `encrypt` wrote")
    change.add_argument(
        "--password-file",
        type=Path,
        default=None,
        help=f"current password (else ${PASSWORD_ENV}, else a prompt)",
    )
    change.add_argument(
        "--new-password-file",
        type=Path,
        default=None,
        help=f"new password (else ${NEW_PASSWORD_ENV}, else a prompt)",
    )
    change.set_defaults(run=_change_password)
    pgp = commands.add_parser("pgp-encrypt", help="encrypt a file to someone's OpenPGP key")
    pgp.add_argument(
        "--to",
        type=Path,
        action="append",
        required=True,
        metavar="KEYFILE",
        help="their exported public key (repeat for several recipients)",
    )
    pgp.add_argument("--armor", action="store_true", help="write ASCII armor instead of binary")
    pgp.add_argument("source", type=Path, metavar="IN", help="file to encrypt")
    pgp.add_argument("target", type=Path, metavar="OUT", help="new file to write")
    pgp.set_defaults(run=_pgp_encrypt)
    opened = commands.add_parser("pgp-decrypt", help="decrypt an OpenPGP message made for your key")
    opened.add_argument(
        "--key",
        type=Path,
        required=True,
        metavar="SECRETKEY",
        help="your exported secret key (gpg --export-secret-keys --armor)",
    )
    opened.add_argument(
        "--password-file",
        type=Path,
        default=None,
        help="file holding the secret key's passphrase, if it has one",
    )
    opened.add_argument("source", type=Path, metavar="IN", help="message to decrypt")
    opened.add_argument("target", type=Path, metavar="OUT", help="new file to write")
    opened.set_defaults(run=_pgp_decrypt)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, metavar="IN", help="file or folder to read")
    parser.add_argument("target", type=Path, metavar="OUT", help="new file or folder to write")
    parser.add_argument(
        "--password-file",
        type=Path,
        default=None,
        help=f"read the password from this file's first line (else ${PASSWORD_ENV}, else a prompt)",
    )


def read_password(
    password_file: Path | None,
    env: str = PASSWORD_ENV,
    *,
    label: str = "Password",
    confirm: bool,
) -> SecretBytes:
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError as error:
            raise NotFoundError(f"The password file {password_file} does not exist.") from error
        password = lines[0] if lines else ""
    elif os.environ.get(env):
        password = os.environ[env]
    else:
        password = _prompt(label, env, confirm)
    if not password:
        raise UsageError(f"The {label.lower()} is empty.", hint="Nothing was written.")
    return SecretBytes(password.encode("utf-8"))


def _prompt(label: str, env: str, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise UsageError(
            f"No {label.lower()} given and no terminal to ask for one.",
            hint=f"Use --password-file or set {env}. Nothing was written.",
        )
    password = getpass.getpass(f"{label}: ")
    if confirm and getpass.getpass(f"{label} again: ") != password:
        raise UsageError("The two passwords differ.", hint="Nothing was written; try again.")
    return password


def _encrypt(args: argparse.Namespace) -> int:
    if args.kdf_memory_mib < 1 or args.kdf_iterations < 1:
        raise UsageError("Argon2id costs must be at least 1 MiB and 1 pass.")
    params = Argon2Params(memory_kib=args.kdf_memory_mib * 1024, iterations=args.kdf_iterations)
    crypt = PasswordCrypt(
        CryptographyBackend(),
        read_password(args.password_file, confirm=True),
        SystemRandom(),
        params,
    )
    with _output_untouched_on_failure(args.target):
        asyncio.run(crypt.encrypt(args.source, args.target))
    for entry in crypt.skipped:
        print(f"syncoxide: left out {entry} (not a regular file or folder)", file=sys.stderr)
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    crypt = PasswordCrypt(
        CryptographyBackend(), read_password(args.password_file, confirm=False), SystemRandom()
    )
    with _output_untouched_on_failure(args.target):
        asyncio.run(crypt.decrypt(args.source, args.target))
    return 0


def _change_password(args: argparse.Namespace) -> int:
    old = read_password(args.password_file, confirm=False)
    new = read_password(
        args.new_password_file, NEW_PASSWORD_ENV, label="New password", confirm=True
    )
    crypt = PasswordCrypt(CryptographyBackend(), old, SystemRandom())
    asyncio.run(crypt.change_password(args.target, new))
    return 0


def _pgp_encrypt(args: argparse.Namespace) -> int:
    from syncoxide.native.crypto.pgp_share import pgp_encrypt_file

    with _output_untouched_on_failure(args.target):
        pgp_encrypt_file(args.source, args.target, args.to, armor=args.armor)
    return 0


def _pgp_decrypt(args: argparse.Namespace) -> int:
    from syncoxide.native.crypto.pgp_share import pgp_decrypt_file

    key_password = args.password_file.read_text().rstrip("\n") if args.password_file else None
    with _output_untouched_on_failure(args.target):
        pgp_decrypt_file(args.source, args.target, args.key, key_password)
    return 0


@contextmanager
def _output_untouched_on_failure(target: Path) -> Iterator[None]:
    """Say in the error that the output name was left alone (the writer stages every output)."""
    try:
        yield
    except SyncoxideError as error:
        if not isinstance(error, UsageError):
            note = f"Nothing was written to {target}."
            error.hint = f"{error.hint} {note}" if error.hint else note
        raise
    except OSError as error:  # the local disk is a provider: translate at the boundary
        raise ProviderError(
            f"Could not read or write {error.filename or 'a file'}: {error.strerror or error}.",
            hint=f"Nothing was written to {target}. Check space and permissions, then retry.",
        ) from error
