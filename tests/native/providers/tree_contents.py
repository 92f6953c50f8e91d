"""What a provider holds, read back whole: the tests' view of a sync's result."""

from __future__ import annotations

from syncoxide.providers.contract import Provider


async def file_contents(
    provider: Provider, kinds: tuple[str, ...] = ("file", "partial")
) -> dict[str, bytes]:
    """Every entry of ``kinds`` (the engine's own ``.syncoxide`` files left out), path to bytes."""
    files = {}
    async for page in provider.list_tree():
        for entry in page:
            if entry.kind.value in kinds and not entry.path.startswith(".syncoxide"):
                files[entry.path] = b"".join([b async for b in provider.open_read(entry.path)])
    return files
