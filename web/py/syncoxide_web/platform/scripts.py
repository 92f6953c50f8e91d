"""Scripts a page loads only when a feature needs them (Argon2id, OpenPGP, the p2p data plane).

The server names each vendor script in ``<meta name="syncoxide-script-NAME" content=URL>`` (URLs
of content-hashed vendor files on our own origin), so pages that never use a feature never
download it. Our own scripts are at fixed ``/static/`` paths. Each script defines one global,
which is returned.
"""

from __future__ import annotations

import asyncio
from typing import Any

import js
from pyodide.ffi import create_once_callable

from syncoxide.errors import ConfigError
from syncoxide_web.platform.dom import present

_loading: dict[str, asyncio.Future[None]] = {}


async def load_global(global_name: str, package: str) -> Any:
    """The global ``global_name``, adding the script named ``package`` first if it is missing."""
    loaded = getattr(js, global_name, None)
    if loaded is not None:
        return loaded
    if package not in _loading:
        _loading[package] = _add_script(package, script_url(package))
    await _loading[package]
    return getattr(js, global_name)


async def load_static(global_name: str, path: str) -> Any:
    """The global ``global_name`` defined by our own script at ``path`` (``/static/...``)."""
    loaded = getattr(js, global_name, None)
    if loaded is not None:
        return loaded
    if path not in _loading:
        _loading[path] = _add_script(path, path)
    await _loading[path]
    return getattr(js, global_name)


def script_url(name: str) -> str:
    """The URL the page names for the vendor script ``name`` (also for a worker to import)."""
    document: Any = getattr(js, "document", None)
    selector = f'meta[name="syncoxide-script-{name}"]'
    meta: Any = document.querySelector(selector) if document else None
    if not present(meta):
        raise ConfigError(
            f"This page cannot load {name}: it does not name the script.",
            hint="Reload the page; if it persists, the web build is incomplete.",
        )
    return str(meta.content)


def _add_script(package: str, url: str) -> asyncio.Future[None]:
    document: Any = js.document
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    script = document.createElement("script")
    script.src = url

    def failed(_event: Any) -> None:
        _loading.pop(package, None)  # let a later try load it again
        done.set_exception(
            ConfigError(
                f"{package} could not be downloaded.", hint="Check your connection and try again."
            )
        )

    script.addEventListener("load", create_once_callable(lambda _event: done.set_result(None)))
    script.addEventListener("error", create_once_callable(failed))
    document.head.appendChild(script)
    return done
