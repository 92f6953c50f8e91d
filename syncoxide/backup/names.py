"""Archive names: ``PREFIX-YYYY-MM-DDTHH:MM:SS`` in UTC, so a listing sorts by time.

Each backup source (a folder set, a provider rule) has a prefix; its archives are the ones whose
name starts with ``PREFIX-``, which is how ``prune`` is told to look only at them
(``--glob-archives 'PREFIX-*'``). Times come in from the caller's clock: names are
deterministic in tests. Borg refuses ``/`` in archive names and reads ``::`` as a separator;
we also keep glob characters out of prefixes so a prefix is its own glob.
"""

from __future__ import annotations

import re

from syncoxide.errors import UsageError

_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+@-]{0,63}$")
_FORBIDDEN_IN_NAME = ("/", "::", "\n", "\r", "\x00")
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"


def check_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise UsageError(
            f"'{prefix}' cannot start archive names.",
            hint="Use up to 64 letters, digits, '.', '_', '+', '@' or '-', starting with a "
            "letter or digit.",
        )
    return prefix


def check_archive_name(name: str) -> str:
    if not name or len(name) > 200 or any(bad in name for bad in _FORBIDDEN_IN_NAME):
        raise UsageError(
            f"'{name}' is not a usable archive name.",
            hint="Archive names are 1-200 characters without '/', '::' or line breaks.",
        )
    return name


def archive_name(prefix: str, unix_seconds: float) -> str:
    """``docs-2026-12-06T10:00:00`` for the backup of ``docs`` started at that UTC time."""
    from datetime import UTC, datetime  # here: a backup given its name never loads it

    stamp = datetime.fromtimestamp(int(unix_seconds), UTC).strftime(STAMP_FORMAT)
    return f"{check_prefix(prefix)}-{stamp}"


def prefix_glob(prefix: str) -> str:
    """The ``--glob-archives`` pattern matching this prefix's archives and no other prefix's."""
    return f"{check_prefix(prefix)}-*"


def default_prefix(paths: list[str]) -> str:
    """A prefix from the last folder name of the first path (``/home/ann/Documents`` ->
    ``Documents``), cleaned to the allowed characters; ``backup`` when nothing is left."""
    last = next((p.rstrip("/").rsplit("/", 1)[-1] for p in paths if p.rstrip("/")), "")
    cleaned = re.sub(r"[^A-Za-z0-9._+@-]", "_", last).lstrip("._+@-")[:64]
    return cleaned or "backup"
