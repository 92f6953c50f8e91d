"""Commands other installed packages add to ``syncoxide``, found without importing them.

A package declares, in its own metadata, an entry point in the group ``syncoxide.commands``
whose object is a ``{name: (summary, module)}`` table, as the CLI's own ``COMMANDS`` is. We read
the ``entry_points.txt`` files of installed distributions directly instead of through
``importlib.metadata``: importing that module alone costs about 40 ms, half the CLI's budget
for answering ``--help``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator

GROUP = "syncoxide.commands"


def contributed_commands() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for target in entry_point_targets(GROUP):
        module_name, _, attribute = target.partition(":")
        contributed = getattr(importlib.import_module(module_name), attribute or "COMMANDS")
        table.update(contributed)
    return table


def entry_point_targets(group: str) -> list[str]:
    """``module:attribute`` of every entry point in ``group``, once each, in path order."""
    targets: list[str] = []
    for text in _entry_point_files():
        for target in _targets_in(text, group):
            if target not in targets:
                targets.append(target)
    return targets


def _entry_point_files() -> Iterator[str]:
    for folder in sys.path:
        try:
            names = [entry.name for entry in os.scandir(folder or ".")]
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt")) as file:  # noqa: PTH118, PTH123
                    yield file.read()
            except OSError:
                continue


def _targets_in(text: str, group: str) -> Iterator[str]:
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            yield line.split("=", 1)[1].strip()
