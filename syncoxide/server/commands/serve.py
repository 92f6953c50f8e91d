"""``syncoxide serve``: the web app under uvicorn, on the embedded defaults."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from syncoxide.errors import ConfigError, UsageError
from syncoxide.server.webbuild import ProjectPaths, project_root

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from syncoxide.server.config import GrpcAddress, ServerConfig


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the web app and API server")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the database and files live (default: your user data directory)",
    )
    serve.add_argument(
        "--grpc-port",
        type=int,
        default=None,
        help="also serve the gRPC API on this port, same host (default: off)",
    )
    serve.add_argument(
        "--check-config",
        action="store_true",
        help="check that the database, blob store and message bus answer, then exit "
        "(0 when all do)",
    )
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    if args.check_config:
        return check_config(args.data_dir)
    return serve(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        build_if_missing=True,
        grpc_port=args.grpc_port,
    )


def _check_port(port: int) -> None:
    if not 0 <= port <= 65535:
        raise UsageError(f"Port {port} is not a TCP port.", hint="Pick one between 1 and 65535.")


def serve(
    *,
    host: str,
    port: int,
    data_dir: Path | None,
    build_if_missing: bool,
    grpc_port: int | None = None,
) -> int:
    from syncoxide.server.app import create_app
    from syncoxide.server.config import GrpcAddress, ServerConfig
    from syncoxide.server.datadir_lock import serving

    _check_port(port)
    grpc = None
    if grpc_port is not None:
        _check_port(grpc_port)
        grpc = GrpcAddress(host, grpc_port)
    config = ServerConfig.embedded_defaults(data_dir)
    if build_if_missing:
        ensure_web_build(ProjectPaths(project_root()))
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with serving(config.data_dir):  # no migration may copy the directory while it serves
        return _run(config, host, port, grpc=grpc, app=create_app(config, grpc=grpc))


def _run(
    config: ServerConfig, host: str, port: int, *, grpc: GrpcAddress | None, app: Starlette
) -> int:
    shown_host = f"[{host}]" if ":" in host else host
    print(f"syncoxide is starting at http://{shown_host}:{port}/  (data in {config.data_dir})")
    if grpc is not None:
        print(f"gRPC API at {grpc.target} (plaintext: put TLS in front beyond this machine)")
    print("Press Ctrl-C to stop.", flush=True)
    # uvicorn's own proxy handling believes X-Forwarded-For from loopback by default; the app
    # applies the configured proxies instead (create_app, ServerConfig.trusted_proxies).
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            proxy_headers=False,
        )
    )
    # uvicorn finishes its graceful shutdown, then re-raises the Ctrl-C it captured.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        return 1
    print("syncoxide stopped.")
    return 0


def check_config(data_dir: Path | None) -> int:
    """Print one verdict per target of the deployment; 0 when every one answered."""
    from syncoxide.server.config import ServerConfig
    from syncoxide.server.deployment.check import check_deployment

    config = ServerConfig.embedded_defaults(data_dir)
    results = asyncio.run(check_deployment(config))
    for result in results:
        print(result.line())
    failed = [result.part for result in results if not result.ok]
    if failed:
        print(f"Not ready: {', '.join(failed)} did not answer. Nothing was changed.")
        return 1
    print("Ready: every part of the deployment answers.")
    return 0


def ensure_web_build(paths: ProjectPaths) -> None:
    """Build the browser bundle when it is missing, instead of serving a page that cannot load."""
    from syncoxide.server.pages.shell import VendorBuild
    from syncoxide.server.webbuild import build

    try:
        VendorBuild.load(paths.vendor)
    except ConfigError:
        print(
            "The web build is missing: building it now (one-time, takes a few seconds)...",
            file=sys.stderr,
            flush=True,
        )
        build(paths)
