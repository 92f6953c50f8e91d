"""Holds Python back in a page: the core wheel's request is answered only when a test says so.

With it, a test sees what a page does before Python runs however fast the machine is.
"""

from __future__ import annotations

from playwright.sync_api import Page, Route


class HeldWheel:
    """Answers the wheels' requests only after ``release``."""

    def __init__(self, page: Page) -> None:
        self.routes: list[Route] = []
        page.route("**/*.whl", self.hold)

    def hold(self, route: Route) -> None:
        self.routes.append(route)

    def release(self, page: Page) -> None:
        while not self.routes:  # the request may still be on its way to us
            page.wait_for_timeout(50)
        for route in self.routes:
            route.continue_()
        page.unroute("**/*.whl")
