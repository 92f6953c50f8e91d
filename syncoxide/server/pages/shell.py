"""The web build as the pages that run Python see it: its vendor folders and wheels.

The app shell is the only HTML a browser must fetch fresh; it names the content-hashed vendor
folders, so a new build reaches browsers on their next load while everything else comes from
their cache. The pages themselves are templates (``pages/templates.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide.errors import ConfigError
from syncoxide.server.webbuild.assemble import LAZY_SCRIPTS, MANIFEST_NAME

BUILD_HINT = (
    "Build it with `syncoxide build-web` (needs `npm ci` first), or start the app with "
    "`./dev start`, which does both."
)

# Files the app shell needs before Python runs; the boot progress bar is measured against them.
_BOOT_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)


@dataclass(frozen=True)
class VendorBuild:
    pyodide_path: str
    pyodide_version: str
    packages: tuple[str, ...]
    boot_bytes: int
    #: script name -> its URL, for ``<meta name="syncoxide-script-NAME">`` tags.
    lazy_scripts: tuple[tuple[str, str], ...]
    #: file names of the wheels of ``packages``, fetched while the interpreter starts.
    wheels: tuple[str, ...] = ()

    @classmethod
    def load(cls, vendor_dir: Path) -> VendorBuild:
        manifest_path = vendor_dir / MANIFEST_NAME
        try:
            manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        except (OSError, ValueError) as error:
            raise ConfigError(
                f"The web build is missing or unreadable ({manifest_path}).", hint=BUILD_HINT
            ) from error
        pyodide = manifest["pyodide"]["path"]
        if not (vendor_dir / pyodide).is_dir():
            raise ConfigError("The web build is incomplete.", hint=BUILD_HINT)
        wire = manifest["wire_bytes"]
        boot = sum(
            size
            for name, size in wire.items()
            if name.split("/")[-1] in _BOOT_FILES or name.endswith(".whl")
        )
        return cls(
            pyodide,
            manifest["pyodide"]["version"],
            tuple(manifest["packages"]),
            boot,
            tuple(
                (name, f"/vendor/{manifest[package]['path']}/{script}")
                for name, (package, script) in LAZY_SCRIPTS.items()
            ),
            _wheels_of(manifest["packages"], [name.split("/")[-1] for name in wire]),
        )


def _wheels_of(packages: list[str], files: list[str]) -> tuple[str, ...]:
    """The wheel file of each package (a wheel's name spells ``-`` as ``_``)."""
    prefixes = tuple(package.replace("-", "_") + "-" for package in packages)
    return tuple(sorted(f for f in files if f.endswith(".whl") and f.startswith(prefixes)))


#: The app's views in navigation order; each is ``templates/views/<key>.html``, its static
#: layout, put into the app shell so the app is usable before Python runs.
VIEW_KEYS = (
    "home",
    "files",
    "all",
    "recent",
    "starred",
    "shared",
    "trash",
    "space",
    "photos",
    "history",
    "sync",
    "send",
    "shares",
    "requests",
    "vault",
    "backups",
    "automation",
    "devices",
    "settings",
)
#: Views opened from another view rather than from the navigation (a file's History).
OPENED_FROM_VIEWS = ("history",)
