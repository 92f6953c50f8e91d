"""The CLI's side of end-to-end encrypted request links: the owner's key, and opening arrivals.

``request create --encrypt`` makes the key pair here and sends only the public half; the key
file stays in the user's config folder (mode 0600, or sealed by a passphrase). ``request pull``
reads every arrival's header first (a Range request), so a wrong key or passphrase fails
before anything is written; then each file is downloaded, checked against the server's
SHA-256, opened chunk by chunk (every tag verified) and only then renamed into place.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2

from syncoxide.cli.crypto import PASSWORD_ENV, read_password
from syncoxide.cli.links.placement import free_place
from syncoxide.crypto import recipient, stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.recipient_key import (
    RequestKeyFile,
    new_request_key,
    parse_request_key,
    unlock_request_key,
)
from syncoxide.errors import (
    FormatError,
    IntegrityError,
    NotFoundError,
    UsageError,
    WrongKeyError,
)
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.native.remotes.store import config_dir
from syncoxide.safe_names import sanitized_relative_path
from syncoxide.system import SystemRandom

BACKEND = CryptographyBackend()
_HEADER_PROBE = recipient.NAME_AAD_SIZE + recipient.MAX_NAME_BYTES + 16  # + the name tag


def add_key_options(create: Any, pull: Any) -> None:
    create.add_argument(
        "--encrypt",
        action="store_true",
        help="end-to-end encrypt uploads to a key made here (only its public half is sent)",
    )
    for parser in (create, pull):
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help="passphrase protecting the request key (else $SYNCOXIDE_PASSWORD)",
        )
    pull.add_argument("--key", type=Path, help="the request key file (default: the saved one)")


def key_path(link_id: str) -> Path:
    return config_dir() / "request-keys" / f"{link_id}.json"


def new_key(args: argparse.Namespace) -> tuple[RequestKeyFile, str]:
    """A fresh key pair and its public half (base64) for the create request."""
    passphrase = None
    if args.passphrase_file is not None or os.environ.get(PASSWORD_ENV):
        passphrase = read_password(args.passphrase_file, label="Passphrase", confirm=True)
    file, _ = asyncio.run(new_request_key(BACKEND, SystemRandom(), "", passphrase=passphrase))
    return file, base64.b64encode(file.public_key).decode()


def save_key(file: RequestKeyFile, link_id: str) -> Path:
    """Write the key file once, readable by its owner alone; never over an existing one."""
    path = key_path(link_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(dataclasses.replace(file, link=link_id).encode())
    return path


def load_private_key(args: argparse.Namespace) -> SecretBytes:
    path = args.key or key_path(args.id)
    try:
        file = parse_request_key(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(
            f"No key for this request link at {path}.",
            hint="Give the key file with --key; nothing was downloaded.",
        ) from None
    passphrase = None
    given = args.passphrase_file is not None or os.environ.get(PASSWORD_ENV)
    if file.protected and (given or sys.stdin.isatty()):  # else the unlock names the flags
        passphrase = read_password(args.passphrase_file, label="Passphrase", confirm=False)
    return asyncio.run(unlock_request_key(BACKEND, file, passphrase))


@dataclasses.dataclass(frozen=True)
class SealedArrival:
    entry: dict[str, Any]
    path: str
    header: recipient.RecipientHeader


@dataclasses.dataclass
class PullOutcome:
    written: list[str] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)  # why, one line per file


_UNOPENABLE = (FormatError, IntegrityError, WrongKeyError)


def read_headers(
    client: httpx2.Client, files: list[dict[str, Any]], private: SecretBytes, outcome: PullOutcome
) -> list[SealedArrival]:
    """Every arrival's sealed name, opened before any byte is written.

    Anyone may upload, so one broken or foreign file is skipped, not fatal; but when no file
    opens because the key is wrong, that is the owner's mistake and stops the pull at once.
    """
    arrivals, wrong_key = [], None
    for entry in files:
        answer = client.get(entry["download_url"], headers={"Range": f"bytes=0-{_HEADER_PROBE}"})
        if answer.status_code not in (200, 206):
            raise UsageError(f"The server refused an arrival: HTTP {answer.status_code}.")
        try:
            header = recipient.parse_header(answer.content)
            path, _ = asyncio.run(recipient.open_from(BACKEND, private, header))
        except _UNOPENABLE as error:
            wrong_key = error if isinstance(error, WrongKeyError) else wrong_key
            outcome.skipped.append(f"{entry['path']}: {error}")
            continue
        arrivals.append(SealedArrival(entry, path, header))
    if wrong_key is not None and not arrivals:
        raise wrong_key
    return arrivals


def pull_sealed(
    client: httpx2.Client,
    files: list[dict[str, Any]],
    private: SecretBytes,
    target: Path,
    *,
    download: Callable[[httpx2.Client, str, Path, str], None],
) -> PullOutcome:
    """Download and open every arrival into ``target``; what was written and skipped."""
    outcome = PullOutcome()
    arrivals = read_headers(client, files, private, outcome)
    if arrivals:
        target.mkdir(parents=True, exist_ok=True)
    for arrival in arrivals:
        name = free_place(target, sanitized_relative_path(arrival.path))
        final = target / name
        sealed = final.with_name(f".{final.name}.sealed")
        try:
            download(client, arrival.entry["download_url"], sealed, arrival.entry["sha256"])
            asyncio.run(_open_file(private, arrival.header, sealed, final))
        except _UNOPENABLE as error:
            outcome.skipped.append(f"{name}: {error}")
            continue
        finally:
            sealed.unlink(missing_ok=True)
        outcome.written.append(name)
    return outcome


async def _open_file(
    private: SecretBytes, header: recipient.RecipientHeader, sealed: Path, final: Path
) -> None:
    _, opener = await recipient.open_from(BACKEND, private, header)
    partial = final.with_name(f".{final.name}.partial")
    try:
        with sealed.open("rb") as source, partial.open("wb") as out:
            source.seek(header.size)

            async def read(size: int) -> bytes:
                return source.read(size)

            async def write(data: bytes) -> None:
                out.write(data)

            await stream.open_stream(opener, read, write)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
