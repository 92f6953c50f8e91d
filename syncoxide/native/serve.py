"""``syncoxide serve``: the web app under uvicorn, on the embedded defaults."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import uvicorn

from server.webbuild import ProjectPaths, project_root
from syncoxide.errors import ConfigError, UsageError


def serve(*, host: str, port: int, data_dir: Path | None, build_if_missing: bool) -> int:
    from server.app import create_app
    from server.config import ServerConfig

    if not 0 <= port <= 65535:
        raise UsageError(f"Port {port} is not a TCP port.", hint="Pick one between 1 and 65535.")
    config = ServerConfig.embedded_defaults(data_dir)
    if build_if_missing:
        ensure_web_build(ProjectPaths(project_root()))
    app = create_app(config)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"syncoxide is starting at http://{shown_host}:{port}/  (data in {config.data_dir})")
    print("Press Ctrl-C to stop.", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )
    # uvicorn finishes its graceful shutdown, then re-raises the Ctrl-C it captured.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        return 1
    print("syncoxide stopped.")
    return 0


def ensure_web_build(paths: ProjectPaths) -> None:
    """Build the browser bundle when it is missing, instead of serving a page that cannot load."""
    from server.pages import VendorBuild
    from server.webbuild import build

    try:
        VendorBuild.load(paths.vendor)
    except ConfigError:
        print(
            "The web build is missing: building it now (one-time, takes a few seconds)...",
            file=sys.stderr,
            flush=True,
        )
        build(paths)
