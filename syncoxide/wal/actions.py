"""Plan actions as journal JSON: ``{"k": kind, "s": side, "p": path, ...}``, short keys.

A step of a move chain adds ``"ch"`` (the chain, from 1) and ``"st"`` (its order in the
chain, from 1); a resumed run replays the chain's pending steps in that order.

Entries are ``[path, size, mtime_ns, {hashes}]`` (files only: actions never carry folders'
details beyond the path). Unknown keys are ignored when reading.
"""

from __future__ import annotations

from typing import Any

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.plan import Action, ActionKind, Side


def _entry_json(entry: Entry | None) -> list[Any] | None:
    if entry is None:
        return None
    return [entry.path, entry.size, entry.mtime_ns, entry.hashes, entry.kind.value]


def _entry_from(fields: list[Any] | None) -> Entry | None:
    if fields is None:
        return None
    path, size, mtime_ns, hashes, kind = fields
    return Entry(path, EntryKind(kind), size, mtime_ns, dict(hashes))


def action_to_json(action: Action) -> dict[str, Any]:
    body: dict[str, Any] = {
        "k": action.kind.value,
        "s": action.side.value,
        "p": action.path,
        "r": action.reason,
        "key": action.key,
    }
    if action.source_path is not None:
        body["sp"] = action.source_path
    if action.source is not None:
        body["src"] = _entry_json(action.source)
    if action.target is not None:
        body["dst"] = _entry_json(action.target)
    if action.backup:
        body["bak"] = 1
    if action.delete_source:
        body["dels"] = 1
    if action.chain:
        body["ch"], body["st"] = action.chain, action.step
    return body


def action_from_json(body: dict[str, Any]) -> Action:
    return Action(
        kind=ActionKind(body["k"]),
        side=Side(body["s"]),
        path=body["p"],
        reason=body.get("r", ""),
        source_path=body.get("sp"),
        source=_entry_from(body.get("src")),
        target=_entry_from(body.get("dst")),
        backup=bool(body.get("bak")),
        delete_source=bool(body.get("dels")),
        key=body.get("key", ""),
        chain=int(body.get("ch", 0)),
        step=int(body.get("st", 0)),
    )
