"""What the Photos view learnt of each photo of this device, kept in IndexedDB across visits.

Reading a photo (decode, thumbnail, pHash, SHA-256) costs tens of milliseconds; a cached one
costs nothing but its share of one ``getAll``. An entry is keyed by the folder's name, the
path inside it, the size and the modification time: a photo edited in place has a new time,
so it is read again, and its old entry is dropped by ``forget_others`` at the end of the walk.
The thumbnail is stored as the JPEG ``Blob`` itself (IndexedDB keeps blobs natively).
The cache is capped (``cache_cap``): when a visit was last shown each entry is kept in a record
of its own (``USED``), and the least recently shown entries over the cap are dropped.
Nothing here leaves the browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import js
from pyodide.ffi import to_js

from syncoxide_web.photos.cache_cap import CAP_BYTES, FACTS_BYTES, plan_cap
from syncoxide_web.platform.indexed_db import finished, object_store

DATABASE = "syncoxide-photos"
STORE = "device-photos"
#: Last use of each entry by key, as one JSON record in a database of its own (the helper keeps
#: one store per database), so marking a visit rewrites no thumbnail.
USED = ("syncoxide-photos-used", "used", "by-key")


@dataclass(frozen=True)
class CachedPhoto:
    """A device photo's facts; ``error`` says why it could not be read (then no thumbnail)."""

    taken: str  # from EXIF, "" when it has none (the view then dates it by its file time)
    width: int
    height: int
    content_hash: str
    phash: str
    thumbnail: Any  # a JPEG Blob, or None
    error: str = ""


def cache_key(folder: str, path: str, size: int, modified_ms: int) -> str:
    return f"{folder}\0{path}\0{size}\0{modified_ms}"


async def load_all() -> dict[str, CachedPhoto]:
    """Every cached photo by key, in one request."""
    values = await finished((await object_store(DATABASE, STORE, "readonly")).getAll())
    return {str(value.key): _cached(value) for value in values}


async def keep(entries: dict[str, CachedPhoto]) -> None:
    """Store these entries in one transaction."""
    if not entries:
        return
    store = await object_store(DATABASE, STORE, "readwrite")
    last = None
    for key, photo in entries.items():
        last = store.put(_value(key, photo), key)
    await finished(last)


async def forget_others(known: dict[str, CachedPhoto], wanted: set[str]) -> None:
    """Drop the entries of photos no longer in any folder (deleted, edited, folder removed)."""
    stale = [key for key in known if key not in wanted]
    if not stale:
        return
    store = await object_store(DATABASE, STORE, "readwrite")
    last = None
    for key in stale:
        last = store.delete(key)
    await finished(last)


async def cap(
    cached: dict[str, CachedPhoto], shown: set[str], now_ms: int, limit: int = CAP_BYTES
) -> None:
    """Mark ``shown`` as used now and drop the least recently shown entries over ``limit``."""
    database, store, key = USED
    used = await finished((await object_store(database, store, "readonly")).get(key))
    sizes = {
        k: FACTS_BYTES + (int(p.thumbnail.size) if p.thumbnail else 0) for k, p in cached.items()
    }
    plan = plan_cap(
        sizes, json.loads(str(used)) if used else {}, shown=shown, now_ms=now_ms, cap=limit
    )
    await forget_others({k: cached[k] for k in plan.evict}, set())
    await finished(
        (await object_store(database, store, "readwrite")).put(json.dumps(plan.used), key)
    )


def _value(key: str, photo: CachedPhoto) -> Any:
    fields = {
        "key": key,
        "taken": photo.taken,
        "width": photo.width,
        "height": photo.height,
        "content_hash": photo.content_hash,
        "phash": photo.phash,
        "thumbnail": photo.thumbnail,
        "error": photo.error,
    }
    return to_js(fields, dict_converter=js.Object.fromEntries)


def _cached(value: Any) -> CachedPhoto:
    return CachedPhoto(
        taken=str(value.taken),
        width=int(value.width),
        height=int(value.height),
        content_hash=str(value.content_hash),
        phash=str(value.phash),
        thumbnail=value.thumbnail,
        error=str(value.error),
    )
