"""Fixtures the device folder tests share."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def looked_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every folder listed and every file stat'ed, by any scan."""
    seen: list[str] = []
    stat, scandir = os.stat, os.scandir

    def counted_stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(f"stat {path}")
        return stat(path, *args, **kwargs)

    def counted_scandir(path=".", *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(f"list {path}")
        return scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted_stat)
    monkeypatch.setattr(os, "scandir", counted_scandir)
    yield seen
