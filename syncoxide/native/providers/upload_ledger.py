"""Uploads a later run may resume, kept in a small JSON file beside the pair's state.

Each entry names one open upload by the key (or path) it writes: the server's id for it, the
source mtime it was started for and the part size it was cut with. A later write of the same
key resumes it only when both still match. Losing the file costs the resume, never data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from syncoxide.native.atomic_file import replace_file

_VERSION = 1


@dataclass(frozen=True)
class OpenUpload:
    upload_id: str
    mtime_ns: int
    part_size: int
    #: The source digest the upload was started with, where the store keeps it ("" if none).
    digest: str = ""
    #: The engine's token for a copy in parts (``WritesParts``); "" for a streamed upload.
    token: str = ""


class UploadLedger:
    """Open uploads by object key; every change is written at once (killed runs matter).
    Without a file (no state folder) it lives in memory and only resumes within a process."""

    def __init__(self, file: Path | None) -> None:
        self._file = file
        self._open = _load(file) if file is not None else {}

    def find(self, key: str) -> OpenUpload | None:
        return self._open.get(key)

    def remember(self, key: str, upload: OpenUpload) -> None:
        self._open[key] = upload
        self._save()

    def forget(self, key: str) -> None:
        if self._open.pop(key, None) is not None:
            self._save()

    def _save(self) -> None:
        if self._file is None:
            return
        uploads = {key: asdict(upload) for key, upload in self._open.items()}
        document = json.dumps({"version": _VERSION, "uploads": uploads}).encode()
        replace_file(self._file, document, durable=False)  # lost: those uploads start again


def _load(file: Path) -> dict[str, OpenUpload]:
    try:
        saved = json.loads(file.read_text())
        if saved.get("version") != _VERSION:
            return {}
        return {str(key): OpenUpload(**fields) for key, fields in saved["uploads"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}  # missing or unreadable: nothing to resume
