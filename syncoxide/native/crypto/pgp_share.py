"""Share a file with someone who uses GnuPG: OpenPGP encryption to their public key.

Uses ``pysequoia`` (Sequoia-PGP), which streams file to file (peak memory stays flat for any
size) and writes messages ``gpg --decrypt`` opens (gpg 2.2 checked). PGPy was the other
candidate: it holds whole messages in memory (~5x the file) and breaks on Python >= 3.13.
Foreign errors from the library become ``UsageError`` (a bad key file) or ``ConfigError``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syncoxide.errors import ConfigError, NotFoundError, TamperedDataError, UsageError
from syncoxide.native.crypto.files import staged_output


def _library() -> Any:
    try:
        import pysequoia
    except ImportError as error:
        raise ConfigError(
            "OpenPGP sharing needs the pysequoia package, which is not installed.",
            hint="Install syncoxide with its dependencies (pip install pysequoia).",
        ) from error
    return pysequoia


def load_recipients(key_files: list[Path]) -> list[Any]:
    """Every certificate found in the given public key files (armored or binary)."""
    pysequoia = _library()
    certs = []
    for key_file in key_files:
        if not key_file.is_file():
            raise NotFoundError(f"The key file {key_file} does not exist.")
        try:
            found = pysequoia.Cert.split_bytes(key_file.read_bytes())
        except Exception as error:  # the library raises bare exceptions for bad input
            raise UsageError(
                f"{key_file} is not an OpenPGP public key.",
                hint="Export one with: gpg --export --armor THEIR-EMAIL > key.asc",
            ) from error
        if not found:
            raise UsageError(f"{key_file} holds no OpenPGP key.")
        for cert in found:
            check_recipient(cert, key_file)
        certs.extend(found)
    return certs


def check_recipient(cert: Any, key_file: Path) -> None:
    """Refuse, with the reason, a key that would fail or that the recipient's gpg cannot use."""
    who = f"The key {cert.fingerprint[-16:]} in {key_file}"
    if len(cert.fingerprint) == 64:  # v6 fingerprints are SHA-256; v4 ones SHA-1 (40 hex)
        raise UsageError(
            f"{who} is an OpenPGP v6 key, which GnuPG 2.2 cannot use.",
            hint="Ask the recipient for a v4 key (what `gpg --export` gives on GnuPG 2.2/2.4).",
        )
    if cert.is_revoked:
        raise UsageError(f"{who} was revoked by its owner.", hint="Ask them for their new key.")
    expiry = cert.expiration
    if expiry is not None and expiry <= datetime.now(UTC):
        raise UsageError(
            f"{who} expired on {expiry:%Y-%m-%d}.",
            hint="Ask the recipient to extend it (gpg --quick-set-expire) and send it again.",
        )
    try:
        _library().encrypt(recipients=[cert], bytes=b"probe")
    except Exception as error:  # the library says "no usable encryption key" in its own words
        raise UsageError(
            f"{who} has no subkey that can encrypt (it may be for signing only).",
            hint="Ask the recipient for a key with an encryption subkey.",
        ) from error


def pgp_encrypt_file(source: Path, target: Path, key_files: list[Path], *, armor: bool) -> None:
    """Encrypt ``source`` to every key in ``key_files``; ``target`` appears only when complete."""
    if not source.is_file():
        raise UsageError(
            f"{source} is not a file.", hint="OpenPGP encrypts single files; archive folders first."
        )
    recipients = load_recipients(key_files)
    with staged_output(target, folder=False) as staging:
        try:
            _library().encrypt_file(str(source), str(staging), recipients, armor=armor)
        except Exception as error:
            raise UsageError(
                f"Could not encrypt to these keys: {error}.",
                hint="Check the key can encrypt (not expired or revoked). Nothing was written.",
            ) from error


def pgp_decrypt_file(
    source: Path, target: Path, secret_key_file: Path, key_password: str | None
) -> None:
    """Decrypt a message made for our key (by gpg or anyone); ``target`` appears once it opened."""
    pysequoia = _library()
    if not secret_key_file.is_file():
        raise NotFoundError(f"The key file {secret_key_file} does not exist.")
    try:
        secret = pysequoia.Tsk.from_bytes(secret_key_file.read_bytes())
        decryptor = secret.decryptor(key_password) if key_password else secret.decryptor()
    except Exception as error:  # bare library exceptions: not a secret key, or wrong password
        raise UsageError(
            f"{secret_key_file} is not an OpenPGP secret key this password unlocks.",
            hint="Export it with: gpg --export-secret-keys --armor YOUR-EMAIL > key.asc",
        ) from error
    with staged_output(target, folder=False) as staging:
        try:
            pysequoia.decrypt_file(str(source), str(staging), decryptor=decryptor)
        except Exception as error:
            raise TamperedDataError(
                f"{source} could not be decrypted with this key: {error}.",
                hint="It was made for another key, or altered. Nothing was written.",
            ) from error
