"""Saved bisync pair state: what both sides looked like after the last successful run.

Stored as UTF-8 JSON (small, diffable, readable in Pyodide without extra wheels); a name that
is not valid UTF-8 is kept as ``\\udcXX`` escapes (``syncoxide.byte_names``)::

    {"format": "syncoxide-pair-state", "version": 2,
     "files": [[key, path1, size1, mtime_ns1, {hashes1}, file_id1,
                     path2, size2, mtime_ns2, {hashes2}, file_id2]...],
     "dirs": [key, ...]}

``file_id`` is the provider's name for the file whatever its path (``Entry.file_id``, "" for
none). Version 1 rows lack both ``file_id`` fields and are still read (as "").

A key is only recorded when both sides held it after the run; a key whose action failed keeps
its previous record, so the next run sees the change again instead of forgetting it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from syncoxide.byte_names import json_bytes
from syncoxide.errors import JournalError
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.paths import ancestors

STATE_FORMAT = "syncoxide-pair-state"
STATE_VERSION = 2
#: Fields per side in a row, by version.
_SIDE_FIELDS = {1: 4, 2: 5}


@dataclass(frozen=True)
class PairRecord:
    one: Entry
    two: Entry


@dataclass
class PairState:
    files: dict[str, PairRecord] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)


def _entry_fields(entry: Entry) -> list[Any]:
    return [entry.path, entry.size, entry.mtime_ns, entry.hashes, entry.file_id]


def _entry_from(fields: list[Any]) -> Entry:
    path, size, mtime_ns, hashes, *file_id = fields
    return Entry(
        str(path),
        EntryKind.FILE,
        int(size),
        int(mtime_ns),
        dict(hashes),
        file_id=str(file_id[0]) if file_id else "",
    )


def encode_state(state: PairState) -> bytes:
    files = [
        [key, *_entry_fields(rec.one), *_entry_fields(rec.two)]
        for key, rec in sorted(state.files.items())
    ]
    body = {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        "files": files,
        "dirs": sorted(state.dirs),
    }
    return json_bytes(body)


def decode_state(blob: bytes) -> PairState:
    try:
        body = json.loads(blob.decode())
        if not isinstance(body, dict) or body.get("format") != STATE_FORMAT:
            raise ValueError("unknown format")
        width = _SIDE_FIELDS.get(body.get("version", 0))
        if width is None:
            raise ValueError(f"unknown version {body.get('version')!r}")
        files = {}
        for row in body["files"]:
            if len(row) != 1 + 2 * width:
                raise ValueError(f"a row of {len(row)} fields")
            one, two = row[1 : 1 + width], row[1 + width :]
            files[row[0]] = PairRecord(_entry_from(one), _entry_from(two))
        return PairState(files, set(body["dirs"]))
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise JournalError(
            f"The saved bisync state cannot be read ({error}).",
            hint="No file was changed. Move the state file aside to start the pair afresh; "
            "a fresh run keeps both versions of files that differ.",
        ) from error


def state_after(
    old: PairState,
    files_one: Mapping[str, Entry],
    files_two: Mapping[str, Entry],
    *,
    dirs_both: Set[str],
    failed_keys: Set[str],
) -> PairState:
    """The state to save after a run, from each side's view as the run left it."""
    new = PairState()
    for key in files_one.keys() & files_two.keys():
        if key not in failed_keys:
            new.files[key] = PairRecord(files_one[key], files_two[key])
    for key in failed_keys:
        if key in old.files:
            new.files[key] = old.files[key]
    new.dirs = set(dirs_both)
    for key in new.files:
        new.dirs.update(ancestors(key))
    return new
