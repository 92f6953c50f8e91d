"""What the index holds about one file or folder, and how people name it (``PROVIDER:path``).

A *source* is where an entry lives: ``home`` for the server's own storage, otherwise the name
of one of the user's connections. The content hash is written ``kind:hex`` (``sha256:...``)
because providers offer different digests, and duplicates are only found between equal kinds.
"""

from __future__ import annotations

import functools
import mimetypes
from dataclasses import dataclass, field

from syncoxide.errors import RemoteProtocolError, UsageError
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.safe_names import strict_relative_path

HOME = "home"
FILE, DIR = "file", "dir"
#: Digest kinds in order of preference for the index's one content hash.
HASH_PREFERENCE = ("sha256", "sha1", "md5")

# Built from Python's own table only (``MimeTypes()`` reads no system file), so a name gets
# the same type on every server, in the CLI and in Pyodide.
_TYPES = mimetypes.MimeTypes()
_TYPES.add_type("text/markdown", ".md")

#: Broad groups people search by (``type:image``), from the MIME type.
TYPE_GROUPS = {
    "image": ("image/",),
    "video": ("video/",),
    "audio": ("audio/",),
    "text": ("text/",),
    "pdf": ("application/pdf",),
    "archive": (
        "application/zip",
        "application/x-tar",
        "application/gzip",
        "application/x-7z-compressed",
        "application/x-bzip2",
        "application/x-xz",
    ),
    "document": (
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument",
        "application/vnd.oasis.opendocument",
        "application/rtf",
        "text/plain",
        "text/markdown",
    ),
}


#: What tells a changed entry from an unchanged one, listing to listing: (kind, size,
#: mtime_ns, content_hash). A plain tuple, not an object: a refresh reads one per indexed entry
#: and makes one per listed entry (100,000 of each for a 100,000-key bucket), and a frozen
#: dataclass cost ~1.9 us apiece to build where a tuple costs ~0.2 us (docs/catalog.md).
Fingerprint = tuple[str, int, int, str]


@dataclass(frozen=True)
class CatalogEntry:
    source: str
    path: str
    kind: str = FILE
    size: int = 0
    mtime_ns: int = 0
    content_hash: str = ""
    mime: str = ""
    owner: str = ""
    shared: bool = False
    #: The index's own number for the entry, stable across renames and moves inside its
    #: provider (what ``/f/<id>`` links name); 0 for an entry not read from an index. Two
    #: entries alike but for it are the same file, so it takes no part in comparisons.
    id: int = field(default=0, compare=False)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def location(self) -> str:
        return f"{self.source}:{self.path}"

    @property
    def fingerprint(self) -> Fingerprint:
        return (self.kind, self.size, self.mtime_ns, self.content_hash)


def mime_of(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    dot = base.find(".", 1)  # a leading dot names a hidden file, not a type
    return _mime_of_suffixes(base[dot:] if dot >= 0 else "")


# A listing names 100,000 files with a few dozen suffixes: guessing each name's type from
# scratch was 1.3 s of an unchanged 100,000-file refresh (bench/catalog_search.py). The type
# depends on the suffixes alone (".tar.gz" included), so they are the cache's key.
@functools.lru_cache(maxsize=4096)
def _mime_of_suffixes(suffixes: str) -> str:
    guessed, _ = _TYPES.guess_type("name" + suffixes, strict=False)
    return guessed or "application/octet-stream"


def type_group(mime: str) -> str:
    """The first group a MIME type falls in (``other`` when none)."""
    for group, prefixes in TYPE_GROUPS.items():
        if mime.startswith(prefixes):
            return group
    return "other"


def preferred_hash(hashes: dict[str, str]) -> str:
    if not hashes:  # most listings (S3 multipart, WebDAV, SFTP): no loop for them
        return ""
    for kind in HASH_PREFERENCE:
        if hashes.get(kind):
            return f"{kind}:{hashes[kind].lower()}"
    return ""


def listed_fingerprint(entry: Entry) -> Fingerprint | None:
    """``from_listing(...).fingerprint`` without building the entry: a refresh compares every
    listed object and builds entries for the changed ones alone."""
    if entry.kind == EntryKind.FILE:
        return (FILE, entry.size, entry.mtime_ns, preferred_hash(entry.hashes))
    return _DIR_FINGERPRINT if entry.kind == EntryKind.DIR else None


_DIR_FINGERPRINT: Fingerprint = (DIR, 0, 0, "")


def from_listing(source: str, entry: Entry, owner: str = "") -> CatalogEntry | None:
    """The index's view of a listed entry; None for what is not indexed (links, partials)."""
    if entry.kind == EntryKind.DIR:
        return CatalogEntry(source, entry.path, DIR, owner=owner, mime="inode/directory")
    if entry.kind != EntryKind.FILE:
        return None
    return CatalogEntry(
        source,
        entry.path,
        FILE,
        entry.size,
        entry.mtime_ns,
        preferred_hash(entry.hashes),
        mime_of(entry.path),
        owner,
    )


@dataclass(frozen=True)
class Location:
    source: str
    path: str

    def __str__(self) -> str:
        return f"{self.source}:{self.path}"


def parse_location(raw: str, *, root_ok: bool = True) -> Location:
    """``PROVIDER:path`` -> its parts; ``home:`` is the server's own storage.

    The path must be relative and plain: ``..``, a leading ``/`` and control characters are
    refused with a ``UsageError`` that says how to write it."""
    source, colon, path = raw.partition(":")
    if any(0xD800 <= ord(c) <= 0xDFFF or ord(c) < 32 for c in raw):
        raise UsageError(
            f"{raw!r} is not plain text: it holds control characters or lone surrogates.",
            hint="Write PROVIDER:path with printable characters.",
        )
    if not colon or not source:
        raise UsageError(
            f"{raw!r} names no provider.",
            hint="Write PROVIDER:path, for example home:photos/a.jpg or s3:backups/.",
        )
    path = path.strip("/") if path in ("", "/") else path.rstrip("/")
    if path == "" and root_ok:
        return Location(source, "")
    try:
        strict_relative_path(path)
    except RemoteProtocolError as error:
        raise UsageError(
            f"{raw!r} is not a plain path: {error}",
            hint="Use a relative path inside the provider, without '..'.",
        ) from None
    return Location(source, path)
