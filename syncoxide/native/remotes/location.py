"""``NAME:path`` on the command line: the form of a location that may name a remote.

Apart from the remotes' store (``store.py``) so that a plain local path is told at once,
without importing the store: it pulls in platformdirs, tempfile and the sealing of secrets,
~9 ms of every local ``syncoxide sync`` (measured 2026-12-07), where the whole run of a
renamed folder on the 10,020-file tree takes ~270 ms.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_SPEC = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{1,31}):(.*)$", re.DOTALL)


def may_name_a_remote(spec: str) -> bool:
    """``spec`` has the ``NAME:path`` form; whether NAME is a remote, only the store knows."""
    return _SPEC.match(spec) is not None


def split_location(spec: str, known: Collection[str]) -> tuple[str | None, str]:
    """``("box", "photos")`` for ``box:photos`` when ``box`` is a remote, else ``(None, spec)``."""
    match = _SPEC.match(spec)
    if match and match.group(1) in known:
        return match.group(1), match.group(2).strip("/")
    return None, spec
