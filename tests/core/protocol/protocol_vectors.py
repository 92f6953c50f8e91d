"""The transfer framing's known-answer cases: labelled events whose bytes are pinned in
tests/vectors/protocol/frames_v1.json (shared by the CPython and Pyodide runs)."""

from __future__ import annotations

import json
from pathlib import Path

from syncoxide.protocol.events import (
    Cancel,
    Credit,
    Data,
    Done,
    Event,
    Failure,
    Hello,
    ManifestOffered,
    Request,
    Verified,
)
from syncoxide.protocol.manifest import FileEntry, Manifest

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "protocol" / "frames_v1.json"

EVENTS: dict[str, Event] = {
    "hello": Hello(bytes(range(16))),
    "manifest": ManifestOffered(
        Manifest(
            (FileEntry("docs/a.txt", 3, bytes.fromhex("ba7816bf" * 8)),),
            ("docs", "empty"),
        )
    ),
    "request_resume": Request(2, 5_000_000_000),
    "credit": Credit(8 * 1024 * 1024),
    "data": Data(1, 65536, b"abc"),
    "verified": Verified(7, bytes(range(32))),
    "done": Done(),
    "cancel": Cancel("stopped by the user"),
    "failure": Failure(2, "hash mismatch"),
}


def load_vectors() -> dict[str, str]:
    cases: list[dict[str, str]] = json.loads(VECTORS.read_text("utf-8"))["cases"]
    return {case["label"]: case["hex"] for case in cases}
