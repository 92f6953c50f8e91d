"""The receive page a transfer link opens: ``/p/<room>``. The token stays in the fragment."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from syncoxide.server.pages.shell import VendorBuild
from syncoxide.server.pages.templates import render_page


class ReceivePage:
    def __init__(self, vendor_dir: Path) -> None:
        self.vendor_dir = vendor_dir

    async def render(self, request: Request) -> Response:
        # The manifest is read per request: cheap, and a rebuilt web bundle is picked up
        # without a restart. The Content-Security-Policy is every page's (pages/headers.py).
        build = VendorBuild.load(self.vendor_dir)
        headers = {"Referrer-Policy": "no-referrer"}
        return render_page(request, "receive.html", {"build": build}, headers=headers)
