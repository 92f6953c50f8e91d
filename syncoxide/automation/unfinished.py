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
    .NAME.XXXXXX      rsync: a dot, the final name, a dot and six letters or digits

The last pattern also fits a hidden file with a six-character last suffix
(``.profile.backup``); such a file is not taken either. The project's own partial writes
(``.sxpart-``) are listed as ``EntryKind.PARTIAL`` and never taken as files to begin with.
"""

from __future__ import annotations

import re

_SUFFIXES = (".part", ".partial", ".crdownload", ".filepart", ".tmp")
_PREFIXES = ("~$", ".~lock.", ".goutputstream-")
_RSYNC = re.compile(r"\.[^/]+\.[A-Za-z0-9]{6}")


def is_unfinished_name(path: str) -> bool:
    """Whether the last part of ``path`` is a name writers use for a file they still write."""
    name = path.rsplit("/", 1)[-1]
    if name.lower().endswith(_SUFFIXES) or name.startswith(_PREFIXES):
        return True
    return _RSYNC.fullmatch(name) is not None
