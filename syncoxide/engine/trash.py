"""The per-pair trash: every version bisync overwrote or deleted, under
``.syncoxide/trash/<pair id>/<UTC stamp>-<run>/<original path>`` on the side it was on."""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import NotFoundError, UsageError
from syncoxide.providers.contract import EntryKind, Provider
from syncoxide.sync.plan import Side

from .outcome import stat_or_none

TRASH_TOP = ".syncoxide/trash"


@dataclass(frozen=True)
class TrashItem:
    side: Side
    run: str
    path: str
    size: int
    mtime_ns: int

    @property
    def ident(self) -> str:
        return f"{self.side.value}:{self.run}/{self.path}"


async def list_trash(provider: Provider, side: Side, pair: str) -> list[TrashItem]:
    root = f"{TRASH_TOP}/{pair}"

    def prune(path: str) -> bool:
        return not (root.startswith(path + "/") or path == root or path.startswith(root + "/"))

    items = []
    async for page in provider.list_tree(prune):
        for entry in page:
            if entry.kind is EntryKind.FILE and entry.path.startswith(root + "/"):
                run, _, path = entry.path[len(root) + 1 :].partition("/")
                if path:
                    items.append(TrashItem(side, run, path, entry.size, entry.mtime_ns))
    return sorted(items, key=lambda item: (item.run, item.path, item.side.value))


def parse_ident(ident: str) -> tuple[Side, str, str]:
    side, _, rest = ident.partition(":")
    run, _, path = rest.partition("/")
    if side not in ("path1", "path2") or not run or not path:
        raise UsageError(f"{ident!r} is not a trash item; copy one from `syncoxide trash list`.")
    return Side(side), run, path


async def restore(provider: Provider, pair: str, run: str, path: str, *, stamp: str) -> str | None:
    """Put a trashed version back; whatever holds its name now goes to the trash first.

    Returns where the displaced current version went (None if the name was free)."""
    source = f"{TRASH_TOP}/{pair}/{run}/{path}"
    if await stat_or_none(provider, source) is None:
        raise NotFoundError(
            f"The trash holds no {path!r} from run {run}.",
            hint="Nothing was changed; see `syncoxide trash list`.",
        )
    displaced = None
    if await stat_or_none(provider, path) is not None:
        displaced = f"{TRASH_TOP}/{pair}/{stamp}-restore/{path}"
        await provider.move(path, displaced)
    await provider.move(source, path)
    return displaced
