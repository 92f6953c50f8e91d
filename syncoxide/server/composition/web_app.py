"""The app's own pages and files: the signed-in app page, the health check, the static files and
the web build's vendor folders, read once at start-up and again after each rebuild."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from syncoxide import __version__
from syncoxide.runtime import current_runtime
from syncoxide.server.accounts.auth import session_in_browser, to_sign_in
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.pages.assets import IMMUTABLE, REVALIDATE, file_response, resolve_inside
from syncoxide.server.pages.shell import VIEW_KEYS, VendorBuild
from syncoxide.server.pages.templates import render_page
from syncoxide.server.services import Services, embedded_services


class WebApp:
    """Everything the routes need, read once at start-up."""

    def __init__(self, config: ServerConfig, services: Services | None = None) -> None:
        self.config = config
        self.schema_version = prepare_data_dir(config)
        self.services = services or embedded_services(config)
        self.static_dir = config.web_root / "static"
        self._manifest_stamp = 0
        self._load_build()

    def _load_build(self) -> None:
        """Read the web build, again whenever ``syncoxide build-web`` has replaced it.

        One stat per page load lets a rebuild reach browsers without restarting the server.
        """
        stamp = (
            self.config.manifest_path.stat().st_mtime_ns
            if self.config.manifest_path.exists()
            else 0
        )
        if stamp and stamp == self._manifest_stamp:
            return
        self.build = VendorBuild.load(self.config.vendor_dir)
        self._manifest_stamp = stamp

    async def index(self, request: Request) -> Response:
        """The app, for a signed-in browser; everyone else is sent to sign in first."""
        signed_in = await session_in_browser(request)
        if signed_in is None:
            return to_sign_in(request.url.path)
        self._load_build()
        context = {"build": self.build, "signed_in": signed_in, "view_keys": VIEW_KEYS}
        return render_page(request, "app.html", context)

    async def healthz(self, request: Request) -> Response:
        runtime = current_runtime()
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "python": runtime.python_version,
                "schema_version": self.schema_version,
                "instance": self.services.instance_id,
                "pyodide": self.build.pyodide_version,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def static(self, request: Request) -> Response:
        relative = request.path_params["path"]
        if relative.split("/", 1)[0] == "vendor":
            raise HTTPException(404)
        return self._file_or_404(request, self.static_dir, relative, REVALIDATE)

    async def vendor(self, request: Request) -> Response:
        # Any complete build folder still on disk is served, so a page opened before a rebuild
        # can finish loading; the build keeps the previous generation for that reason.
        folder, path = request.path_params["folder"], request.path_params["path"]
        if not path or not (self.config.vendor_dir / folder).is_dir():
            raise HTTPException(404)
        relative = f"{folder}/{path}"
        return self._file_or_404(request, self.config.vendor_dir, relative, IMMUTABLE)

    def _file_or_404(self, request: Request, root: Path, relative: str, cache: str) -> Response:
        path = resolve_inside(root, relative)
        if path is None:
            raise HTTPException(404)
        return file_response(request, path, cache)
