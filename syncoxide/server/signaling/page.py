"""The receive page a transfer link opens: ``/p/<room>``. The token stays in the fragment."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from syncoxide.server.pages.headers import APP_SHELL_CONTENT_SECURITY_POLICY
from syncoxide.server.pages.shell import VendorBuild, render_app_shell


class ReceivePage:
    def __init__(self, web_root: Path, vendor_dir: Path) -> None:
        self.template_path = web_root / "receive.html"
        self.vendor_dir = vendor_dir

    async def render(self, request: Request) -> Response:
        # Read per request: cheap, and a rebuilt web bundle is picked up without a restart.
        page = render_app_shell(self.template_path.read_text(), VendorBuild.load(self.vendor_dir))
        headers = {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            # PyScript needs what the app shell needs (see pages/headers.py), nothing more.
            "Content-Security-Policy": APP_SHELL_CONTENT_SECURITY_POLICY,
        }
        return HTMLResponse(page, headers=headers)
