"""Where a pulled arrival lands in the target folder, whatever strangers named their uploads.

Anyone holding a request link chooses the names, so two arrivals may claim the same place in
different ways: a file ``docs`` and a file ``docs/real.pdf`` (a file where a folder must be), or
a folder path deeper than the file system takes in total (``PATH_MAX``, 4096 bytes on Linux,
even though each part fits in 255). ``free_place`` resolves both without refusing the file:

- a folder part that is taken by a file becomes ``docs (1)``, a taken file name ``a (1).pdf``;
- a path too long in total keeps its file name and folds its folders into one part.

It returns the relative path used; the caller reports it when it differs from the wanted one.
"""

from __future__ import annotations

import os
from pathlib import Path

from syncoxide.safe_names import MAX_COMPONENT_BYTES, unique_path

# Linux PATH_MAX counts the terminating NUL; other systems allow at least 1024.
_PATH_MAX = 4095 if os.name == "posix" else 259
_FOLDED_SEPARATOR = "_"


def free_place(target: Path, wanted: str) -> str:
    """A relative path under ``target`` where a new file named ``wanted`` fits without
    overwriting anything, turning a file into a folder, or passing the total path limit."""
    parts = _fitting(target, wanted.split("/"))
    placed: list[str] = []
    for folder in parts[:-1]:
        here = "/".join([*placed, folder])
        taken = unique_path(here, lambda p: _is_non_folder(target / p))
        placed.append(taken.rsplit("/", 1)[-1])
    last = "/".join([*placed, parts[-1]])
    return unique_path(last, lambda p: os.path.lexists(target / p))


def _is_non_folder(path: Path) -> bool:
    return os.path.lexists(path) and not path.is_dir()


def _fitting(target: Path, parts: list[str]) -> list[str]:
    """``parts``, or the file name under one folded folder when the whole path is too long.
    The budget keeps room for a ``" (NN)"`` suffix and the hidden ``.partial`` sibling."""
    budget = _PATH_MAX - len(os.fsencode(target)) - 1 - 32
    if len("/".join(parts).encode()) <= budget or len(parts) == 1:
        return parts
    folded = _FOLDED_SEPARATOR.join(parts[:-1]).encode()
    room = min(MAX_COMPONENT_BYTES, budget - len(parts[-1].encode()) - 1)
    folder = folded[: max(room, 1)].decode("utf-8", errors="ignore").rstrip(" .") or "folded"
    return [folder, parts[-1]]
