"""Scripts a page loads only when a feature needs them (Argon2id, OpenPGP).

The server names each one in ``<meta name="syncoxide-script-PACKAGE" content=URL>`` (URLs of
content-hashed vendor files on our own origin), so pages that never use a feature never
download it. Each script defines one global, which is returned.
"""

from __future__ import annotations

import asyncio
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_once_callable, jsnull  # type: ignore[import-not-found]

from syncoxide.errors import ConfigError

_loading: dict[str, asyncio.Future[None]] = {}


async def load_global(global_name: str, package: str) -> Any:
    """The global ``global_name``, adding the script of ``package`` first if it is missing."""
    loaded = getattr(js, global_name, None)
    if loaded is not None:
        return loaded
    if package not in _loading:
        _loading[package] = _add_script(package)
    await _loading[package]
    return getattr(js, global_name)


def _add_script(package: str) -> asyncio.Future[None]:
    document: Any = getattr(js, "document", None)
    meta = document.querySelector(f'meta[name="syncoxide-script-{package}"]') if document else None
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if meta is None or meta is jsnull:
        done.set_exception(
            ConfigError(
                f"This page cannot load {package}: it does not name the script.",
                hint="Reload the page; if it persists, the web build is incomplete.",
            )
        )
        return done
    script = document.createElement("script")
    script.src = meta.content

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
