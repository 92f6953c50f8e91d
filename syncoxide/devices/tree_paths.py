"""Paths inside a synced folder, as plain ``a/b/c`` strings: which of them a scan must look
at. Shared by the CLI's disk folders and the core's provider folders (the browser's)."""

from __future__ import annotations

from collections.abc import Iterable

from syncoxide.devices.index import STATE_FOLDER


def in_state_folder(relative: str) -> bool:
    """The folder's own state (scratch files, trash): never synced."""
    return relative == STATE_FOLDER or relative.startswith(STATE_FOLDER + "/")


def outermost(paths: Iterable[str]) -> list[str]:
    """``paths`` without those under another of them (a folder's scan covers its files)."""
    chosen = set(paths)
    return sorted(p for p in chosen if chosen.isdisjoint(self_and_ancestors(p)[1:]))


def self_and_ancestors(path: str) -> list[str]:
    """``a/b/c`` -> ``["a/b/c", "a/b", "a"]``."""
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]


def at_or_under(path: str, folders: Iterable[str]) -> bool:
    """``path`` is one of ``folders`` or inside one of them."""
    return not set(folders).isdisjoint(self_and_ancestors(path))
