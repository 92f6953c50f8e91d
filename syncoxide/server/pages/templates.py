"""Every page the server makes: Jinja2 templates under ``templates/``, each extending ``base.html``.

Autoescaping is on for every template, so a value from a user (a link's title, a file's name,
a token's label) can never become markup; ``StrictUndefined`` turns a misspelt name into an
error in the tests instead of an empty string on a page.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from syncoxide import __version__
from syncoxide.server.pages.shell import VendorBuild
from syncoxide.units import format_bytes

NO_STORE = {"Cache-Control": "no-store"}


def when(timestamp: int | None) -> str:
    """A deadline or expiry as people read it, in UTC."""
    if timestamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("syncoxide.server.pages", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["bytes"] = format_bytes
    environment.filters["when"] = when
    environment.globals["version"] = __version__
    return environment


TEMPLATES = Jinja2Templates(env=_environment())


def render_page(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page ``name`` with ``context``; never cached unless ``headers`` says otherwise."""
    return TEMPLATES.TemplateResponse(
        request, name, dict(context), status_code=status, headers={**NO_STORE, **(headers or {})}
    )


def lazy_script_tags(build: VendorBuild) -> str:
    """The ``<meta>`` tags naming scripts loaded on first use, for pages made outside a request
    (the browser tests' own pages): the same macro the app and the receive page use."""
    macros: Any = TEMPLATES.env.get_template("_python_boot.html").module
    return str(macros.lazy_scripts(build))
