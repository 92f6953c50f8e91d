"""Which folder of which provider a polled rule watches, found afresh at each use.

A ``connection`` rule names one of its owner's connections by id and a folder in it. A
``share`` rule names an accepted account share; it watches the share's place on its owner's
side: for the recipient where the share lands, for the owner where it comes from. A share
that was revoked, left or not yet placed watches nothing (nor does an end-to-end encrypted
one: the server cannot read its files), and a job made from it while it
still was fails with a message saying so. A place in the account's storage on this server
(``connection`` None) is not polled: writes there are heard as they happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import InvalidInputError, NotFoundError
from syncoxide.server.accountshares.store import ACCEPTED, AccountShareStore
from syncoxide.server.automation.rules import CONNECTION, SHARE, AutomationRule
from syncoxide.server.rules.store import Connection, RuleStore


@dataclass(frozen=True)
class WatchedPlace:
    connection: Connection | None  # None: the account's storage on this server
    path: str

    @property
    def key(self) -> str:
        """Names the place in ``automation_watches``: a new place is looked at afresh."""
        return f"{self.connection.id if self.connection else 'home'}:{self.path}"


class RulePlaces:
    def __init__(self, connections: RuleStore, shares: AccountShareStore) -> None:
        self.connections = connections
        self.shares = shares

    async def of(self, rule: AutomationRule) -> WatchedPlace:
        """The place ``rule`` watches now; ``NotFoundError`` saying why it watches none."""
        if rule.source_kind == CONNECTION and rule.connection_id is not None:
            return WatchedPlace(await self._connection(rule.user_id, rule.connection_id),
                                rule.source)  # fmt: skip
        if rule.source_kind == SHARE:
            return await self.of_share(rule.user_id, int(rule.source))
        raise NotFoundError(f"Rule {rule.name!r} watches no provider folder.")

    async def of_share(self, user_id: int, share_id: int) -> WatchedPlace:
        share = self.shares.of_party(user_id, share_id)
        if share is not None and share.encrypted:
            raise InvalidInputError(
                f"Account share {share_id} is end-to-end encrypted: the server cannot read its"
                " files, so it cannot convert them.",
                hint="Convert the files after they are decrypted on your device.",
            )
        if share is None or share.state != ACCEPTED:
            raise NotFoundError(
                f"Account share {share_id} is not one you take part in any more.",
                hint="It was revoked, left or declined; nothing was changed.",
            )
        if share.recipient_id == user_id:
            if not share.placed:
                raise NotFoundError(
                    f"Account share {share_id} has no place of yours yet.",
                    hint="Choose where it lands first.",
                )
            where, path = share.dest_id, share.dest_path
        else:
            where, path = share.source_id, share.source_path
        connection = None if where is None else await self._connection(user_id, where)
        return WatchedPlace(connection, path)

    async def _connection(self, user_id: int, connection_id: int) -> Connection:
        found = await self.connections.connection(user_id, connection_id)
        if found is None:
            raise NotFoundError("The connection this rule watches was deleted.")
        return found
