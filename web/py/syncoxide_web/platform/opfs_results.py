"""Results made in the page (decrypted files, archives) go to a private folder of the
origin-private file system as they are written, then are offered as a download: the file is
disk-backed, so a result bigger than memory still downloads."""

from __future__ import annotations

import contextlib
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide_web.platform.dom import element, make


def _options(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


async def fresh_results_folder(name: str) -> Any:
    """The private folder ``name``, emptied first (earlier results are not kept)."""
    root = await js.navigator.storage.getDirectory()
    with contextlib.suppress(JsException):  # nothing to clear on first use
        await root.removeEntry(name, _options(recursive=True))
    return await root.getDirectoryHandle(name, _options(create=True))


async def offer_download(handle: Any, name: str, where: str, link_id: str) -> None:
    """Add a "Save" link for ``handle`` inside element ``where`` and start the download."""
    url = js.URL.createObjectURL(await handle.getFile())  # file-backed: not read into memory
    link = make("a", f"Save {name}", href=url, download=name, id=link_id)
    element(where).appendChild(link)
    link.click()
