"""Change digests by mail: at most one message per share and person per ``digest_minutes``.

Changes are recorded by the runner as notices for the party they crossed to. Each tick, every
(share, person) with unmailed changes whose last digest is old enough gets one message
listing them, with an unsubscribe link (``List-Unsubscribe`` and ``List-Unsubscribe-Post`` for
one-click, RFC 8058). The link carries a MAC of the share and the person under the server's
signing key: it is the only right it needs, and it can stop only that share's digests for that
person. Someone unsubscribed, without an address, or on a server whose email is off gets no
mail; their changes are marked done so a later change of settings sends no backlog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide.server.accountshares.notices import log
from syncoxide.server.accountshares.store import AccountShareStore, ShareChange
from syncoxide.server.mail.outbox import Mailer
from syncoxide.server.signing import SigningKey
from syncoxide.server.storage.port import MetadataStore

PURPOSE = "share-unsubscribe"
LISTED = 100


def unsubscribe_path(signing: SigningKey, share_id: int, user_id: int) -> str:
    mac = signing.mac(PURPOSE, str(share_id), str(user_id))
    return f"/unsubscribe/{share_id}.{user_id}.{mac}"


def read_ticket(signing: SigningKey, ticket: str) -> tuple[int, int] | None:
    """(share id, user id) of a genuine unsubscribe ticket, else None."""
    share, _, rest = ticket.partition(".")
    user, _, mac = rest.partition(".")
    if not (share.isdecimal() and user.isdecimal() and len(share) < 19 and len(user) < 19):
        return None
    if not signing.matches(mac, PURPOSE, share, user):
        return None
    return int(share), int(user)


class Digests:
    def __init__(
        self,
        store: AccountShareStore,
        users: MetadataStore,
        mailer: Mailer,
        *,
        signing: SigningKey,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.users = users
        self.mailer = mailer
        self.signing = signing
        self.clock = clock

    @property
    def minutes(self) -> int:
        return self.mailer.settings.digest_minutes if self.mailer.settings else 0

    async def send_due(self) -> int:
        """Send every digest that is due; how many went."""
        sent = 0
        now = self.clock()
        for share_id, user_id, unsubscribed in self.store.digests_due(now - self.minutes * 60):
            changes = self.store.unmailed(share_id, user_id)
            if not changes:
                continue
            address = self.store.address_of(user_id)
            if unsubscribed or address is None or not self.mailer.on:
                self.store.mark_mailed(share_id, user_id, changes[-1].id)
                continue
            if await self._send(address, share_id, user_id, changes):
                sent += 1
            self.store.digest_sent(share_id, user_id, now)  # a refused one is not retried at once
            self.store.mark_mailed(share_id, user_id, changes[-1].id)
        return sent

    async def _send(
        self, address: str, share_id: int, user_id: int, changes: Sequence[ShareChange]
    ) -> bool:
        share = self.store.get(share_id)
        if share is None:
            return False
        names = await self._names({c.actor_id for c in changes})
        lines = [f"Changes in {share.name!r}:", ""]
        for change in changes[:LISTED]:
            lines.append(f"  {names[change.actor_id]} {change.action} {change.path}")
        if len(changes) > LISTED:
            lines.append(f"  ... and {len(changes) - LISTED} more")
        stop = share.base_url + unsubscribe_path(self.signing, share_id, user_id)
        lines += ["", f"Stop these emails for this share: {stop}", ""]
        headers = {
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        subject = f"{len(changes)} changes in {share.name!r}"
        try:
            await self.mailer.send(address, subject, "\n".join(lines), headers)
        except SyncoxideError as error:
            log.warning("digest of share %d to user %d not sent: %s", share_id, user_id, error)
            return False
        return True

    async def _names(self, user_ids: set[int]) -> dict[int, Any]:
        names = {}
        for user_id in user_ids:
            user = await self.users.user_by_id(user_id)
            names[user_id] = (user.display_name or user.name) if user else "Someone"
        return names
