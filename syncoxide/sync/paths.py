"""Matching names across providers: Unicode normalization, case folding, reserved names."""

from __future__ import annotations

import unicodedata

RESERVED_TOP = ".syncoxide"
"""Top-level folder each root keeps for syncoxide itself (the pair trash); never synced."""


def match_key(path: str, *, case_sensitive: bool) -> str:
    """The identity of a path for pairing: NFC (macOS stores NFD), folded if either end folds."""
    normal = unicodedata.normalize("NFC", path)
    return normal if case_sensitive else normal.casefold()


def is_reserved(path: str) -> bool:
    return path == RESERVED_TOP or path.startswith(RESERVED_TOP + "/")


def parent_of(path: str) -> str:
    return path.rpartition("/")[0]


def ancestors(path: str) -> list[str]:
    """``a/b/c`` -> ``["a", "a/b"]``."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def conflict_name(path: str, stamp: str, side_label: str) -> str:
    """``dir/name.ext`` -> ``dir/name.conflict-<stamp>-<side>.ext`` (dotfiles keep their dot)."""
    folder, slash, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    suffix = f".conflict-{stamp}-{side_label}"
    renamed = f"{stem}{suffix}.{ext}" if ext else f"{stem}{suffix}"
    return f"{folder}{slash}{renamed}"
