"""Where a repository is and which archive in it: ``REPO``, ``REPO::ARCHIVE``.

Borg 1.x spells a repository as a local path, ``ssh://user@host:port/path`` or the scp-like
``user@host:path``; an archive is named after ``::``. We keep borg's own spelling so a user can
copy a location between our CLI and plain borg.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syncoxide.backup.names import check_archive_name
from syncoxide.errors import UsageError

_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?[^@/:]+:")


@dataclass(frozen=True)
class RepositoryLocation:
    """A repository as borg names it; ``remote`` when borg reaches it over SSH."""

    text: str

    @property
    def remote(self) -> bool:
        return self.text.startswith("ssh://") or bool(_SCP_LIKE.match(self.text))

    def archive(self, name: str) -> str:
        """``REPO::NAME``, the spelling borg takes for one archive."""
        return f"{self.text}::{check_archive_name(name)}"


@dataclass(frozen=True)
class ArchiveRef:
    repository: RepositoryLocation
    archive: str | None  # None: the repository itself

    @property
    def borg_spec(self) -> str:
        if self.archive is None:
            return self.repository.text
        return self.repository.archive(self.archive)


def parse_location(text: str, *, archive_required: bool = False) -> ArchiveRef:
    """``/backups/repo``, ``/backups/repo::docs-2026-12-06T10:00:00``, ``ssh://h/./repo::a``."""
    if not text:
        raise UsageError("No repository given.", hint="Give a path such as /mnt/backup/repo.")
    repository, separator, archive = text.partition("::")
    if not repository:
        raise UsageError(f"'{text}' names no repository before '::'.")
    if archive_required and not archive:
        raise UsageError(
            f"'{text}' names no archive.",
            hint="Write REPO::ARCHIVE; `syncoxide backup list REPO` shows the archive names.",
        )
    if separator and not archive:
        raise UsageError(f"'{text}' ends with '::' but names no archive after it.")
    named = check_archive_name(archive) if archive else None
    return ArchiveRef(RepositoryLocation(repository), named)
