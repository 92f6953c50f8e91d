"""Photos in folders of this device, read in the page with the core's code: nothing uploaded.

Pillow does not exist in Pyodide (no wasm wheel here, and the page has little byte budget
left), so the browser's own decoder does the pixel work: ``createImageBitmap`` decodes (EXIF
orientation applied) and an ``OffscreenCanvas`` makes the 320-pixel JPEG thumbnail and the
32x32 picture the pHash is made of. The rest is the core, as on the server: the EXIF date
(``syncoxide.photos.exif``), the pHash (``syncoxide.photos.phash``), and SHA-256 of the bytes
(WebCrypto) so a device photo already on the server is an exact duplicate of it. What was
read is cached (``photo_cache``, 200 MB at most), so a second visit reads only new or changed
photos.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import js
from pyodide.ffi import JsException

from syncoxide.automation.actions import suffix_of
from syncoxide.errors import SyncoxideError
from syncoxide.photos.exif import HEAD_BYTES, read_exif
from syncoxide.photos.phash import SIDE, grey_of_rgba, phash_of_grey
from syncoxide.photos.timeline import EXIF, FILE_TIME, Photo, file_time
from syncoxide_web.files.local_folders import LocalFolder
from syncoxide_web.photos import photo_cache
from syncoxide_web.photos.photo_cache import CachedPhoto, cache_key
from syncoxide_web.platform.opfs import js_options

#: A device photo's ``source``: connection names cannot hold a colon, so this never clashes.
DEVICE_PREFIX = "device:"
THUMBNAIL_SIDE = 320
#: What Chromium's decoder reads; others are listed as not supported, never silently left out.
DECODED = frozenset({"jpg", "jpeg", "png", "webp", "gif", "bmp", "avif"})
NOT_SUPPORTED = frozenset({"heic", "heif", "tif", "tiff", "cr2", "cr3", "nef", "arw", "dng",
                           "orf", "rw2"})  # fmt: skip
#: Photos read between two writes to the cache (a closed tab loses at most this many). They
#: are read one after another: four side by side were slower here (bench/photos_browser.py).
KEEP_EVERY = 16
_HIDDEN = ".syncoxide"

Progress = Callable[[int, int], None]


@dataclass
class DevicePhotos:
    photos: list[Photo] = field(default_factory=list)
    thumbnails: dict[tuple[str, str], Any] = field(default_factory=dict)  # Blob by (source, path)
    handles: dict[tuple[str, str], Any] = field(default_factory=dict)  # FileSystemFileHandle
    unreadable: list[str] = field(default_factory=list)
    not_supported: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    read_now: int = 0  # photos decoded in this call (the others came from the cache)


@dataclass(frozen=True)
class _Found:
    source: str
    path: str
    handle: Any


async def device_photos(folders: list[LocalFolder], progress: Progress) -> DevicePhotos:
    """Every photo in ``folders``, from the cache where it is there, else read now."""
    result = DevicePhotos()
    entries = await _files_of(await _find(folders, result), result)
    try:
        known = await photo_cache.load_all()
    except SyncoxideError as error:  # storage refused (private window, full): read, keep nothing
        known, cache_failed = {}, True
        result.errors.append(f"Thumbnails cannot be kept in this browser ({error.message}).")
    else:
        cache_failed = False
    missing = [entry for entry in entries if entry[2] not in known]
    fresh: dict[str, CachedPhoto] = {}

    def counted(done: int) -> None:
        progress(done, len(missing))

    for at in range(0, len(missing), KEEP_EVERY):
        batch = await _read_batch(missing[at : at + KEEP_EVERY], result, counted, at)
        fresh.update(batch)
        if not cache_failed:
            await photo_cache.keep(batch)
    result.read_now = len(fresh)
    wanted = set()
    for item, file, key in entries:
        cached = known.get(key) or fresh.get(key)
        if cached is not None:
            wanted.add(key)
            _add(result, item, file, cached)
    if not cache_failed:
        await _tidy_cache({**known, **fresh}, wanted, forget=not result.errors)
    return result


async def _tidy_cache(cached: dict[str, CachedPhoto], wanted: set[str], *, forget: bool) -> None:
    """Drop the entries of photos gone (``forget``: a folder not read now keeps its entries),
    then the least recently shown ones over the cache's size cap."""
    if forget:
        await photo_cache.forget_others(cached, wanted)
        cached = {key: photo for key, photo in cached.items() if key in wanted}
    await photo_cache.cap(cached, wanted, int(js.Date.now()))


_Entry = tuple[_Found, Any, str]  # the photo, its File, its cache key


async def _files_of(found: list[_Found], result: DevicePhotos) -> list[_Entry]:
    entries = []
    for item in found:
        try:
            file = await item.handle.getFile()
        except JsException as error:  # deleted since the walk: the rest goes on
            result.errors.append(f"{_label(item)} could not be read ({error}).")
            continue
        key = cache_key(item.source, item.path, int(file.size), int(file.lastModified))
        entries.append((item, file, key))
    return entries


async def _read_batch(
    batch: list[_Entry], result: DevicePhotos, progress: Callable[[int], None], before: int
) -> dict[str, CachedPhoto]:
    read = {}
    for number, (item, file, key) in enumerate(batch, before + 1):
        progress(number)
        try:
            read[key] = await read_photo(file)
        except JsException as error:  # changed or deleted while being read
            result.errors.append(f"{_label(item)} could not be read ({error}).")
    return read


async def _find(folders: list[LocalFolder], result: DevicePhotos) -> list[_Found]:
    """The photos in the readable folders; two folders of one name are told apart by number."""
    found: list[_Found] = []
    sources: set[str] = set()
    for folder in folders:
        source, number = DEVICE_PREFIX + folder.name, 1
        while source in sources:
            number += 1
            source = f"{DEVICE_PREFIX}{folder.name} ({number})"
        sources.add(source)
        if folder.access != "granted":
            result.errors.append(f"“{folder.name}”: click “Allow access again”.")
            continue
        try:
            await _walk(folder.handle, source, found, result.not_supported)
        except JsException as error:  # moved or deleted since it was picked: keep the rest
            result.errors.append(f"“{folder.name}” could not be read ({error}).")
    return found


def _label(item: _Found) -> str:
    return f"{item.source.removeprefix(DEVICE_PREFIX)}/{item.path}"


def _add(result: DevicePhotos, item: _Found, file: Any, cached: CachedPhoto) -> None:
    if cached.error:
        result.unreadable.append(f"{_label(item)} ({cached.error})")
        return
    taken, taken_from = cached.taken, EXIF
    if not taken:
        taken, taken_from = file_time(int(file.lastModified) * 1_000_000), FILE_TIME
    result.photos.append(
        Photo(
            item.source,
            item.path,
            taken,
            taken_from,
            cached.width,
            cached.height,
            int(file.size),
            cached.content_hash,
            cached.phash,
        )
    )
    result.thumbnails[(item.source, item.path)] = cached.thumbnail
    result.handles[(item.source, item.path)] = item.handle


async def _walk(root: Any, source: str, found: list[_Found], not_supported: list[str]) -> None:
    pending: list[tuple[Any, str]] = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        iterator = folder.values()
        while not (step := await iterator.next()).done:
            child = step.value
            name = str(child.name)
            if name.startswith(_HIDDEN):
                continue
            if str(child.kind) != "file":
                pending.append((child, f"{prefix}{name}/"))
            elif suffix_of(name) in DECODED:
                found.append(_Found(source, prefix + name, child))
            elif suffix_of(name) in NOT_SUPPORTED:
                not_supported.append(f"{source.removeprefix(DEVICE_PREFIX)}/{prefix}{name}")
        await asyncio.sleep(0)  # clicks and painting run between two folders
    found.sort(key=lambda item: (item.source, item.path))


async def read_photo(file: Any) -> CachedPhoto:
    """The facts of one image ``File``; a file the browser cannot decode gives ``error``."""
    head = bytes((await file.slice(0, HEAD_BYTES).arrayBuffer()).to_bytes())
    digest = await js.crypto.subtle.digest("SHA-256", await file.arrayBuffer())
    content_hash = bytes(digest.to_bytes()).hex()
    try:
        bitmap = await js.createImageBitmap(file, js_options(imageOrientation="from-image"))
    except JsException as error:
        return CachedPhoto("", 0, 0, content_hash, "", None, f"not readable as an image: {error}")
    try:
        width, height = int(bitmap.width), int(bitmap.height)
        thumbnail_canvas = _drawn(bitmap, *_fitted(width, height, THUMBNAIL_SIDE))
        thumbnail = await thumbnail_canvas.convertToBlob(js_options(type="image/jpeg", quality=0.8))
        # Like the server, the pHash is made from the thumbnail, not from the full picture.
        small = _drawn(thumbnail_canvas, SIDE, SIDE)
        rgba = small.getContext("2d").getImageData(0, 0, SIDE, SIDE).data
        phash = phash_of_grey(grey_of_rgba(bytes(rgba.to_py())))
    finally:
        bitmap.close()
    return CachedPhoto(read_exif(head).taken, width, height, content_hash, phash, thumbnail)


def _fitted(width: int, height: int, side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _drawn(source: Any, width: int, height: int) -> Any:
    canvas = js.OffscreenCanvas.new(width, height)
    context = canvas.getContext("2d")
    context.imageSmoothingQuality = "high"
    context.drawImage(source, 0, 0, width, height)
    return canvas
