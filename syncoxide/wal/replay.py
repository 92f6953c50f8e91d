"""Replay rules: what a journal left by an interrupted run still owes.

- No SEALED record: the plan was never complete, so no side effect started. Nothing to resume.
- FINISH present: every action was attempted. Nothing to resume.
- PART records say which ranges of a big file's partial object were stored (by digest); the
  resumed copy re-reads and re-checks each before trusting it.
- Otherwise every action without a DONE record is pending (FAILED ones too: a new run may
  succeed). The executor re-checks each pending action against what is there now before
  acting, so replaying an action that did commit (its DONE lost in the crash) changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from syncoxide.errors import JournalError
from syncoxide.sync.plan import Action
from syncoxide.wal.actions import action_from_json
from syncoxide.wal.codec import RecordKind, decode_part, iter_records, split_index


@dataclass
class JournalReplay:
    header: dict[str, Any] = field(default_factory=dict)
    actions: dict[int, Action] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    failed: dict[int, str] = field(default_factory=dict)
    sealed: bool = False
    finished: bool = False
    #: action index -> {offset: (length, digest)} of ranges stored by a copy in parts.
    parts: dict[int, dict[int, tuple[int, str]]] = field(default_factory=dict)

    @property
    def needs_resume(self) -> bool:
        return self.sealed and not self.finished and bool(self.pending())

    def pending(self) -> list[tuple[int, Action]]:
        return [(i, a) for i, a in sorted(self.actions.items()) if i not in self.done]


def _apply(replay: JournalReplay, kind: int, payload: bytes) -> None:
    if kind == RecordKind.BEGIN:
        replay.header = json.loads(payload.decode())
    elif kind == RecordKind.ACTION:
        index, body = split_index(payload)
        replay.actions[index] = action_from_json(json.loads(body.decode()))
    elif kind == RecordKind.SEALED:
        (count,) = (split_index(payload)[0],)
        if count != len(replay.actions):
            raise JournalError(
                f"The sync journal lists {len(replay.actions)} actions but was sealed with "
                f"{count}.",
                hint="No file was changed by this check. Move the journal aside and run again.",
            )
        replay.sealed = True
    elif kind == RecordKind.DONE:
        replay.done.add(split_index(payload)[0])
    elif kind == RecordKind.FAILED:
        index, message = split_index(payload)
        replay.failed[index] = message.decode(errors="replace")
    elif kind == RecordKind.PART:
        index, offset, length, digest = decode_part(payload)
        replay.parts.setdefault(index, {})[offset] = (length, digest)
    elif kind == RecordKind.FINISH:
        replay.finished = True


def replay_journal(blob: bytes) -> JournalReplay:
    replay = JournalReplay()
    for record in iter_records(blob):
        _apply(replay, record.kind, record.payload)
    return replay
