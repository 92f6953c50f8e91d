"""What share links and request-files links do, apart from HTTP.

A link's id is its capability (144 random bits in the URL); a password, when set, is checked
against an Argon2id hash and then remembered in a cookie holding a MAC, under the server's own
signing key, of the link and its password hash: nothing in the database equals a cookie, and a
new password ends every earlier unlock. A counted download hands its client a signed ticket
(``signing.py``) that makes resuming that same download free for a while; only the server can
issue one, and it names the link and what was downloaded.
Finished tus uploads are moved (renamed, not copied) into the blob store under
``links/l<id>/u<upload id>``; their CRC-32 (needed in advance by the zip layout) and SHA-256
were computed by the upload store while the bytes arrived, or are read from disk after a restart.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError

from syncoxide.crypto.format import CHUNK_LOG2_OFFSET, plaintext_size_of
from syncoxide.errors import AuthenticationError, GoneError, NotFoundError, SyncoxideError
from syncoxide.safe_names import sanitized_relative_path, unique_path
from syncoxide.server.accounts.passwords import PASSWORD_HASHER
from syncoxide.server.accounts.service import Clock
from syncoxide.server.events.service import Notifier
from syncoxide.server.links.store import Link, LinkFile, LinkStore
from syncoxide.server.signing import SigningKey
from syncoxide.server.storage.port import BlobStore, User
from syncoxide.server.storage.quota import NO_QUOTA, Quota
from syncoxide.server.tus import Upload, Uploads

_ID_BYTES = 18  # 144 bits: the id in the URL is all a stranger needs


def new_link_id() -> str:
    """A random URL-safe id that never starts with '-': people paste ids into commands
    (``automate add --request ID``), and the command's argument parser would take one that
    starts with '-' for an option. Drawing again costs 1 id in 64 a second draw."""
    while (link_id := secrets.token_urlsafe(_ID_BYTES)).startswith("-"):
        pass
    return link_id


# Big reads: per-chunk overhead (ASGI message, transport write) is what limits a download.
DOWNLOAD_CHUNK = 4 << 20
# A download that started may resume this long after it was counted without counting again.
RESUME_GRACE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class LinkOptions:
    title: str = ""
    message: str = ""
    expires_at: int | None = None
    allow_late: bool = False
    max_downloads: int | None = None
    password: str | None = None
    max_total_bytes: int | None = None
    max_files: int | None = None
    allowed_types: str = ""
    encrypted: bool = False
    public_key: str = ""


class LinkService:
    def __init__(
        self,
        *,
        store: LinkStore,
        blobs: BlobStore,
        uploads: Uploads,
        notifier: Notifier,
        clock: Clock,
        signing: SigningKey,
        quota: Quota = NO_QUOTA,
    ) -> None:
        self.store = store
        self.blobs = blobs
        self.uploads = uploads
        self.notifier = notifier
        self.clock = clock
        self.signing = signing
        self.quota = quota  # per user, over all their links and what else counts against it
        #: Told of every file a request link received, once it is stored (automation rules).
        self.arrival_listeners: list[Callable[[Link, LinkFile], Awaitable[None]]] = []

    async def quota_room(self, user_id: int) -> int | None:
        """How many more bytes the user's links may hold, or None without a quota."""
        return await self.quota.room(user_id, await self.store.bytes_of_user(user_id))

    async def create(self, owner: User, kind: str, options: LinkOptions) -> Link:
        password = options.password or None
        link = Link(
            id=new_link_id(),
            kind=kind,
            user_id=owner.id,
            title=options.title,
            message=options.message,
            created_at=self.clock(),
            expires_at=options.expires_at,
            allow_late=options.allow_late,
            max_downloads=options.max_downloads,
            downloads=0,
            last_download_at=None,
            password_hash=PASSWORD_HASHER.hash(password) if password else None,
            access_secret="",  # unused since migration 11: unlock cookies are MACs (unlock_cookie)
            revoked_at=None,
            max_total_bytes=options.max_total_bytes,
            max_files=options.max_files,
            allowed_types=options.allowed_types,
            encrypted=options.encrypted,
            public_key=options.public_key,
        )
        await self.store.add(link)
        return link

    async def owned(self, owner: User, link_id: str, kind: str) -> Link:
        """The owner's link; someone else's answers exactly like a missing one."""
        link = await self.store.get(link_id)
        if link is None or link.user_id != owner.id or link.kind != kind:
            raise NotFoundError(f"You have no {kind} link with this id.")
        return link

    async def public(self, link_id: str, kind: str) -> Link:
        """The link as a stranger may use it: 404 if unknown, 410 once it is over."""
        link = await self.store.get(link_id)
        if link is None or link.kind != kind:
            raise NotFoundError(
                "No link at this address.", hint="Check that the whole link was copied."
            )
        if link.revoked_at is not None:
            raise GoneError("The owner withdrew this link.", hint="Ask them for a new one.")
        if kind == "share" and link.expires_at is not None and link.expires_at <= self.clock():
            raise GoneError("This link has expired.", hint="Ask the owner for a new one.")
        return link

    def check_not_used_up(self, link: Link) -> None:
        """GoneError once a share's download limit is reached: its page and description say
        so (410) instead of listing files nobody may download any more. A counted visitor's
        ticket still resumes the download it paid for; that path does not ask this."""
        if link.max_downloads is not None and link.downloads >= link.max_downloads:
            raise GoneError(
                "This link reached its download limit.", hint="Ask the owner to share it again."
            )

    def check_password(self, link: Link, password: str) -> str:
        """The cookie value that unlocks ``link``; AuthenticationError on a wrong password."""
        try:
            PASSWORD_HASHER.verify(link.password_hash or "", password)
        except (VerificationError, InvalidHashError):
            raise AuthenticationError(
                "That password is not right.", hint="Check it with the person who sent the link."
            ) from None
        return self.unlock_cookie(link)

    def unlock_cookie(self, link: Link) -> str:
        return self.signing.mac("link-unlock", link.id, link.password_hash or "")

    def unlocked(self, link: Link, cookie: str | None) -> bool:
        if link.password_hash is None:
            return True
        return self.signing.matches(cookie, "link-unlock", link.id, link.password_hash)

    def download_ticket(self, link: Link, scope: str) -> str:
        """A cookie value: this client's download of ``scope`` in ``link`` was counted now."""
        return self.signing.issue("download-ticket", (link.id, scope), self.clock())

    def holds_ticket(self, link: Link, scope: str, ticket: str | None) -> bool:
        """Whether ``ticket`` was issued by this server for ``scope`` in ``link``, at most
        RESUME_GRACE_SECONDS ago and not in the future."""
        subject = (link.id, scope)
        found = self.signing.check(
            ticket, "download-ticket", subject, now=self.clock(), lifetime=RESUME_GRACE_SECONDS
        )
        return found is not None

    async def start_download(self, link: Link, free: bool) -> None:
        """Count a download unless it is ``free`` (see share_routes); GoneError once the
        limit is used up."""
        if free:
            return
        now = self.clock()
        if not await self.store.count_download(link.id, now):
            raise GoneError(
                "This link reached its download limit.", hint="Ask the owner to share it again."
            )
        payload = {"link": link.id, "title": link.title, "downloads": link.downloads + 1}
        await self.notifier.emit(link.user_id, "share.downloaded", payload, now)

    async def keep_upload(self, link: Link, upload: Upload, raw_path: str, late: bool) -> LinkFile:
        """Move a finished upload into the blob store under a safe, unused path."""
        path = unique_path(
            sanitized_relative_path(raw_path), lambda p: self.store.has_path(link.id, p)
        )
        digest = await self.uploads.digests(upload)
        # The blob is written (and fsynced) before the row that points at it exists.
        key = f"links/l{link.id}/u{upload.id}"
        await self.uploads.hand_over(upload, self.blobs, key)
        sizes = (upload.length, digest.crc, digest.sha256.hexdigest())
        file = LinkFile(0, link.id, path, *sizes, key, late, self.clock())
        return await self.store.add_file(file)

    async def plaintext_size(self, file: LinkFile) -> int | None:
        """The decrypted size of a file of an encrypted share, from its header's chunk size
        (the ciphertext adds a header and a tag per chunk); None when it is not well formed."""
        start = b""
        async for chunk in self.blobs.read(file.blob_key, 64, 0, CHUNK_LOG2_OFFSET + 1):
            start += chunk
        try:
            return plaintext_size_of(start, file.size)
        except SyncoxideError:
            return None

    async def file_bytes(
        self, file: LinkFile, start: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        async for chunk in self.blobs.read(file.blob_key, DOWNLOAD_CHUNK, start, length):
            yield chunk
