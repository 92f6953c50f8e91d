"""Names a writer gives a file while it is still writing it, to rename it once it is whole.

A poll of a provider folder (``server.automation.provider_watch``) never takes a file so
named: the settle wait cannot tell a writer that paused from one that finished, but these
names say the writer has not finished, and the whole file arrives under its own name when
the writer renames it. The names are those of common writers:

    *.part            Firefox, KDE's file transfers, many download managers
    *.partial         older Internet Explorer and Edge downloads
    *.crdownload      Chrome, Edge, Brave
    *.filepart        WinSCP's transfer to a temporary name
    *.tmp             the generic temporary suffix (Word's ~WRL0001.tmp among others)
    ~$*               Microsoft Office owner (lock) files beside an open document
    .~lock.*#         LibreOffice lock files
    .goutputstream-*  GNOME's (gio) atomic replace
    .NAME.XXXXXX      rsync: a dot, the final name, a dot and six random characters

rsync fills its six characters from ``[A-Za-z0-9]`` (mkstemp), so a random part is rarely all
lower-case: the pattern asks for at least one capital or digit among the six. That lets the
hidden backups people name by hand through (``.profile.backup``, ``.bashrc.backup``), at two
rare costs: about one rsync temporary name in 180 ((26/62)**6) is all lower-case and is
listed (it is still waited for to settle, and rsync renames it soon), and a hidden file whose
last suffix is six letters or digits with a capital or digit in it (``.env.prod01``) is taken
for rsync's and never acted on. The project's own partial writes
(``.sxpart-``) are listed as ``EntryKind.PARTIAL`` and never taken as files to begin with.
"""

from __future__ import annotations

import re

_SUFFIXES = (".part", ".partial", ".crdownload", ".filepart", ".tmp")
_PREFIXES = ("~$", ".~lock.", ".goutputstream-")
#: Six of rsync's random characters, not all lower-case (a lookahead for one capital or digit).
_RSYNC = re.compile(r"\.[^/]+\.(?=[a-z]*[A-Z0-9])[A-Za-z0-9]{6}")


def is_unfinished_name(path: str) -> bool:
    """Whether the last part of ``path`` is a name writers use for a file they still write."""
    name = path.rsplit("/", 1)[-1]
    if name.lower().endswith(_SUFFIXES) or name.startswith(_PREFIXES):
        return True
    return _RSYNC.fullmatch(name) is not None
