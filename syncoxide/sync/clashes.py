"""Name clashes: two names on one side that this pair must treat as one.

A pair matches names after Unicode NFC normalization (macOS writes NFD, Linux keeps whatever
bytes it was given) and, when either side ignores case (NTFS, APFS, Dropbox), after case
folding. A side that keeps names exactly can still hold ``café`` twice (NFC and NFD) or
``Report.txt`` beside ``report.txt``; the other side can hold only one of them. Syncing both
would make one overwrite the other there, and whichever was listed last would win.

So a clash stops that name, and only that name: every file under the clashing key, on both
sides, is left exactly as it is and reported as skipped with the names involved; the rest of
the run goes on, and bisync keeps the key's previous record so nothing looks deleted next time.
Syncthing reports the same situation as a per-file "case conflict"; rclone syncs one of the
names and ignores the other with a notice. Renaming one of the names ends the clash.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from syncoxide.byte_names import display
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.listing import Listing
from syncoxide.sync.plan import Side, Skipped

CLASH = "name clash"


def set_aside_clashes(sides: dict[Side, Listing], *, folding: Iterable[Side]) -> set[str]:
    """Take every clashing key out of both listings, report it, and return the keys.

    ``folding`` names the sides that ignore case (for the message)."""
    folds = sorted(side.value for side in folding)
    blocked: set[str] = set()
    for side, listing in sides.items():
        for key, entries in sorted(listing.clashes.items()):
            blocked.add(key)
            reason = clash_reason(entries, folds)
            listing.skipped += [Skipped(side, entry.path, reason) for entry in entries]
    for side, listing in sides.items():
        other = side.other.value
        for key in sorted(blocked & listing.files.keys()):
            entry = listing.files.pop(key)
            listing.held[key] = entry
            listing.skipped.append(
                Skipped(side, entry.path, f"{CLASH} on {other}: left as it is until resolved there")
            )
    return blocked


def clash_reason(entries: list[Entry], folds: list[str]) -> str:
    """Why these names cannot sync, and what to do, in one line."""
    paths = sorted(entry.path for entry in entries)
    in_case = len({unicodedata.normalize("NFC", path) for path in paths}) > 1
    in_form = any(not unicodedata.is_normalized("NFC", path) for path in paths)
    if in_form:  # the names may look the same: say which form each one is in
        names = " and ".join(f"{display(path)!r} ({_form(path)})" for path in paths)
    else:
        names = " and ".join(repr(display(path)) for path in paths)
    if in_case:
        who = " and ".join(folds) or "the other side"
        verb = "ignore" if len(folds) > 1 else "ignores"
        why = "in case and Unicode form" if in_form else "in case"
        why += f", and {who} {verb} case"
    else:
        why = "in Unicode form"
    kinds = " (a file and a folder)" if any(e.kind is EntryKind.DIR for e in entries) else ""
    return f"{CLASH}: {names} differ only {why}{kinds}; neither is synced, rename one of them"


def _form(name: str) -> str:
    if unicodedata.is_normalized("NFC", name):
        return "NFC"
    return "NFD" if unicodedata.is_normalized("NFD", name) else "mixed form"
