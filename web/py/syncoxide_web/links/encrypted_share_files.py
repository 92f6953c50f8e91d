"""An end-to-end encrypted account share in the browser: opened, read and added to.

The same core as the CLI (``syncoxide.crypto.account_key``, ``share_folder``, ``share_grant``,
``stream``) over WebCrypto: the page unlocks the account key's vault with the passphrase
(Argon2id from hash-wasm), reads the keyring from the member's ``home:`` copy, opens the grants
the owner made for this account, and lists the files by their decrypted names. A file is
decrypted only when asked for, streamed from the server chunk by chunk into the
origin-private file system (every tag checked), and only a file that opened whole is offered.

A member with read-write access adds files as ``syncoxide shares put`` does: each is sealed
here under the newest share key while it uploads (name and content; the server gets only
ciphertext), stored in the member's copy, and its copies under older keys removed; the
server's share sync then carries it to the owner. The owner adds from the CLI, which first
brings the keyring in line with the members (a key for new ones, a new key after a removal).
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import js
from pyodide.ffi import to_js

from syncoxide.crypto import stream
from syncoxide.crypto.account_key import fingerprint, unlock_account_key
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_folder import ShareKeys, generation_of, open_keys
from syncoxide.crypto.share_grant import KEYRING_NAME, parse_keyring
from syncoxide.crypto.share_key import check_shareable_path
from syncoxide.errors import NotFoundError, PermissionDeniedError, UsageError
from syncoxide.safe_names import safe_name
from syncoxide.system import SystemRandom
from syncoxide_web.api.client import call_api
from syncoxide_web.api.files_upload import upload_into_files
from syncoxide_web.api.server_api import API
from syncoxide_web.api.tus_upload import TusUpload
from syncoxide_web.links.request_arrivals import ResponseReader, fetch_bytes
from syncoxide_web.platform.blob_io import BlobReader, WritableSink
from syncoxide_web.platform.webcrypto import WebCryptoBackend


@dataclass(frozen=True)
class SealedFile:
    path: str  # the decrypted path
    stored: str  # the ciphertext's path in the member's storage
    generation: int


@dataclass(frozen=True)
class OpenedShare:
    keys: ShareKeys
    owner_fingerprint: str
    files: list[SealedFile]
    folder: str  # the member's copy, in their storage
    role: str  # "owner" or "recipient"
    access: str  # "read-write" or "read-only"


def _content_url(path: str) -> str:
    return f"{API}/storage/content?{urlencode({'path': path})}"


def _home_folder(share: dict[str, Any]) -> str:
    source, _, folder = str(share.get("place") or "").partition(":")
    if source != "home" or not folder:
        raise UsageError(
            "This share's copy of yours is not in your storage here, so the page cannot read it.",
            hint="Accept it into a home: folder to open it in the browser.",
        )
    return folder


async def _unlock(passphrase: str) -> tuple[bytes, SecretBytes]:
    if not passphrase:
        raise UsageError("Type your account key's passphrase first.", hint="Nothing was opened.")
    mine = await call_api("GET", "/account-key")
    public, vault = base64.b64decode(mine["public_key"]), base64.b64decode(mine["vault"])
    secret = SecretBytes(passphrase.encode())
    return public, await unlock_account_key(WebCryptoBackend(), public, vault, secret)


async def open_share(share_id: int, passphrase: str) -> tuple[str, OpenedShare]:
    """The member's folder and the share opened with this account's key."""
    share = await call_api("GET", f"/account-shares/{share_id}")
    if not share.get("encrypted"):
        raise UsageError("This share is not encrypted: its files are in your storage as they are.")
    folder = _home_folder(share)
    owner = (await call_api("GET", f"/account-shares/{share_id}/keys"))["owner"]
    if owner is None:
        raise NotFoundError("The share's owner has no account key.", hint="Nothing was opened.")
    _, private = await _unlock(passphrase)
    ring = await fetch_bytes(_content_url(f"{folder}/{KEYRING_NAME}"))
    grants = parse_keyring(bytes((await ring.arrayBuffer()).to_bytes()))
    owner_public = base64.b64decode(owner["public_key"])
    keys = await open_keys(
        WebCryptoBackend(), grants, my_private=private, owner_public=owner_public
    )
    files = await _listed(folder, keys)
    opened = OpenedShare(
        keys, fingerprint(owner_public), files, folder, share["role"], share["access"]
    )
    return folder, opened


async def relisted(opened: OpenedShare) -> OpenedShare:
    """``opened`` with its files listed again (after adding some)."""
    files = await _listed(opened.folder, opened.keys)
    return OpenedShare(
        opened.keys, opened.owner_fingerprint, files, opened.folder, opened.role, opened.access
    )


def check_can_add(opened: OpenedShare) -> None:
    """Refuse, before anything is sealed, a member who may not add files from this page."""
    if opened.role == "owner":
        raise UsageError(
            "Add to a share of yours with the CLI: syncoxide shares put ID FILE.",
            hint="It first gives new members the key and makes a new one after a removal, so "
            "only those the share goes to now can read what you add. Nothing was uploaded.",
        )
    if opened.access != "read-write":
        raise PermissionDeniedError(
            "This share is read-only for you.", hint="Nothing was uploaded."
        )
    opened.keys.current()  # refused to a member the owner removed


async def add_file(
    opened: OpenedShare, file: Any, path: str, progress: Callable[[int], None]
) -> str:
    """The browser ``File`` sealed here under the newest share key (name and content) while it
    uploads into the member's copy as ``path``; its copies under older keys are removed, so
    the path has one current file. Returns where the ciphertext is stored."""
    check_can_add(opened)
    check_shareable_path(path)
    backend = WebCryptoBackend()
    generation, key = opened.keys.current()
    stored = f"{opened.folder}/{await opened.keys.stored_path(backend, generation, path)}"
    sealer = await stream.FileSealer.create(backend, key, SystemRandom())

    async def send(upload: TusUpload) -> None:
        await stream.seal_stream(sealer, BlobReader(file).read, upload.write)
        await upload.finish()

    length, mtime_ns = stream.sealed_size(int(file.size)), int(file.lastModified) * 1_000_000
    await upload_into_files(stored, length, send, mtime_ns=mtime_ns, progress=progress)
    for older in range(1, generation):
        if older in opened.keys.keys:
            old = f"{opened.folder}/{await opened.keys.stored_path(backend, older, path)}"
            with contextlib.suppress(NotFoundError):
                await call_api("DELETE", f"/storage?{urlencode({'path': old})}")
    return stored


async def _stored_files(folder: str) -> list[str]:
    found: list[str] = []
    after = ""
    while True:
        query = urlencode({"path": folder, "recursive": "true", "after": after})
        page = await call_api("GET", f"/storage?{query}")
        found += [e["path"] for e in page["entries"] if e["kind"] == "file"]
        if page["next_after"] is None:
            return found
        after = str(page["next_after"])


async def _listed(folder: str, keys: ShareKeys) -> list[SealedFile]:
    """Per decrypted path, its newest copy this account holds a key for."""
    newest: dict[str, SealedFile] = {}
    for stored in await _stored_files(folder):
        inside = stored[len(folder) + 1 :]
        generation = generation_of(inside)
        if generation is None or generation not in keys.keys:
            continue  # the keyring, or a file written after this account's access ended
        path = await keys.plain_path(WebCryptoBackend(), inside)
        known = newest.get(path)
        if known is None or known.generation < generation:
            newest[path] = SealedFile(path, stored, generation)
    return sorted(newest.values(), key=lambda item: item.path)


async def decrypt_into(opened: OpenedShare, item: SealedFile, folder: Any) -> tuple[Any, str]:
    """``item`` decrypted into the private folder ``folder``: its file handle and name."""
    source = ResponseReader(await fetch_bytes(_content_url(item.stored)))
    header = await stream.read_header(source.read)
    opener = await stream.FileOpener.create(
        WebCryptoBackend(), opened.keys.key(item.generation), header
    )
    name = safe_name(item.path.rsplit("/", 1)[-1]) or "file"
    create = to_js({"create": True}, dict_converter=js.Object.fromEntries)
    handle = await folder.getFileHandle(name, create)
    sink = WritableSink(await handle.createWritable())
    try:
        await stream.open_stream(opener, source.read, sink.write)
    except BaseException:
        await sink.abort()
        raise
    await sink.close()
    return handle, name
