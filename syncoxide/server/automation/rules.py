"""Automation rules: "when a file arrives in PLACE and matches WHAT, make OUTPUT into FOLDER".

A rule names its source (a request link by id, a folder of the user's server storage, a
folder of one of their connections, or an accepted account share by id), an
optional match (kinds of file, a name pattern, a size ceiling), the output as a file type
(``pdf``, ``jpg``, ``mp4``, ``mp3``...) or ``/`` for "unpack", and the target folder. The action
is picked by ``plan_conversion`` from the arriving name and that output, exactly as
``syncoxide convert`` picks it. ``combine`` gathers arrivals that come close together into
one job (scans into one PDF). For a connection or a share the target folder is inside the
watched folder, and "" puts each result next to its arrival. ``original`` keeps the arrival
where it is, or moves it beside the result once the result is stored.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from syncoxide.automation.actions import (
    ARCHIVE_SUFFIXES,
    IMAGE_SUFFIXES,
    MEDIA_SUFFIXES,
    OFFICE_SUFFIXES,
    ActionOptions,
    ConversionPlan,
    plan_conversion,
    suffix_of,
)
from syncoxide.errors import InvalidInputError, UsageError
from syncoxide.server.storage.database import Database
from syncoxide.server.storage.records import RecordTable

REQUEST, FOLDER, CONNECTION, SHARE = "request", "folder", "connection", "share"
SOURCE_KINDS = (REQUEST, FOLDER, CONNECTION, SHARE)
#: Sources the server polls (``provider_watch.py``) rather than hears about on each write.
POLLED_KINDS = (CONNECTION, SHARE)
KEEP, MOVE = "keep", "move"
KIND_SUFFIXES = {
    "image": IMAGE_SUFFIXES,
    "pdf": frozenset({"pdf"}),
    "office": OFFICE_SUFFIXES,
    "archive": ARCHIVE_SUFFIXES,
    "media": MEDIA_SUFFIXES,
}


@dataclass(frozen=True)
class AutomationRule:
    id: int
    user_id: int
    name: str
    source_kind: str
    #: A request link's id; a folder path ("" is the top of the storage or the connection);
    #: or an account share's id.
    source: str
    match_types: list[str]
    match_name: str  # a shell pattern ("scan*.jpg"); "" matches every name
    max_bytes: int  # 0: no ceiling
    output: str  # a file type ("pdf", "webp", "mp4", "mp3") or "/" to unpack
    options: dict[str, Any]  # ActionOptions' max_size, quality, watermark, watermark_image
    target_folder: str
    combine: bool
    original: str
    enabled: bool
    created_at: int
    #: The connection a ``connection`` rule watches (its folder is ``source``).
    connection_id: int | None = None

    @property
    def polled(self) -> bool:
        return self.source_kind in POLLED_KINDS

    def matches(self, name: str, size: int) -> bool:
        base = name.rsplit("/", 1)[-1]
        if self.max_bytes and size > self.max_bytes:
            return False
        if self.match_name and not fnmatch.fnmatch(base.lower(), self.match_name.lower()):
            return False
        if self.match_types:
            suffix = suffix_of(base)
            return any(suffix in KIND_SUFFIXES[kind] for kind in self.match_types)
        return True

    def plan(self, names: list[str]) -> ConversionPlan:
        options = ActionOptions(**self.options)
        output = "result/" if self.output == "/" else f"result.{self.output}"
        return plan_conversion(names, output, options)

    def output_path(self, first_name: str, when: str, folder: str | None = None) -> str:
        """Where the result goes: the arrival's name with the new type, or for a combined
        job the rule's name and the time it started (names never collide between jobs), in
        ``folder`` (by default the rule's target folder)."""
        base = first_name.rsplit("/", 1)[-1]
        stem = base.rsplit(".", 1)[0] if "." in base else base
        if self.combine:
            stem = f"{self.name}-{when}"
        name = f"{stem}/" if self.output == "/" else f"{stem}.{self.output}"
        folder = self.target_folder if folder is None else folder
        return f"{folder}/{name}" if folder else name


def checked_rule(rule: AutomationRule) -> AutomationRule:
    """The rule if it can work; ``InvalidInputError`` saying what to change otherwise."""
    if rule.source_kind not in SOURCE_KINDS:
        raise InvalidInputError(f"A rule watches a {' or a '.join(SOURCE_KINDS)}.")
    if rule.original not in (KEEP, MOVE):
        raise InvalidInputError("original is 'keep' or 'move'.")
    if not all(isinstance(kind, str) for kind in rule.match_types):
        raise InvalidInputError(f"match_types lists kinds of file: {sorted(KIND_SUFFIXES)}.")
    unknown = set(rule.match_types) - set(KIND_SUFFIXES)
    if unknown:
        raise InvalidInputError(f"Unknown kinds {sorted(unknown)}; known: {sorted(KIND_SUFFIXES)}.")
    if not rule.name.strip() or len(rule.name) > 100:
        raise InvalidInputError("A rule needs a name of 1 to 100 characters.")
    if rule.combine and rule.output != "pdf":
        raise InvalidInputError("Only images into a PDF combine several arrivals into one result.")
    try:
        rule.plan([f"sample.{_sample_suffix(rule)}"])
    except (UsageError, TypeError) as error:
        raise InvalidInputError(f"This rule cannot make .{rule.output} files: {error}") from None
    return rule


def _sample_suffix(rule: AutomationRule) -> str:
    kinds = rule.match_types or ["image"]
    return sorted(KIND_SUFFIXES[kinds[0]])[0] if kinds[0] != "archive" else "zip"


class AutomationRuleStore:
    def __init__(self, db: Database) -> None:
        self.table = RecordTable(
            db,
            "automation_rules",
            AutomationRule,
            json_fields=frozenset({"match_types", "options"}),
            bool_fields=frozenset({"combine", "enabled"}),
        )

    def add(self, rule: AutomationRule) -> AutomationRule:
        return self.table.insert(rule)

    def of_user(self, user_id: int) -> list[AutomationRule]:
        return self.table.select("user_id = ? ORDER BY id", user_id)

    def get(self, user_id: int, rule_id: int) -> AutomationRule | None:
        return self.table.one("user_id = ? AND id = ?", user_id, rule_id)

    def remove(self, user_id: int, rule_id: int) -> bool:
        return self.table.delete("user_id = ? AND id = ?", user_id, rule_id) == 1

    def watching(self, source_kind: str, user_id: int) -> list[AutomationRule]:
        return self.table.select(
            "source_kind = ? AND user_id = ? AND enabled = TRUE", source_kind, user_id
        )

    def polled(self) -> list[AutomationRule]:
        """Every user's enabled rules on connections and shares, for the poll."""
        kinds = ", ".join("?" for _ in POLLED_KINDS)
        return self.table.select(f"source_kind IN ({kinds}) AND enabled = TRUE ORDER BY id",
                                 *POLLED_KINDS)  # fmt: skip
