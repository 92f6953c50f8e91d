"""Playwright driving Debian's Chromium (never a downloaded browser) against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e


# Module scope: Playwright's sync API keeps an asyncio loop running while it is open, and
# tests elsewhere call asyncio.run(); closing the browser after each module lets them.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `./dev test` installs it with apt-get install chromium"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
