"""``syncoxide send --also-upload``: the same files as a share link, named as the room's fallback.

While the sender waits for (and serves) the receiver, a background thread creates a share and
uploads every file into it over tus (``cli_links.upload_file``: checksummed chunks, retried),
under the same relative paths as the manifest. Only when the server lists every file with the
manifest's size and SHA-256 is the share named in the room, so a receiver that falls back to it
gets exactly what the sender announced. The thread is a daemon: Ctrl-C does not wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx2

from syncoxide.cli.links.command import UPLOAD_TIMEOUT, upload_file
from syncoxide.cli.login import call_api
from syncoxide.errors import IntegrityError, TransportError
from syncoxide.native.p2p.files import SourceFiles
from syncoxide.protocol.server_copy import mismatch

T = TypeVar("T")


def upload_server_copy(server: str, token: str, sources: SourceFiles, title: str) -> str:
    """Fill a new share with ``sources``; return its link path (``/s/<id>``) once verified."""
    try:
        return _upload(server, token, sources, title)
    except (OSError, httpx2.HTTPError) as error:  # a file gone unreadable, a cut connection
        raise TransportError(f"The server copy could not be uploaded: {error}.") from None


def _upload(server: str, token: str, sources: SourceFiles, title: str) -> str:
    share = call_api(server, token, "POST", "/shares", body={"title": title[:200]})
    auth = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=server, headers=auth, timeout=UPLOAD_TIMEOUT) as client:
        for path, entry in zip(sources.paths, sources.manifest.files, strict=True):
            upload_file(client, path, {"share": share["id"], "path": entry.path})
    listed = call_api(server, token, "GET", f"/shares/{share['id']}")
    if why := mismatch(sources.manifest, listed.get("files", [])):
        raise IntegrityError(
            f"The server copy does not match the files sent: {why}",
            hint="It was not offered to the receiver; the peer-to-peer transfer goes on.",
        )
    return str(share["url"])


def title_of(sources: SourceFiles) -> str:
    first = sources.manifest.files[0].path if sources.manifest.files else "files"
    return first.split("/", 1)[0]


def in_daemon_thread(work: Callable[[], T]) -> asyncio.Future[T]:
    """Run ``work`` in a thread the interpreter does not wait for at exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return  # the waiting task was cancelled
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def run() -> None:
        result, failure = None, None
        try:
            result = work()
        except BaseException as error:  # handed to the awaiting task, raised there
            failure = error
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, result, failure)

    threading.Thread(target=run, daemon=True, name="server-copy").start()
    return future
