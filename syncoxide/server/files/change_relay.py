"""Changes to users' own files, carried to the other instances of a deployment.

The file service tells each change to its listeners in this process right after committing it
(files/changes.py). Some listeners keep what they learn in this process's memory and must hear
of every change, whichever instance took it: the storage change feed (a long poll waiting on
one instance wakes when an upload lands on another), run-on-write (a rule running on one
instance runs again once its run ended) and account shares (the "changed during the run" mark
of a share running elsewhere). They listen ``everywhere``. Listeners whose effect is in the
shared database (the catalog's index, the automation queue) stay local, so the instance that
took the write does it once.

With a bus, this relay publishes each change on the ``files.changes`` broadcast and hands the
other instances' changes to the ``everywhere`` listeners. Openings (downloads) are not sent:
no ``everywhere`` listener keeps them. Without a bus there is no relay, and nothing changes.
"""

from __future__ import annotations

from syncoxide.server.bus.broadcast import Broadcast
from syncoxide.server.bus.port import Message
from syncoxide.server.files.changes import OPENED, ChangeFanout, FileChange

CHANNEL = "files.changes"


def change_message(change: FileChange) -> Message:
    return {"user": change.user_id, "what": change.what, "path": change.path,
            "before": change.before, "position": change.position}  # fmt: skip


def change_of(message: Message) -> FileChange:
    """The change a message carries; ``ValueError`` when it carries none. One without a
    position (an older instance's) gets 0, which the change feed takes as "look at all"."""
    user, what, path, before = (message.get(k) for k in ("user", "what", "path", "before"))
    if not (isinstance(user, int) and isinstance(what, str)):
        raise ValueError(f"not a file change: {message!r}")
    if not (isinstance(path, str) and isinstance(before, str)):
        raise ValueError(f"not a file change: {message!r}")
    position = message.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ValueError(f"not a change position: {position!r}")
    return FileChange(user, what, path, before, position)


class FileChangeRelay:
    def __init__(self, broadcast: Broadcast, changes: ChangeFanout) -> None:
        self.broadcast = broadcast
        changes.listen(self.send)
        broadcast.on_message(lambda message: changes.heard(change_of(message)))

    def send(self, change: FileChange) -> None:
        """The file service's listener: a change committed here, for the others."""
        if change.what != OPENED:
            self.broadcast.send(change_message(change))

    async def start(self) -> None:
        await self.broadcast.start()

    async def stop(self) -> None:
        await self.broadcast.stop()
