"""Which Python runtime the core is running on, described for people and for logs.

The core never branches on this (platform choices are made where the program is assembled);
it only reports it, so the app's first screen and bug reports can say where the code runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from syncoxide import __version__


@dataclass(frozen=True)
class RuntimeInfo:
    core_version: str
    python_version: str
    implementation: str
    platform: str
    in_browser: bool

    def describe(self) -> str:
        where = "in the browser (Pyodide)" if self.in_browser else f"on {self.platform}"
        return f"syncoxide {self.core_version}, {self.implementation} {self.python_version} {where}"


def current_runtime() -> RuntimeInfo:
    version = ".".join(str(part) for part in sys.version_info[:3])
    return RuntimeInfo(
        core_version=__version__,
        python_version=version,
        implementation=sys.implementation.name,
        platform=sys.platform,
        in_browser=sys.platform == "emscripten",
    )
