"""Which files with the same name and size are probably the same file: the duplicate guesses.

Content hashes prove duplicates only between files hashed the same way: server storage keeps
sha256, S3 gives md5 ETags (and none for multipart uploads), SFTP and WebDAV often give none.
So files of one name and size are offered as a *guess* when the hashes known do not already
settle it: not when they all carry one hash (that group is a proven duplicate, listed as
such), and not when two of them carry different hashes of the same kind (then they differ).
"""

from __future__ import annotations

from collections.abc import Sequence

from syncoxide.catalog.model import CatalogEntry


def is_duplicate_guess(group: Sequence[CatalogEntry]) -> bool:
    """Whether files of one name and size are a duplicate guess (see the module's rule)."""
    if len(group) < 2:
        return False
    hashes = {entry.content_hash for entry in group}
    if len(hashes) == 1 and "" not in hashes:
        return False  # the same hash everywhere: a proven duplicate, not a guess
    by_kind: dict[str, str] = {}
    for known in hashes - {""}:
        kind = known.partition(":")[0]
        if by_kind.setdefault(kind, known) != known:
            return False  # two different hashes of one kind: these files differ
    return True
