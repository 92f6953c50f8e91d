"""``syncoxide get LINK [-o DIR]``: download a share link, decrypting it when it is encrypted.

The link is all it needs: the server and share id from its address, the key (for an
end-to-end encrypted share) from its ``#k=`` fragment, which is never sent to the server.
Every file is written under a hidden partial name in DIR and renamed once complete and
verified (SHA-256 for a plain file, every GCM tag for an encrypted one); an existing file is
never overwritten (``name (1).ext``), and a failure leaves nothing behind.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2

from syncoxide.cli.links.command import _password
from syncoxide.crypto import stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import decrypt_path, key_from_fragment, path_cipher
from syncoxide.errors import AuthenticationError, IntegrityError, UsageError
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.safe_names import sanitized_relative_path, unique_path

EXIT_OK = 0


def register(commands: Any) -> None:
    get = commands.add_parser("get", help="download a share link (decrypts encrypted shares)")
    get.add_argument("link", help="the whole link, including any #k=... part")
    get.add_argument("-o", "--output", type=Path, default=Path(), help="folder (default: here)")
    get.add_argument("--password-file", type=Path, help="the link's password, if it has one")
    get.set_defaults(run=_get)


def parse_link(link: str) -> tuple[str, str, str]:
    """Server address, share id and fragment of ``https://host/s/<id>#k=...``."""
    parts = urlsplit(link.strip())
    segments = parts.path.strip("/").split("/")
    if parts.scheme not in {"http", "https"} or len(segments) != 2 or segments[0] != "s":
        raise UsageError(
            f"{link!r} is not a share link.", hint="It looks like https://host/s/<id>#k=..."
        )
    return f"{parts.scheme}://{parts.netloc}", segments[1], parts.fragment


def _get(args: argparse.Namespace) -> int:
    server, share_id, fragment = parse_link(args.link)
    with httpx2.Client(base_url=server, timeout=60, follow_redirects=False) as client:
        password = _password(args.password_file)
        if password is not None:
            _unlock(client, share_id, password)
        share = describe_share(client, share_id)
        key = key_from_fragment(fragment) if share.get("encrypted") else None
        names = _plain_names(share["files"], key)
        args.output.mkdir(parents=True, exist_ok=True)
        for file, name in zip(share["files"], names, strict=True):
            target = args.output / unique_path(name, lambda p: (args.output / p).exists())
            _download(client, file, target, key)
            print(f"got {target.relative_to(args.output)}")
    return EXIT_OK


def _unlock(client: httpx2.Client, share_id: str, password: str) -> None:
    answer = client.post(f"/s/{share_id}", data={"password": password})
    if answer.status_code != 303:
        raise AuthenticationError("The server refused that password for this link.")


def describe_share(client: httpx2.Client, share_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/shares/{share_id}")
    if answer.status_code == 401:
        raise AuthenticationError(
            "This link needs its password.", hint="Pass it with --password-file."
        )
    if answer.status_code != 200:
        raise UsageError(f"The server answered {answer.status_code}: {server_message(answer)}")
    described: dict[str, Any] = answer.json()
    return described


def server_message(answer: httpx2.Response) -> str:
    """The server's reason: an API error's message, or the text of an HTML error page."""
    try:
        return str(answer.json()["message"])
    except (ValueError, KeyError):
        found = re.search(r"<p>(.*?)</p>", answer.text, re.DOTALL)
        return html.unescape(found.group(1)) if found else f"HTTP {answer.status_code}."


def _plain_names(files: list[dict[str, Any]], key: SecretBytes | None) -> list[str]:
    if key is None:
        return [sanitized_relative_path(f["path"]) for f in files]

    async def run() -> list[str]:
        cipher = path_cipher(CryptographyBackend(), key)
        return [sanitized_relative_path(await decrypt_path(cipher, f["path"])) for f in files]

    return asyncio.run(run())


def _download(
    client: httpx2.Client, file: dict[str, Any], target: Path, key: SecretBytes | None
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with client.stream("GET", file["download_url"]) as response, partial.open("xb") as out:
            if response.status_code != 200:
                response.read()
                raise UsageError(f"{target.name}: {server_message(response)}")
            chunks = _HashedChunks(response.iter_bytes(), hashlib.sha256())
            if key is None:
                for chunk in chunks:
                    out.write(chunk)
            else:
                asyncio.run(_decrypt(key, chunks, out))
            if chunks.digest.hexdigest() != file["sha256"]:
                raise IntegrityError(f"{target.name} arrived damaged (hash mismatch); get again.")
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class _HashedChunks(Iterator[bytes]):
    """The chunks of a download, hashed as they pass."""

    def __init__(self, chunks: Iterator[bytes], digest: Any) -> None:
        self._chunks = chunks
        self.digest = digest

    def __next__(self) -> bytes:
        chunk = next(self._chunks)
        self.digest.update(chunk)
        return chunk


async def _decrypt(key: SecretBytes, chunks: Iterator[bytes], out: Any) -> None:
    buffer = bytearray()

    async def read(size: int) -> bytes:
        for chunk in chunks:
            buffer.extend(chunk)
            if len(buffer) >= size:
                break
        taken = bytes(buffer[:size])
        del buffer[:size]
        return taken

    async def write(data: bytes) -> None:
        out.write(data)

    header = await stream.read_header(read)
    opener = await stream.FileOpener.create(CryptographyBackend(), key, header)
    await stream.open_stream(opener, read, write)
