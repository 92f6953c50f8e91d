"""``syncoxide share`` and ``syncoxide request``: share links and request-files links.

``share`` creates a share on the server, uploads every file over tus (8 MiB chunks, each with
a SHA-1 ``Upload-Checksum``; a failed chunk is retried from the server's offset), and prints
the link. ``request create`` prints a request link; ``request pull`` downloads what arrived,
never overwriting a file already in the target folder.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from syncoxide.automation.backoff import retry_delay
from syncoxide.cli.links import encrypted_shares, request_sealed
from syncoxide.cli.links.placement import free_place
from syncoxide.cli.login import add_server_options, call_api, resolve_server
from syncoxide.cli.terminal_qr import add_qr_options, print_link_qr, wants_qr
from syncoxide.crypto.share_key import check_shareable_paths, key_fragment, new_share_key
from syncoxide.errors import TransportError, UsageError
from syncoxide.native.crypto import share as share_crypto
from syncoxide.safe_names import sanitized_relative_path
from syncoxide.system import SystemRandom

EXIT_OK = 0
EXIT_SKIPPED = 1  # some arrivals could not be opened; the others were pulled
CHUNK = 8 << 20
# A cut connection is retried from the offset the server reports, waiting longer each time
# (the jobs' policy, automation/backoff.py: about RETRY_FIRST_WAIT, doubling up to
# RETRY_MAX_WAIT, +-25% jitter), for up to RETRY_SECONDS without progress: long enough for a
# server being restarted to come back, so the upload resumes instead of failing.
RETRY_FIRST_WAIT = 0.25
RETRY_MAX_WAIT = 4.0
RETRY_SECONDS = 90.0
TUS = {"Tus-Resumable": "1.0.0"}
# The server answers a file's last PATCH only once it has copied the file into its blob store
# (seconds per GiB): a short read timeout would cut that answer off and the CLI would report
# success before the file is part of the share.
UPLOAD_TIMEOUT = httpx2.Timeout(30.0, read=900.0)
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def register(commands: Any) -> None:
    share = commands.add_parser("share", help="upload files or folders and print a share link")
    share.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    share.add_argument("--expires", type=duration, help="e.g. 30m, 12h, 7d (default: never)")
    share.add_argument("--max-downloads", type=int, help="stop after this many downloads")
    share.add_argument("--password-file", type=Path, help="protect the link with this password")
    share.add_argument("--title", default="", help="shown on the link's page")
    share.add_argument(
        "--encrypt",
        action="store_true",
        help="end-to-end: encrypt files and names here; the key is only in the link's #fragment",
    )
    share.add_argument(
        "--email", metavar="ADDRESS", help="the server emails the link to this address"
    )
    share.add_argument(
        "--to",
        metavar="NAME_OR_EMAIL",
        help="share a place (PROVIDER:path) with another account of the server instead",
    )
    share.add_argument("--read-only", action="store_true", help="with --to: they may not change it")
    share.add_argument("--json", action="store_true", help="with --to: print the server's answer")
    encrypted_shares.add_share_options(share)
    add_qr_options(share)
    add_server_options(share)
    share.set_defaults(run=_share)

    request = commands.add_parser(
        "request", help="request-files links: create them, pull what arrived"
    )
    actions = request.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a request link and print it")
    create.add_argument("--title", required=True)
    create.add_argument("--message", default="")
    create.add_argument("--deadline", type=duration, help="from now, e.g. 7d")
    create.add_argument("--allow-late", action="store_true", help="take (and mark) late files")
    create.add_argument("--password-file", type=Path)
    create.add_argument(
        "--email", metavar="ADDRESS", help="the server emails the link to this address"
    )
    add_qr_options(create)
    add_server_options(create)
    create.set_defaults(run=_request_create)
    pull = actions.add_parser("pull", help="download what arrived on a request link")
    pull.add_argument("id")
    pull.add_argument("dir", type=Path)
    request_sealed.add_key_options(create, pull)
    add_server_options(pull)
    pull.set_defaults(run=_request_pull)


def duration(text: str) -> int:
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30m, 12h or 7d")
    return max(int(match.group(1)) * _SECONDS[match.group(2)], 60)


def _password(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text().rstrip("\r\n")
    except OSError as error:
        raise UsageError(f"Could not read the password file {path}: {error.strerror}.") from None


def files_to_share(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Every file under ``paths`` with the relative name it gets in the share."""
    for path in paths:
        if path.is_file():
            yield path, path.name
        elif path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                yield found, f"{path.resolve().name}/{found.relative_to(path).as_posix()}"
        else:
            raise UsageError(f"{path} is not a file or folder.", hint="Nothing was uploaded.")


def _share(args: argparse.Namespace) -> int:
    if args.to:
        from syncoxide.cli.links.account_shares import share_with_account

        return share_with_account(args)
    if args.read_only:
        raise UsageError("--read-only goes with --to ACCOUNT; a share link is read-only anyway.")
    if args.encrypt and args.email:
        raise UsageError(
            "The server cannot email an end-to-end encrypted share: its key stays here.",
            hint="Leave out --email and send the printed link yourself; nothing was uploaded.",
        )
    server, token = resolve_server(args)
    files = list(files_to_share(args.paths))
    if args.encrypt:
        return _share_encrypted(args, server, token, files)
    body = {**_share_body(args), "title": args.title or files[0][1].split("/")[0]}
    share = call_api(server, token, "POST", "/shares", body=body)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=server, headers=auth, timeout=UPLOAD_TIMEOUT) as client:
        for path, name in files:
            upload_file(client, path, {"share": share["id"], "path": name})
            print(f"uploaded {name}")
    print_link_qr(f"{server}{share['url']}", wants_qr(args))
    print(f"{server}{share['url']}")
    email_link(server, token, f"/shares/{share['id']}", args.email)
    return EXIT_OK


def email_link(server: str, token: str, link: str, address: str | None) -> None:
    """Ask the server to email the link; the link is printed first, so a server whose email
    is off still leaves the user with a link to send themself."""
    if not address:
        return
    sent = call_api(server, token, "POST", f"{link}/email", body={"to": address})
    print(f"emailed the link to {sent['to']}", file=sys.stderr)


def _share_body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"title": args.title}
    if args.expires:
        body["expires_in"] = args.expires
    if args.max_downloads:
        body["max_downloads"] = args.max_downloads
    password = _password(args.password_file)
    if password:
        body["password"] = password
    return body


def _share_encrypted(
    args: argparse.Namespace, server: str, token: str, files: list[tuple[Path, str]]
) -> int:
    """Like ``_share``, but the server gets ciphertext only; the key goes into the link."""
    check_shareable_paths([name for _, name in files])
    key = new_share_key(SystemRandom())
    stored = share_crypto.encrypted_names([name for _, name in files], key)
    # The title is the one thing stored in the clear, so it is never guessed from a file name.
    share = call_api(
        server, token, "POST", "/shares", body={**_share_body(args), "encrypted": True}
    )
    auth = {"Authorization": f"Bearer {token}"}
    with (
        httpx2.Client(base_url=server, headers=auth, timeout=UPLOAD_TIMEOUT) as client,
        tempfile.TemporaryDirectory(prefix="syncoxide-share-") as scratch,
    ):
        for number, ((path, name), stored_name) in enumerate(zip(files, stored, strict=True)):
            sealed = share_crypto.sealed_copy(path, key, Path(scratch) / f"{number}.sxc")
            upload_file(client, sealed, {"share": share["id"], "path": stored_name})
            sealed.unlink()
            print(f"uploaded {name} (encrypted)")
    link = f"{server}{share['url']}#{key_fragment(key)}"
    print_link_qr(link, wants_qr(args))
    print(link)
    return EXIT_OK


def _metadata(values: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def upload_file(client: httpx2.Client, path: Path, metadata: dict[str, str]) -> None:
    size = path.stat().st_size
    headers = {**TUS, "Upload-Length": str(size), "Upload-Metadata": _metadata(metadata)}
    created = _checked(client.post("/api/v1/uploads/", headers=headers), 201)
    location = created.headers["location"]
    offset = 0
    retry = _Retry()
    # The next chunk is read and hashed in a thread while this one is on the wire, so the
    # disk, SHA-1 and the network overlap instead of taking turns.
    with ThreadPoolExecutor(1) as reader:
        ahead = reader.submit(_chunk_at, path, 0)
        while offset < size:
            chunk = ahead.result()
            if chunk.offset != offset:  # the server kept a different amount of a cut chunk
                chunk = _chunk_at(path, offset)
            ahead = reader.submit(_chunk_at, path, offset + len(chunk.data))
            try:
                offset = _send_chunk(client, location, chunk)
                retry = _Retry()
            except httpx2.TransportError as error:
                retry.wait_or_give_up(f"Could not upload {path}: {error}.")
                offset = _server_offset(client, location, offset)


@dataclass
class _Retry:
    """Waits between attempts after a cut connection (the jobs' backoff policy, on a CLI's
    scale); gives up after RETRY_SECONDS."""

    attempt: int = 0
    started: float = field(default_factory=time.monotonic)

    def wait_or_give_up(self, message: str) -> None:
        if time.monotonic() - self.started > RETRY_SECONDS:
            raise TransportError(message, hint="Run the command again.") from None
        self.attempt += 1
        jitter = random.random()  # noqa: S311 - spreads retries, guards nothing
        time.sleep(retry_delay(self.attempt, jitter, base=RETRY_FIRST_WAIT, cap=RETRY_MAX_WAIT))


@dataclass(frozen=True)
class _Chunk:
    offset: int
    data: bytes
    checksum: str  # the Upload-Checksum header value


def _chunk_at(path: Path, offset: int) -> _Chunk:
    with path.open("rb") as source:  # a handle per read: the prefetch thread shares none
        source.seek(offset)
        data = source.read(CHUNK)
    digest = base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 (tus' own)
    return _Chunk(offset, data, f"sha1 {digest}")


def _server_offset(client: httpx2.Client, location: str, fallback: int) -> int:
    """Where the server says the upload stands (what it committed of a cut chunk)."""
    try:
        answer = client.head(location, headers=TUS)
    except httpx2.TransportError:
        return fallback
    return int(_checked(answer, 200).headers["upload-offset"])


def _send_chunk(client: httpx2.Client, location: str, chunk: _Chunk) -> int:
    headers = {
        **TUS,
        "Upload-Offset": str(chunk.offset),
        "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": chunk.checksum,
    }
    answer = _checked(client.patch(location, content=chunk.data, headers=headers), 204)
    return int(answer.headers["upload-offset"])


def _checked(response: httpx2.Response, expected: int) -> httpx2.Response:
    if response.status_code != expected:
        response.read()
        try:
            message = response.json()["message"]
        except (ValueError, KeyError):
            message = f"HTTP {response.status_code}"
        raise UsageError(f"The server refused the upload: {message}")
    return response


def _request_create(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    body: dict[str, Any] = {"title": args.title, "message": args.message}
    if args.deadline:
        body["deadline_in"] = args.deadline
    if args.allow_late:
        body["allow_late"] = True
    password = _password(args.password_file)
    if password:
        body["password"] = password
    key = None
    if args.encrypt:
        key, body["public_key"] = request_sealed.new_key(args)
    made = call_api(server, token, "POST", "/requests", body=body)
    if key is not None:
        saved = request_sealed.save_key(key, made["id"])
        print(f"end-to-end encrypted; the private key stays here: {saved}", file=sys.stderr)
    print_link_qr(f"{server}{made['url']}", wants_qr(args))
    print(f"{server}{made['url']}")
    email_link(server, token, f"/requests/{made['id']}", args.email)
    return EXIT_OK


def _request_pull(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    arrived = call_api(server, token, "GET", f"/requests/{args.id}/arrivals")
    private = request_sealed.load_private_key(args) if arrived.get("public_key") else None
    with httpx2.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as client:
        if private is not None:
            outcome = request_sealed.pull_sealed(
                client, arrived["files"], private, args.dir, download=_download
            )
            for name in outcome.written:
                print(f"pulled and decrypted {name}")
            for reason in outcome.skipped:
                print(f"skipped {reason}", file=sys.stderr)
            return EXIT_SKIPPED if outcome.skipped else EXIT_OK
        args.dir.mkdir(parents=True, exist_ok=True)
        skipped = [
            problem
            for file in arrived["files"]
            if (problem := _pull_one(client, file, args.dir)) is not None
        ]
    for problem in skipped:
        print(f"skipped {problem}", file=sys.stderr)
    return EXIT_SKIPPED if skipped else EXIT_OK


def _pull_one(client: httpx2.Client, file: dict[str, Any], target: Path) -> str | None:
    """Pull one arrival; why it was skipped, or None. Anyone may upload to a request link, so
    one odd or broken file never stops the others (they are pulled, it is reported)."""
    wanted = sanitized_relative_path(file["path"])
    if _already_pulled(target / wanted, file):  # a pull run again after one that was cut
        print(f"already here {wanted}")
        return None
    try:
        name = free_place(target, wanted)
        _download(client, file["download_url"], target / name, file["sha256"])
    except (OSError, TransportError, UsageError, httpx2.TransportError) as error:
        return f"{wanted}: {getattr(error, 'strerror', None) or error}"
    print(f"pulled {name}" if name == wanted else f"pulled {wanted} as {name} (name taken)")
    return None


def _already_pulled(place: Path, file: dict[str, Any]) -> bool:
    """Whether ``place`` holds this very arrival (size and SHA-256), so it is not fetched again
    under a second name; another file under the same name still gets a free name."""
    try:
        if not place.is_file() or place.stat().st_size != file["size"]:
            return False
        digest = hashlib.sha256()
        with place.open("rb") as held:
            while block := held.read(1 << 20):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == str(file["sha256"])


def _download(client: httpx2.Client, url: str, target: Path, sha256: str) -> None:
    """Into a hidden partial file, renamed only once its SHA-256 matched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    digest = hashlib.sha256()
    try:
        with client.stream("GET", url) as response, partial.open("wb") as out:
            _checked(response, 200)
            for chunk in response.iter_bytes():
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise TransportError(f"{target.name} arrived damaged (hash mismatch); pull again.")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
