"""``python -m syncoxide.server.webbuild``: build the vendor folder and say what was built."""

from __future__ import annotations

import sys
import time

from syncoxide.errors import SyncoxideError
from syncoxide.server.webbuild import ProjectPaths, build, project_root


def main() -> int:
    started = time.perf_counter()
    try:
        manifest = build(ProjectPaths(project_root()))
    except SyncoxideError as error:
        print(f"web build failed: {error}", file=sys.stderr)
        return 1
    total = sum(manifest["wire_bytes"].values())
    print(
        f"web build ready in {time.perf_counter() - started:.1f} s: "
        f"{manifest['pyodide']['path']} "
        f"({total / 1e6:.1f} MB over the wire if every file were fetched)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
