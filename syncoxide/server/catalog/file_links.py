"""``/f/<id>``: a stable link to a file or folder in the global view.

The id is the index's own number for the entry, kept when the entry is renamed or moved
inside its provider. The link opens the app on All files with that entry shown, for its owner
only: anyone else, signed in or not with the right account, gets the same 404 as for an id that
never existed (ids are sequential, so they must not tell whether a file exists). Someone not
signed in is sent to sign in first and comes back here.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from syncoxide.errors import NotFoundError
from syncoxide.server.accounts.auth import session_in_browser, to_sign_in
from syncoxide.server.catalog.service import CatalogService

NO_STORE = {"Cache-Control": "no-store"}


async def open_file_link(request: Request) -> Response:
    signed_in = await session_in_browser(request)
    if signed_in is None:
        return to_sign_in(request.url.path)
    catalog: CatalogService = request.app.state.catalog
    entry_id = int(request.path_params["entry_id"])
    try:
        await catalog.by_id(signed_in.user.id, entry_id)
    except NotFoundError:
        raise HTTPException(404) from None
    return RedirectResponse(f"/?f={entry_id}#/all", 303, headers=NO_STORE)


def routes() -> list[Route]:
    return [Route("/f/{entry_id:int}", open_file_link, methods=["GET", "HEAD"])]
