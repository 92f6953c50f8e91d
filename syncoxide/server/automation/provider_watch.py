"""Arrivals in provider folders: every ``poll_seconds`` each rule on a connection or a share
lists its folder and compares with what it saw last time (``SeenStore``).

A rule's first look at a place only remembers what is there: files that were there before
the rule are not arrivals. Later looks make a job of each file that is new or changed (size
or time) and matches, except results the automation wrote itself. A provider with a changes
feed (Drive, Dropbox) is listed only when its feed reports a change since the last look; the
feed position is kept in memory, so the first look after a restart lists the folder.

A file is an arrival only once it has settled (``syncoxide.engine.settling``): listed with the
same size and time at two looks at least ``quiet`` seconds apart, so a file still being
written (over SFTP, where it grows in place) makes one job, on its whole content. A rule with
files waiting to settle is looked at again when they are due, not a full ``every`` later, so
a file written in one go waits about ``quiet`` seconds after its first sighting. The waits
are kept in memory and written to the database when they change (``SeenStore.keep_waits``),
with when each file was first seen at its size and time; a restarted process takes them back
at its first look at the rule, so a file unchanged meanwhile is handed over once its first
window has passed, not a whole window after the restart. Several processes each wait, and
``SeenStore.arrived`` still lets only one of them make the job. A file is recorded as seen
only in the transaction that makes its job (``SeenStore.handing_over``), so after a restart a
file whose hand-off was cut short is still unrecorded, and the new process makes its one job.
A provider that lists a file only once its writer has finished
(``Features.lists_whole_files``: S3, Drive, Dropbox, a syncoxide server) has nothing to wait
for: its files arrive at the look that first lists them. A file under a name that says its
writer is not done (``photo.jpg.part``, rsync's ``.photo.jpg.Ab3xYz``:
``syncoxide.automation.unfinished``) is not listed as a file at all, however long it keeps
still; the whole file arrives under its own name once renamed.

Each settled file is handed over on its own. One whose hand-off fails (the queue refuses
it, its name breaks the job's payload) gets a failure record of its own in the database
(``syncoxide.automation.handoff_retry``): it is tried again after a growing, capped delay
while the rule's other files are handed over meanwhile, and after a few tries it is given up
until it changes, as a dead job saying why (``give_up``), where the rule's failed jobs show.

A provider that refuses or fails is left alone until the next poll; nothing it holds is
marked seen, so nothing that arrived meanwhile is missed. The connection's ``reconnect``
state is set by the rule runner and the connection check, not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import posixpath
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from syncoxide.automation.handoff_retry import HandoffFailure, HandoffRetry, failed_again
from syncoxide.automation.unfinished import is_unfinished_name
from syncoxide.engine.settling import Settling
from syncoxide.errors import NotFoundError, SyncoxideError
from syncoxide.providers.contract import Entry, EntryKind, Provider
from syncoxide.server.automation.places import RulePlaces, WatchedPlace
from syncoxide.server.automation.rules import SHARE, AutomationRule, AutomationRuleStore
from syncoxide.server.automation.seen import SeenStore, Wait, fingerprint
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.waiting import wait_for_event

log = logging.getLogger("syncoxide.server.automation")
#: One rule's look may take this long; a provider that hangs must not stop everyone's polls.
LOOK_SECONDS = 120.0
#: How long a listed file must keep its size and time before it is an arrival: a writer
#: pausing for less is waited for; 5 s adds little to a 60 s poll (``[automation]
#: quiet_seconds``; 0 turns the wait off). Providers that list only finished files skip it.
QUIET_SECONDS = 5.0
Enqueue = Callable[[AutomationRule, dict[str, Any], str], None]
#: Says a file was given up: (rule, its item, results folder, what happened in words).
GiveUp = Callable[[AutomationRule, dict[str, Any], str, str], None]


def _only_logged(rule: AutomationRule, item: dict[str, Any], _folder: str, message: str) -> None:
    log.warning("automation rule %d: %s", rule.id, message)


@dataclass(frozen=True)
class PollTiming:
    every: float = 60.0  # seconds between a rule's looks (``[automation] poll_seconds``)
    quiet: float = QUIET_SECONDS  # how long a file must stay unchanged to arrive
    #: The wall clock, not a monotonic one: waits are kept in the database and compared by a
    #: restarted process (a monotonic clock starts again at each boot), as the job queue's
    #: times are. A clock stepped forward ends waits early by the step, at worst.
    clock: Callable[[], float] = time.time
    retry: HandoffRetry = field(default_factory=HandoffRetry)  # failed hand-offs of one file
    #: Spreads retries of failed hand-offs (numbers in [0, 1): spacing, not secrets).
    jitter: Callable[[], float] = random.random  # noqa: S311


class ProviderArrivals:
    def __init__(
        self,
        *,
        rules: AutomationRuleStore,
        places: RulePlaces,
        connections: Connections,
        seen: SeenStore,
        enqueue: Enqueue,
        give_up: GiveUp = _only_logged,
        timing: PollTiming = PollTiming(),
    ) -> None:
        self.rules = rules
        self.places = places
        self.connections = connections
        self.seen = seen
        self.enqueue = enqueue
        self.give_up = give_up
        self.every = timing.every
        self.clock = timing.clock
        self.timing = timing
        self.settling: Settling[int] = Settling(timing.quiet)
        self._kept: dict[int, dict[str, Wait]] = {}  # rule id -> its waits as last written
        self._retries: dict[int, float] = {}  # rule id -> its soonest retry of a failed file
        self._feeds: dict[int, str] = {}
        self._due: dict[int, float] = {}  # rule id -> when its next look is due
        self._loop: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.create_task(self._polling())

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop

    def wake(self) -> None:
        """Look now (a rule was added) rather than at the next tick."""
        self._wake.set()

    async def _polling(self) -> None:
        while True:
            try:
                await self.poll()
                pause = self._until_next_look()
            except Exception:
                log.exception("polling provider folders failed; trying again shortly")
                pause = self.every
            if await wait_for_event(self._wake, pause):
                self._wake.clear()
                self._due.clear()  # a new rule: everyone looks now

    def _until_next_look(self) -> float:
        soonest = min(self._due.values(), default=self.clock() + self.every)
        return max(0.0, soonest - self.clock())

    async def poll(self) -> int:
        """Look once at the folder of each polled rule whose look is due (a rule not looked
        at yet is due); how many jobs that made."""
        made = 0
        rules = self.rules.polled()
        ids = {rule.id for rule in rules}
        self._feeds = {k: v for k, v in self._feeds.items() if k in ids}
        self._due = {k: v for k, v in self._due.items() if k in ids}
        self.settling.keep_groups(ids)
        self._kept = {k: v for k, v in self._kept.items() if k in ids}
        self._retries = {k: v for k, v in self._retries.items() if k in ids}
        for rule in rules:
            if self._due.get(rule.id, 0.0) > self.clock():
                continue
            try:
                made += await asyncio.wait_for(self._look(rule), LOOK_SECONDS)
            except TimeoutError:
                log.info("automation rule %d: no answer in %.0f s", rule.id, LOOK_SECONDS)
            except Exception as error:  # one provider's failure must not stop the others
                log.info("automation rule %d: %s", rule.id, error)
            self._due[rule.id] = self._next_look(rule.id)
        return made

    def _next_look(self, rule_id: int) -> float:
        """A poll interval from now, or sooner when files wait to settle or to be retried."""
        later = self.clock() + self.every
        settles = self.settling.due(rule_id)
        soonest = min(later, self._retries.get(rule_id, later))
        return soonest if settles is None else min(soonest, settles)

    async def _look(self, rule: AutomationRule) -> int:
        place = await self.places.of(rule)
        if place.connection is None:
            return 0  # the storage on this server: its writes are heard as they happen
        provider = self.connections.provider(place.connection, place.path)
        try:
            changed = await self._feed_says_changed(rule, provider)
            if not changed and not self.settling.waiting(rule.id) and rule.id not in self._retries:
                return 0
            entries = await _files(provider, rule.target_folder)
            whole = provider.features.lists_whole_files
        finally:
            await close_provider(provider)
        if not self.seen.looked_at(rule.id, place.key):
            self.seen.first_look(rule.id, place.key, entries)
            return 0
        return self._arrivals(rule, place, entries, whole=whole)

    def _arrivals(
        self, rule: AutomationRule, place: WatchedPlace, entries: list[Entry], *, whole: bool
    ) -> int:
        """Jobs for the files that changed since last recorded and have settled (``whole``:
        the provider lists only finished files, so every changed one has)."""
        known = self.seen.fingerprints(rule.id)
        changed = {e.path: e for e in entries if known.get(e.path) != fingerprint(e)}
        held = _held_back(changed, self.seen.handoff_failures(rule.id))
        waiting = {path: entry for path, entry in changed.items() if path not in held}
        settled = self._settled(rule.id, waiting, whole=whole)
        now = self.clock()
        retried = [path for path, failure in held.items() if failure.due(now)]
        made = sum(self._hand_over(rule, place, changed[path], held) for path in settled + retried)
        self._note_retries(rule.id, held)
        self.seen.forget_missing(rule.id, {entry.path for entry in entries})
        return made

    def _note_retries(self, rule_id: int, held: dict[str, HandoffFailure]) -> None:
        """When the rule's next look is due for a failed file (none: no look for them)."""
        retries = [failure.retry_at for failure in held.values() if not failure.given_up]
        self._retries.pop(rule_id, None)
        if retries:
            self._retries[rule_id] = min(retries)

    def _settled(self, rule_id: int, changed: dict[str, Entry], *, whole: bool) -> list[str]:
        """The changed files that have settled; what still waits goes to the database."""
        if rule_id not in self._kept:  # first look of this process: resume the waits
            self._kept[rule_id] = self.seen.waits(rule_id)
            self.settling.resume(rule_id, self._kept[rule_id])
        if whole:
            self.settling.forget(rule_id)  # the rule may have waited on another provider
            settled = list(changed)
        else:
            fingerprints = {path: fingerprint(entry) for path, entry in changed.items()}
            settled = self.settling.look(rule_id, fingerprints, self.clock())
        waits = self.settling.pending(rule_id)
        if waits != self._kept[rule_id]:  # most looks: nothing new waits, nothing to write
            self.seen.keep_waits(rule_id, waits, handing=set(settled))
            self._kept[rule_id] = waits
        return settled

    def _hand_over(
        self,
        rule: AutomationRule,
        place: WatchedPlace,
        entry: Entry,
        held: dict[str, HandoffFailure],
    ) -> int:
        """``_arrived``, a failure of which is recorded for this file alone (in ``held``
        too), so the rule's other files are handed over all the same."""
        try:
            made = self._arrived(rule, place, entry)
        except Exception as error:  # whatever broke, it must not hold the other files back
            before = held.get(entry.path)
            held[entry.path] = self._failed(rule, place, entry, error=error, before=before)
            return 0
        held.pop(entry.path, None)
        return made

    def _failed(
        self,
        rule: AutomationRule,
        place: WatchedPlace,
        entry: Entry,
        *,
        error: Exception,
        before: HandoffFailure | None,
    ) -> HandoffFailure:
        """Record one more failed hand-off of the file, and say so when it is given up."""
        reason, retryable = _reason(error)
        failure = failed_again(
            before,
            fingerprint=fingerprint(entry),
            reason=reason,
            retryable=retryable,
            at=(self.clock(), self.timing.jitter()),
            policy=self.timing.retry,
        )
        log.info("automation rule %d: handing over %r failed: %s", rule.id, entry.path, error)
        try:  # the database may be what failed: the record is then kept for this look only
            self.seen.handoff_failed(rule.id, entry.path, failure)
            if failure.given_up:
                message = _given_up_message(entry.path, failure)
                self.give_up(rule, _item(rule, place, entry), _folder_of(rule, entry.path), message)
        except Exception:
            log.exception("automation rule %d: recording the failure failed", rule.id)
        return failure

    def _arrived(self, rule: AutomationRule, place: WatchedPlace, entry: Entry) -> int:
        """A job for a settled file, unless it is a result of ours or another process's
        poll made it first; how many jobs that made (0 or 1)."""
        assert place.connection is not None
        from_root = posixpath.join(place.path, entry.path) if place.path else entry.path
        with self.seen.handing_over():
            ours = self.seen.is_our_output(place.connection.id, from_root, entry)
            if not self.seen.arrived(rule.id, entry) or ours:
                return 0
            if not rule.matches(entry.path, entry.size):
                return 0
            self.enqueue(rule, _item(rule, place, entry), _folder_of(rule, entry.path))
        return 1

    async def _feed_says_changed(self, rule: AutomationRule, provider: Provider) -> bool:
        feed: Any = provider
        if not hasattr(feed, "changes"):
            return True
        position = self._feeds.get(rule.id)
        if position is None:
            self._feeds[rule.id] = await feed.changes_token()
            return True
        changed, self._feeds[rule.id] = await feed.changes(position)
        return bool(changed)


def _held_back(
    changed: dict[str, Entry], failures: dict[str, HandoffFailure]
) -> dict[str, HandoffFailure]:
    """Changed files whose hand-off failed at the version listed now: they settled already,
    so they wait for their retry, not for a quiet window. A file that changed since starts
    afresh."""
    return {
        path: failure
        for path, failure in failures.items()
        if path in changed and failure.fingerprint == fingerprint(changed[path])
    }


def _reason(error: Exception) -> tuple[str, bool]:
    """What went wrong in words, and whether trying again may help: an error of our tree
    says so itself; anything else (a bug, an IO hiccup) is worth another try, as a job's is."""
    if isinstance(error, SyncoxideError):
        return str(error), error.retryable
    return f"{type(error).__name__}: {error}", True


def _given_up_message(path: str, failure: HandoffFailure) -> str:
    tries = "once" if failure.attempts == 1 else f"{failure.attempts} times"
    return (
        f"{path!r} could not be handed to this rule (tried {tries}): {failure.reason}."
        " Nothing was made from it and the file is untouched. Retry this job to convert it,"
        " or change the file to have it picked up again."
    )


async def _files(provider: Provider, target_folder: str) -> list[Entry]:
    """Every file of the folder, results folder left out (its files are never arrivals), and
    files under a name that says their writer is not done (they arrive once renamed)."""

    def prune(path: str) -> bool:
        return bool(target_folder) and path == target_folder

    found = []
    try:
        async for page in provider.list_tree(prune=prune):
            found += [entry for entry in page if _may_arrive(entry)]
    except NotFoundError:  # not made yet: empty, so what is put there first are arrivals
        return []
    return found


def _may_arrive(entry: Entry) -> bool:
    return entry.kind == EntryKind.FILE and not is_unfinished_name(entry.path)


def _item(rule: AutomationRule, place: WatchedPlace, entry: Entry) -> dict[str, Any]:
    assert place.connection is not None
    return {
        "source": "provider",
        "connection": place.connection.id,
        "share": int(rule.source) if rule.source_kind == SHARE else None,
        "place": place.path,
        "path": entry.path,
        "name": entry.path,
    }


def _folder_of(rule: AutomationRule, path: str) -> str:
    """A target folder inside the watched one, or next to the arrival."""
    return rule.target_folder or posixpath.dirname(path)
