"""End-to-end encrypted shares between accounts, on the CLI's side.

``syncoxide share --to NAME --encrypt LOCAL`` unlocks your account key (passphrase), invites
NAME to a ``home:`` folder of yours (``--place``, default ``home:Encrypted/<name>``), wraps a
share key to both of you in the folder's keyring and uploads LOCAL's files sealed under it.
The server then keeps that folder and the recipient's copy in step like any share: it only
ever moves ciphertext. ``syncoxide shares ls|get|cat|put ID`` read and write your own copy
(a ``home:`` place), decrypting or sealing here; ``shares keys ID`` prints both
fingerprints. Revoking an encrypted share (``shares revoke``) adds a share key that only the
members left hold, so what is written afterwards is closed to the one revoked.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from syncoxide.catalog.model import HOME, parse_location
from syncoxide.cli.account_keys import add_passphrase_option, their_key, unlock_mine
from syncoxide.cli.links.share_keyring import Member, keys_as_owner
from syncoxide.cli.login import call_api, resolve_server
from syncoxide.crypto.share_folder import ShareKeys, open_keys
from syncoxide.crypto.share_key import check_shareable_paths
from syncoxide.errors import NotFoundError, UsageError
from syncoxide.native.crypto import account_share
from syncoxide.native.crypto.account_share import BACKEND, SharedFile
from syncoxide.native.providers.server_storage.provider import (
    ServerStorageProvider,
    ServerStorageSettings,
)
from syncoxide.safe_names import sanitized_relative_path
from syncoxide.system import SystemRandom

EXIT_OK = 0
BASE = "/account-shares"
DEFAULT_FOLDER = "Encrypted"


def register(actions: Any, common: argparse.ArgumentParser) -> None:
    """``shares ls|get|cat|put|keys``, beside the other ``shares`` actions."""
    sealed = argparse.ArgumentParser(add_help=False, parents=[common])
    add_passphrase_option(sealed)
    listing = actions.add_parser("ls", parents=[sealed], help="files of an encrypted share")
    listing.add_argument("id", type=int)
    listing.set_defaults(run=_ls)
    get = actions.add_parser("get", parents=[sealed], help="decrypt an encrypted share here")
    get.add_argument("id", type=int)
    get.add_argument("dir", type=Path, help="folder to write into (existing files are kept)")
    get.add_argument("paths", nargs="*", help="only these files (default: all)")
    get.set_defaults(run=_get)
    cat = actions.add_parser("cat", parents=[sealed], help="decrypt one file to standard output")
    cat.add_argument("id", type=int)
    cat.add_argument("path")
    cat.set_defaults(run=_cat)
    put = actions.add_parser("put", parents=[sealed], help="seal files into an encrypted share")
    put.add_argument("id", type=int)
    put.add_argument("local", type=Path, nargs="+", metavar="PATH")
    put.add_argument("--into", default="", help="a folder inside the share (default: its top)")
    put.set_defaults(run=_put)
    keys = actions.add_parser("keys", parents=[common], help="both parties' key fingerprints")
    keys.add_argument("id", type=int)
    keys.set_defaults(run=_keys)


def add_share_options(share: argparse.ArgumentParser) -> None:
    """Options ``share --to NAME --encrypt LOCAL`` adds."""
    share.add_argument(
        "--place",
        help="with --to --encrypt: your home: folder for it (default home:Encrypted/NAME)",
    )
    add_passphrase_option(share)


# -- sharing ----------------------------------------------------------------------------------


def share_encrypted(args: argparse.Namespace) -> int:
    """``syncoxide share --to NAME --encrypt LOCAL``."""
    if len(args.paths) != 1 or not args.paths[0].exists():
        raise UsageError(
            "Give one local file or folder to share encrypted.",
            hint="Its files are sealed here; nothing unencrypted is uploaded.",
        )
    local: Path = args.paths[0]
    files = list(local_files(local, ""))
    check_shareable_paths([name for _, name in files])
    place = parse_location(args.place or f"{HOME}:{DEFAULT_FOLDER}/{local.resolve().name}")
    if place.source != HOME or not place.path:
        raise UsageError("An encrypted share lives in a home: folder of yours, e.g. home:Plans.")
    server, token = resolve_server(args)
    public, private = unlock_mine(server, token, args.passphrase_file)  # before anything is made
    body: dict[str, Any] = {"to": args.to, "place": str(place), "encrypted": True}
    body["read_only"] = args.read_only
    if args.expires:
        body["expires_in"] = args.expires
    made = call_api(server, token, "POST", BASE, body=body)  # refused: nothing was made
    _make_folder(server, token, place.path)
    keys = call_api(server, token, "GET", f"{BASE}/{made['id']}/keys")
    member = Member(server, token, made, public, private, their_key(server, keys["owner"], "owner"))
    their_key(server, keys["recipient"], "recipient")  # pinned now: a later swap is caught
    asyncio.run(_seal_files(member, files))
    print(f"Invited {made['recipient']} to {made['place']} ({made['access']}, end-to-end "
          f"encrypted); share {made['id']}.")  # fmt: skip
    print(f"{keys['recipient']['name']}'s key fingerprint: {keys['recipient']['fingerprint']}")
    print("Compare it with what `syncoxide keys show` prints for them.")
    return EXIT_OK


def local_files(local: Path, into: str) -> Iterator[tuple[Path, str]]:
    """(file, its path in the share): a folder's contents, or a file under its own name."""
    prefix = f"{into.strip('/')}/" if into.strip("/") else ""
    if local.is_file():
        yield local, prefix + local.name
        return
    for found in sorted(local.rglob("*")):
        if found.is_file() and not found.is_symlink():
            yield found, prefix + found.relative_to(local).as_posix()


def _make_folder(server: str, token: str, path: str) -> None:
    # Already there answers 409: fine. Anything else, the invitation reports with the place.
    with contextlib.suppress(UsageError):
        call_api(server, token, "POST", "/storage/folders", body={"path": path})


async def _seal_files(member: Member, files: list[tuple[Path, str]]) -> None:
    async with _place(member) as provider:
        keys = await keys_as_owner(member, provider)
        for source, name in files:
            await account_share.put_file(provider, keys, source, path=name, random=SystemRandom())
            print(f"sealed and uploaded {name}")


def rotate_after_revoke(args: argparse.Namespace, revoked: dict[str, Any]) -> None:
    """After ``shares revoke`` of an encrypted share: a new share key without the revoked."""
    server, token = resolve_server(args)
    public, private = unlock_mine(server, token, getattr(args, "passphrase_file", None))
    member = Member(server, token, revoked, public, private, public)

    async def run() -> ShareKeys:
        async with _place(member) as provider:
            return await keys_as_owner(member, provider)

    keys = asyncio.run(run())
    print(f"New share key (generation {keys.newest}) for the members left: files written "
          "from now on are closed to the one revoked.")  # fmt: skip


# -- a member's own copy ----------------------------------------------------------------------


@asynccontextmanager
async def _place(member: Member) -> AsyncIterator[ServerStorageProvider]:
    where = member.share.get("place")
    if not where:
        raise UsageError(
            "This share has no place of yours yet.",
            hint=f"Accept it first: syncoxide shares accept {member.share['id']}",
        )
    place = parse_location(where)
    if place.source != HOME:
        raise UsageError(
            f"Your copy is at {where}; the CLI reads and writes encrypted shares in home: only.",
            hint="Leave and accept it again into a home: folder. Nothing was read or written.",
        )
    settings = ServerStorageSettings(url=member.server, token=member.token, root=place.path)
    async with ServerStorageProvider(settings) as provider:
        yield provider


def _member(args: argparse.Namespace) -> Member:
    server, token = resolve_server(args)
    share = call_api(server, token, "GET", f"{BASE}/{args.id}")
    if not share.get("encrypted"):
        raise UsageError(
            f"Share {args.id} is not encrypted: its files are plain in both places.",
            hint="Use `syncoxide files` to read them.",
        )
    keys = call_api(server, token, "GET", f"{BASE}/{args.id}/keys")
    owner_public = their_key(server, keys["owner"], "owner")
    public, private = unlock_mine(server, token, args.passphrase_file)
    mine = keys["owner" if share["role"] == "owner" else "recipient"]
    if mine is None or base64.b64decode(mine["public_key"]) != public:
        raise UsageError("The server's copy of your key changed while this ran; try again.")
    return Member(server, token, share, public, private, owner_public)


async def _opened(member: Member, provider: Any) -> ShareKeys:
    if member.share["role"] == "owner":
        return await keys_as_owner(member, provider)
    grants = await account_share.read_keyring(provider)
    if grants is None:
        raise NotFoundError(
            "This share's keyring has not arrived in your copy yet.",
            hint=f"Wait for the next sync (or run `syncoxide shares sync {member.share['id']}`).",
        )
    return await open_keys(
        BACKEND, grants, my_private=member.private, owner_public=member.owner_public
    )


def _ls(args: argparse.Namespace) -> int:
    member = _member(args)

    async def run() -> list[SharedFile]:
        async with _place(member) as provider:
            return await account_share.list_files(provider, await _opened(member, provider))

    listed = asyncio.run(run())
    if args.json:
        fields = [{"path": f.path, "generation": f.generation, "stored": f.stored} for f in listed]
        print(json.dumps({"files": fields}, indent=2))
        return EXIT_OK
    for shared in listed:
        print(shared.path)
    return EXIT_OK


def _get(args: argparse.Namespace) -> int:
    member = _member(args)
    wanted = set(args.paths)

    async def run() -> None:
        async with _place(member) as provider:
            keys = await _opened(member, provider)
            for shared in await account_share.list_files(provider, keys):
                if wanted and shared.path not in wanted:
                    continue
                target = args.dir / sanitized_relative_path(shared.path)
                if target.exists():
                    print(f"kept {target} (it exists)", file=sys.stderr)
                    continue
                await account_share.save_file(provider, keys, shared, target)
                print(f"decrypted {shared.path}")

    asyncio.run(run())
    return EXIT_OK


def _cat(args: argparse.Namespace) -> int:
    member = _member(args)

    async def run() -> None:
        async with _place(member) as provider:
            keys = await _opened(member, provider)
            found = [
                f for f in await account_share.list_files(provider, keys) if f.path == args.path
            ]
            if not found:
                raise NotFoundError(f"Share {args.id} has no file {args.path!r} you can read.")
            out = sys.stdout.buffer

            async def write(data: bytes) -> None:
                out.write(data)

            await account_share.open_file(provider, keys, found[0], write)
            out.flush()

    asyncio.run(run())
    return EXIT_OK


def _put(args: argparse.Namespace) -> int:
    member = _member(args)
    if member.share["role"] != "owner" and member.share["access"] != "read-write":
        raise UsageError("This share is read-only for you.", hint="Nothing was uploaded.")
    files = [pair for local in args.local for pair in local_files(local, args.into)]
    check_shareable_paths([name for _, name in files])
    asyncio.run(_put_files(member, files))
    return EXIT_OK


async def _put_files(member: Member, files: list[tuple[Path, str]]) -> None:
    async with _place(member) as provider:
        keys = await _opened(member, provider)
        for source, name in files:
            await account_share.put_file(provider, keys, source, path=name, random=SystemRandom())
            print(f"sealed and uploaded {name}")


def _keys(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    keys = call_api(server, token, "GET", f"{BASE}/{args.id}/keys")
    if args.json:
        print(json.dumps(keys, indent=2))
        return EXIT_OK
    for role in ("owner", "recipient"):
        found = keys[role]
        print(
            f"{role:<9} " + (f"{found['name']}  {found['fingerprint']}" if found else "no key yet")
        )
    return EXIT_OK
