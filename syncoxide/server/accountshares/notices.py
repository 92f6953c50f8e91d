"""Telling the other party: a live event always, an email when the server sends mail.

Mail here is a courtesy on top of the live notice: when email is off, the person has no
address, or the mail server refuses, the event still stands and the action still happened
(the refusal is logged, never shown to the other party as a failure of their action).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide.server.accountshares.store import AccountShareStore
from syncoxide.server.events.service import Notifier
from syncoxide.server.mail.outbox import Mailer

log = logging.getLogger("syncoxide.server.accountshares")


class Notices:
    def __init__(
        self,
        store: AccountShareStore,
        notifier: Notifier,
        mailer: Mailer,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.mailer = mailer
        self.clock = clock

    async def tell(
        self,
        user_id: int,
        kind: str,
        payload: dict[str, Any],
        *,
        mail: tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> bool:
        """Emit ``kind`` to ``user_id``; mail them ``(subject, text)`` too if possible.
        True when a message was handed to the mail server."""
        await self.notifier.emit(user_id, kind, payload, self.clock())
        address = self.store.address_of(user_id)
        if mail is None or address is None or not self.mailer.on:
            return False
        try:
            await self.mailer.send(address, mail[0], mail[1], headers)
        except SyncoxideError as error:
            log.warning("mail about %s to user %d not sent: %s", kind, user_id, error)
            return False
        return True
