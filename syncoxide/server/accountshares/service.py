"""Account-to-account shares: invite, answer, revoke, leave; what each party may see.

The owner names a place of theirs (``PROVIDER:path``) and another account by name or by the
address the operator gave it. The recipient accepts into a place of theirs, or declines; the
owner may revoke at any time and the recipient may leave an accepted share. Each step tells
the other party (live event, and mail when the server sends mail). Once accepted and placed,
the ``ShareScheduler`` keeps the two places in step. Revoking or leaving stops that; the
recipient's copy stays theirs (nothing is deleted on anyone's side).

Every read takes the caller's id: a third account finds nothing, as for a share that does not
exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from syncoxide.errors import GoneError, NotFoundError, PermissionDeniedError, UsageError
from syncoxide.server.accountshares.keys import require_keys, share_keys_json
from syncoxide.server.accountshares.notices import Notices
from syncoxide.server.accountshares.placed import placed_before_write
from syncoxide.server.accountshares.places import Place, describe, resolve
from syncoxide.server.accountshares.store import (
    ACCEPTED,
    DECLINED,
    INVITED,
    LEFT,
    READ_ONLY,
    READ_WRITE,
    REVOKED,
    AccountShare,
    AccountShareStore,
)
from syncoxide.server.files.names import is_under
from syncoxide.server.mail.outbox import check_address, looks_like_address
from syncoxide.server.rules.connections import close_provider
from syncoxide.server.rules.service import RuleService
from syncoxide.server.storage.port import MetadataStore, User

DEFAULT_FOLDER = "Shared"


@dataclass(frozen=True)
class SharedWithMe:
    share: AccountShare
    owner: str  # the owner's account name
    location: str  # PROVIDER:path where the recipient's copy lives


class AccountShareService:
    def __init__(
        self,
        store: AccountShareStore,
        users: MetadataStore,
        rules: RuleService,
        notices: Notices,
        *,
        clock: Callable[[], int],
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.users = users
        self.rules = rules
        self.notices = notices
        self.clock = clock
        self.wake = wake
        self.scheduler: Any = None  # the app's ShareScheduler, started by its lifespan

    # -- who and where -------------------------------------------------------------------

    async def recipient(self, owner: User, to: str) -> User:
        wanted = to.strip()
        if looks_like_address(wanted):
            user_id = self.store.user_with_address(check_address(wanted))
            found = await self.users.user_by_id(user_id) if user_id is not None else None
        else:
            found = await self.users.user_by_name(wanted)
        if found is None:
            raise NotFoundError(
                f"No account here is called or reached at {wanted!r}.",
                hint="Check the name, or ask the server's operator for the account's name.",
            )
        if found.id == owner.id:
            raise UsageError("You cannot share with yourself.", hint="Name another account.")
        return found

    async def _checked_place(self, user_id: int, text: str) -> Place:
        place, connection = await resolve(self.rules.store, user_id, text)
        # Building the provider checks the path against the provider's type.
        await close_provider(self.rules.connections.provider(connection, place.path))
        return place

    def _places_of(self, user_id: int, skip: int) -> list[Place]:
        """Every place of ``user_id`` that an accepted share already uses."""
        places = []
        for share in self.store.placed_for(user_id):
            if share.id == skip:
                continue
            if share.owner_id == user_id:
                places.append(Place(user_id, share.source_id, share.source_path))
            if share.recipient_id == user_id:
                places.append(Place(user_id, share.dest_id, share.dest_path))
        return places

    # -- the owner's steps ---------------------------------------------------------------

    async def invite(self, owner: User, body: dict[str, Any], base_url: str) -> AccountShare:
        recipient = await self.recipient(owner, body["to"])
        if body.get("encrypted"):
            require_keys(self.store, owner, recipient)
        source = await self._checked_place(owner.id, body["place"])
        now = self.clock()
        expires_in = body.get("expires_in")
        name = source.path.rsplit("/", 1)[-1] or body["place"].partition(":")[0]
        share = self.store.add(
            AccountShare(
                id=0,
                owner_id=owner.id,
                recipient_id=recipient.id,
                source_id=source.connection_id,
                source_path=source.path,
                name=name,
                access=READ_ONLY if body.get("read_only") else READ_WRITE,
                state=INVITED,
                expires_at=now + expires_in if expires_in else None,
                created_at=now,
                answered_at=None,
                base_url=base_url,
                encrypted=bool(body.get("encrypted")),
            )
        )
        await self._tell_invited(owner, recipient, share)
        return share

    async def _tell_invited(self, owner: User, recipient: User, share: AccountShare) -> None:
        who = owner.display_name or owner.name
        access = "to read" if share.access == READ_ONLY else "to read and change"
        sealed = " (end-to-end encrypted)" if share.encrypted else ""
        text = (
            f"{who} invites you {access} the folder {share.name!r}{sealed}.\n\n"
            f"Accept or decline it under Shared with me:\n\n{share.base_url}/#/shares\n\n"
            f"or with: syncoxide shares accept {share.id} [--place PROVIDER:path]\n"
        )
        await self.notices.tell(
            recipient.id,
            "share.invited",
            {"share_id": share.id, "from": owner.name, "name": share.name, "access": share.access},
            mail=(f"{who} shared {share.name!r} with you", text),
        )

    async def revoke(self, owner: User, share_id: int) -> AccountShare:
        share = await self._as_owner(owner, share_id)
        if share.state not in (INVITED, ACCEPTED):
            raise UsageError(f"This share is {share.state} already; there is nothing to revoke.")
        share = replace(share, state=REVOKED, answered_at=self.clock())
        self.store.save(share)
        await self._tell_other(share, share.recipient_id, "share.revoked", "stopped sharing")
        return share

    # -- the recipient's steps -----------------------------------------------------------

    async def accept(self, recipient: User, share_id: int, place: str | None) -> AccountShare:
        share = await self._as_recipient(recipient, share_id)
        self._check_answerable(share)
        text = place or f"home:{DEFAULT_FOLDER}/{share.name}"
        dest = await self._checked_place(recipient.id, text)
        if any(dest.overlaps(other) for other in self._places_of(recipient.id, share.id)):
            raise UsageError(
                f"{text} overlaps a folder another share already uses.",
                hint="Pick a folder of its own: shares that nest could copy into each other.",
            )
        now = self.clock()
        share = replace(
            share,
            state=ACCEPTED,
            answered_at=now,
            placed=True,
            dest_id=dest.connection_id,
            dest_path=dest.path,
            next_sync_at=now,
            sync_status="idle",
        )
        self.store.save(share)
        await self._tell_other(share, share.owner_id, "share.accepted", "accepted")
        self.wake()
        return share

    async def decline(self, recipient: User, share_id: int) -> AccountShare:
        share = await self._as_recipient(recipient, share_id)
        self._check_answerable(share)
        share = replace(share, state=DECLINED, answered_at=self.clock())
        self.store.save(share)
        await self._tell_other(share, share.owner_id, "share.declined", "declined")
        return share

    async def leave(self, recipient: User, share_id: int) -> AccountShare:
        share = await self._as_recipient(recipient, share_id)
        if share.state != ACCEPTED:
            raise UsageError(f"This share is {share.state}; only an accepted share can be left.")
        share = replace(share, state=LEFT, answered_at=self.clock())
        self.store.save(share)
        await self._tell_other(share, share.owner_id, "share.left", "left")
        return share

    def _check_answerable(self, share: AccountShare) -> None:
        if share.state == REVOKED:
            raise GoneError(
                "The owner withdrew this invitation.", hint="Ask them to share it again."
            )
        if share.state != INVITED:
            raise UsageError(f"This invitation was {share.state} already.")
        if share.expires_at is not None and share.expires_at <= self.clock():
            raise GoneError("This invitation has expired.", hint="Ask the owner to share again.")

    # -- both ----------------------------------------------------------------------------

    async def sync_now(self, user: User, share_id: int) -> AccountShare:
        share = await self.visible(user, share_id)
        if share.state != ACCEPTED or not share.placed:
            raise UsageError("Only an accepted share is kept in step.")
        self.store.make_due(share.id, self.clock())
        self.wake()
        return share

    async def visible(self, user: User, share_id: int) -> AccountShare:
        share = self.store.of_party(user.id, share_id)
        if share is None:
            raise NotFoundError(f"You have no share {share_id}.")
        return share

    async def _as_owner(self, user: User, share_id: int) -> AccountShare:
        share = await self.visible(user, share_id)
        if share.owner_id != user.id:
            raise PermissionDeniedError("Only the share's owner can do that.")
        return share

    async def _as_recipient(self, user: User, share_id: int) -> AccountShare:
        share = await self.visible(user, share_id)
        if share.recipient_id != user.id:
            raise PermissionDeniedError("Only the account it was shared with can do that.")
        return share

    async def _tell_other(self, share: AccountShare, user_id: int, kind: str, verb: str) -> None:
        actor_id = share.owner_id if user_id == share.recipient_id else share.recipient_id
        actor = await self.users.user_by_id(actor_id)
        who = (actor.display_name or actor.name) if actor else "Someone"
        await self.notices.tell(
            user_id,
            kind,
            {"share_id": share.id, "by": actor.name if actor else "", "name": share.name},
            mail=(f"{who} {verb} {share.name!r}", f"{who} {verb} the share {share.name!r}.\n"),
        )

    # -- what the API shows ----------------------------------------------------------------

    async def list_json(self, user: User) -> list[dict[str, Any]]:
        """Every share of ``user``, each other account looked up once however many shares."""
        names: dict[int, str] = {}
        return [await self.as_json(user, share, names) for share in self.store.of_user(user.id)]

    async def as_json(
        self, user: User, share: AccountShare, names: dict[int, str] | None = None
    ) -> dict[str, Any]:
        names = {} if names is None else names
        for user_id in (share.owner_id, share.recipient_id):
            if user_id not in names:
                found = await self.users.user_by_id(user_id)
                names[user_id] = found.name if found else ""
        mine = share.owner_id == user.id
        place = None
        if mine:
            place = await describe(
                self.rules.store, Place(user.id, share.source_id, share.source_path)
            )
        elif share.placed:
            place = await describe(self.rules.store, Place(user.id, share.dest_id, share.dest_path))
        return {
            "id": share.id,
            "role": "owner" if mine else "recipient",
            "owner": names[share.owner_id],
            "recipient": names[share.recipient_id],
            "name": share.name,
            "place": place,
            "access": share.access,
            "state": share.state,
            "expires_at": share.expires_at,
            "created_at": share.created_at,
            "answered_at": share.answered_at,
            "sync_status": share.sync_status,
            "sync_message": share.sync_message,
            "last_sync_at": share.last_sync_at,
            "encrypted": share.encrypted,
        }

    async def keys_json(self, user: User, share_id: int) -> dict[str, Any]:
        """Both parties' public keys and fingerprints, for the two parties alone."""
        share = await self.visible(user, share_id)
        names: dict[int, str] = {}
        await self.as_json(user, share, names)
        return share_keys_json(self.store, share, names)

    async def shared_with(self, user: User) -> list[SharedWithMe]:
        """Accepted shares whose copy lands in ``user``'s places: from whom, and where (the
        global view's "Shared with me"). Only the recipient's own: owners are not listed."""
        found: list[SharedWithMe] = []
        for share in self.store.placed_for(user.id):
            if share.recipient_id != user.id:
                continue
            owner = await self.users.user_by_id(share.owner_id)
            place = await describe(self.rules.store, Place(user.id, share.dest_id, share.dest_path))
            found.append(SharedWithMe(share, owner.name if owner else "", place))
        return found

    # -- the read-only guard for the storage API -------------------------------------------

    def refused_write(self, user_id: int, path: str) -> str | None:
        """Why ``user_id`` may not write ``path`` of their storage through the API, or None.

        A read-only share placed in the recipient's storage is the owner's to change; the
        server's own sync writes there through the provider, not the API."""
        target = Place(user_id, None, path.strip("/"))
        for share in placed_before_write(self.store, user_id):
            if share.recipient_id != user_id or share.access != READ_ONLY:
                continue
            folder = share.dest_path
            # Inside it, or a folder holding it (deleting or moving that would take it along).
            if share.dest_id is None and (is_under(target.path, folder) or is_under(folder, path)):
                return f"{path!r} is in {share.name!r}, shared with you read-only."
        return None
