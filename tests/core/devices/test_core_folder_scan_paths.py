"""A provider folder scanned only where a change event points (the browser's
``FileSystemObserver``): the index it makes is the one a full scan makes, at the cost of the
paths named, and a folder emptied that way is still refused (pure: runs in Pyodide too)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from syncoxide.devices.index import STATE_FOLDER
from syncoxide.engine.device_sync.index_keeper import MemoryIndexStorage
from syncoxide.engine.device_sync.provider_folder import ProviderFolder
from syncoxide.errors import EmptySideError
from syncoxide.providers.contract import Entry, PrunePredicate
from syncoxide.providers.memory import MemoryProvider
from tests.core.devices.test_core_folder_mark import now


class CountingProvider(MemoryProvider):
    """The memory provider, counting what a scan asks of it."""

    def __init__(self) -> None:
        super().__init__()
        self.stats: list[str] = []
        self.listings = 0
        self.reads: list[str] = []

    async def stat(self, path: str) -> Entry:
        self.stats.append(path)
        return await super().stat(path)

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        self.listings += 1
        async for page in super().list_tree(prune):
            yield page

    def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        self.reads.append(path)
        return super().open_read(path, offset, length)

    def forget(self) -> None:
        self.stats, self.listings, self.reads = [], 0, []


def folder_on(provider: MemoryProvider) -> ProviderFolder:
    made = ProviderFolder("shared", provider, MemoryIndexStorage(), "ME", fresh_name=lambda: "x")
    now(made.load())
    now(made.scan())
    return made


def live(made: ProviderFolder) -> dict[str, tuple[int, tuple[str, ...]]]:
    return {
        path: (entry.size, entry.blocks)
        for path, entry in made.index.entries.items()
        if not entry.deleted
    }


def remove(provider: MemoryProvider, path: str) -> None:
    """Delete a file, or a folder with everything in it."""
    inside = [p for p in provider.snapshot() if p == path or p.startswith(path + "/")]
    folders = [d for d in provider.directories() if d == path or d.startswith(path + "/")]
    for gone in [*inside, *sorted(folders, key=len, reverse=True)]:
        now(provider.delete(gone))


def tree(seed: int) -> tuple[MemoryProvider, MemoryProvider]:
    """The same random tree twice."""
    rng = random.Random(seed)
    copies = MemoryProvider(), MemoryProvider()
    for number in range(rng.randint(3, 25)):
        path = "/".join(rng.choice("abc") for _ in range(rng.randint(0, 2))) + f"/f{number}"
        for provider in copies:
            provider.put(path.lstrip("/"), f"{seed}:{number}".encode(), 1_000)
    return copies


def change(rng: random.Random, provider: MemoryProvider, step: int) -> str:
    """One random change to ``provider``; the path an observer would name."""
    files, folders = sorted(provider.snapshot()), sorted(provider.directories())
    what = rng.choice(["edit", "add", "delete", "drop-folder", "new-folder", "file-to-folder"])
    if what == "edit" and files:
        path = rng.choice(files)
        provider.put(path, f"edited {step}".encode(), 2_000 + step)
    elif what == "delete" and files:
        path = rng.choice(files)
        remove(provider, path)
    elif what == "drop-folder" and folders:
        path = rng.choice(folders)
        remove(provider, path)
    elif what == "new-folder":
        path = f"new{step}"
        provider.put(f"{path}/in/one", b"one", 3_000)
        provider.put(f"{path}/two", b"two", 3_000)
    elif what == "file-to-folder" and files:
        path = rng.choice(files)
        remove(provider, path)
        provider.put(f"{path}/now-inside", b"inside", 4_000)
    else:
        path = f"added{step}"
        provider.put(path, b"added", 5_000)
    return path


@pytest.mark.parametrize("seed", range(40))
def test_scanning_the_changed_paths_indexes_what_a_full_scan_does(seed: int) -> None:
    by_events, by_scans = tree(seed)
    watched, polled = folder_on(by_events), folder_on(by_scans)
    rng = random.Random(seed)
    for step in range(6):
        changed: set[str] = set()
        for _ in range(rng.randint(1, 3)):
            state = rng.getstate()
            named = change(rng, by_events, step)
            rng.setstate(state)
            assert change(rng, by_scans, step) == named
            changed.add(named)
        if not by_events.snapshot():
            return  # everything gone: the refusal has its own test
        told = now(watched.scan_paths(changed))
        scanned = now(polled.scan())
        assert live(watched) == live(polled), (seed, step)
        assert {e.path for e in told} == {e.path for e in scanned}, (seed, step)


def test_one_changed_file_costs_one_stat_and_reads_only_that_file() -> None:
    provider = CountingProvider()
    for number in range(200):
        provider.put(f"photos/{number:03}.jpg", b"x" * number, 1_000)
    made = folder_on(provider)
    provider.forget()
    provider.put("photos/007.jpg", b"changed", 2_000)
    [told] = now(made.scan_paths(["photos/007.jpg"]))
    assert (told.path, told.size) == ("photos/007.jpg", 7)
    assert (provider.stats, provider.listings, provider.reads) == (
        ["photos/007.jpg"],
        0,
        ["photos/007.jpg"],
    )


def test_a_new_folder_is_listed_alone() -> None:
    provider = CountingProvider()
    for number in range(50):
        provider.put(f"old/{number}", b"old", 1_000)
    made = folder_on(provider)
    provider.forget()
    provider.put("new/a", b"a", 2_000)
    provider.put("new/deeper/b", b"b", 2_000)
    told = now(made.scan_paths(["new"]))
    assert sorted(e.path for e in told) == ["new/a", "new/deeper/b"]
    assert sorted(provider.reads) == ["new/a", "new/deeper/b"]  # nothing under old/ read


def test_the_state_folder_is_ignored_and_the_root_scans_everything() -> None:
    provider = MemoryProvider()
    provider.put("a", b"a", 1_000)
    made = folder_on(provider)
    provider.put(f"{STATE_FOLDER}/trash/x", b"x", 2_000)
    provider.put("b", b"b", 2_000)
    assert now(made.scan_paths([f"{STATE_FOLDER}/trash/x"])) == []
    assert [e.path for e in now(made.scan_paths([""]))] == ["b"]


def test_events_that_would_empty_the_folder_are_refused_as_a_scan_is() -> None:
    provider = MemoryProvider()
    for name in ("a", "b", "c"):
        provider.put(f"docs/{name}", name.encode(), 1_000)
    made = folder_on(provider)
    remove(provider, "docs")
    with pytest.raises(EmptySideError):
        now(made.scan_paths(["docs"]))
    assert set(live(made)) == {"docs/a", "docs/b", "docs/c"}  # nothing counted as deleted
