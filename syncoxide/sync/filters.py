"""Include/exclude globs (``--include``, ``--exclude``, ``.syncignore``).

Rules are tried in order and the first that matches decides (rclone's rule). A pattern with
a ``/`` before its last character is anchored at the root; otherwise it matches a name at any
depth. ``*`` stays within one name, ``**`` crosses folders, a trailing ``/`` matches folders
only. A folder that is excluded takes everything under it along. When any ``--include`` exists,
files no rule matches are excluded (folders are still walked, to find included files).
``.syncignore`` holds one pattern per line, ``#`` comments, ``!pattern`` to re-include.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from syncoxide.errors import UsageError
from syncoxide.sync.paths import ancestors


@dataclass(frozen=True)
class Rule:
    include: bool
    pattern: str
    regex: re.Pattern[str]
    dirs_only: bool
    #: ``!pattern`` in .syncignore: an exception to an exclude, not an "only these" include.
    reinclude: bool = False


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(glob):
        char = glob[index]
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if glob.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = glob.find("]", index + 1)
            if close < 0:
                raise UsageError(f"The pattern {glob!r} has an unclosed '['.")
            body = glob[index + 1 : close].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            index = close
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def compile_rule(pattern: str, *, include: bool, reinclude: bool = False) -> Rule:
    if not pattern.strip():
        raise UsageError("An empty filter pattern matches nothing; remove it.")
    dirs_only = pattern.endswith("/")
    body = pattern.rstrip("/")
    anchored = "/" in body
    body = body.lstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    regex = re.compile(prefix + _glob_to_regex(body) + r"\Z", re.DOTALL)
    return Rule(include, pattern, regex, dirs_only, reinclude)


def parse_syncignore(text: str) -> list[Rule]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("!"):
            rules.append(compile_rule(line[1:], include=True, reinclude=True))
        else:
            rules.append(compile_rule(line, include=False))
    return rules


class FilterSet:
    """Decides which paths take part in a run."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self.rules = tuple(rules)
        self._has_includes = any(rule.include and not rule.reinclude for rule in self.rules)
        self._dir_cache: dict[str, bool] = {}

    def _decide(self, path: str, is_dir: bool) -> bool | None:
        for rule in self.rules:
            if rule.dirs_only and not is_dir:
                continue
            if rule.regex.match(path):
                return rule.include
        return None

    def dir_excluded(self, path: str) -> bool:
        """True when the folder and everything under it is out (used to prune listings)."""
        cached = self._dir_cache.get(path)
        if cached is None:
            cached = self._decide(path, True) is False or any(
                self.dir_excluded(parent) for parent in ancestors(path)[-1:]
            )
            self._dir_cache[path] = cached
        return cached

    def excluded(self, path: str, *, is_dir: bool) -> bool:
        if not self.rules:
            return False
        folders = ancestors(path)
        if folders and self.dir_excluded(folders[-1]):
            return True
        if is_dir:
            return self.dir_excluded(path)
        decision = self._decide(path, False)
        if decision is None:
            return self._has_includes
        return not decision
