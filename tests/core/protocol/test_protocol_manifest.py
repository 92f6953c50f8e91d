"""Manifests: round trip, and every path that could escape the chosen folder refused."""

from __future__ import annotations

import json

import pytest

from syncoxide.errors import RemoteProtocolError
from syncoxide.protocol.manifest import FileEntry, Manifest

SHA = "00" * 32


def manifest_json(paths: list[str], folders: list[str] | None = None) -> bytes:
    files = [{"path": path, "size": 1, "sha256": SHA} for path in paths]
    return json.dumps({"version": 1, "folders": folders or [], "files": files}).encode()


def test_round_trip_keeps_files_and_folders() -> None:
    manifest = Manifest((FileEntry("a/b.txt", 5, bytes(32)),), ("a", "empty/inner"))
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert manifest.total_size == 5


@pytest.mark.parametrize(
    "path",
    [
        "../escape",
        "a/../../b",
        "/etc/passwd",
        "C:/Windows",
        "a\\b",
        "a//b",
        "./a",
        "a/",
        "",
        "nul\x00byte",
    ],
)
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(RemoteProtocolError, match="refused"):
        Manifest.from_json(manifest_json([path]))
    with pytest.raises(RemoteProtocolError):
        Manifest.from_json(manifest_json(["ok"], folders=[path]))


@pytest.mark.parametrize(
    "paths",
    [["same", "same"], ["a", "a/b"], ["a/b", "a"]],
)
def test_duplicates_and_file_folder_clashes_are_refused(paths: list[str]) -> None:
    with pytest.raises(RemoteProtocolError):
        Manifest.from_json(manifest_json(paths))


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"version": 2, "files": []}',
        b'{"version": 1, "files": [{"path": "a", "size": -1, "sha256": "' + b"0" * 64 + b'"}]}',
        b'{"version": 1, "files": [{"path": "a", "size": true, "sha256": "' + b"0" * 64 + b'"}]}',
        b'{"version": 1, "files": [{"path": "a", "size": 1, "sha256": "zz"}]}',
        b'{"version": 1, "files": [{"path": "a", "size": 1}]}',
        b'{"version": 1, "files": {}}',
    ],
)
def test_malformed_manifests_are_refused(raw: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        Manifest.from_json(raw)
