"""``/connections/consent/callback``: where Google or Dropbox send the browser back.

A page route, not an API one: the browser arrives here from the provider's consent screen. It
finishes the consent for the signed-in user and returns to the app's Files view with the
outcome in the query (``connected`` or ``consent_error``), which the view shows.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.errors import SyncoxideError
from syncoxide.server.accounts.auth import session_in_browser, to_sign_in

CALLBACK_PATH = "/connections/consent/callback"


def callback_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}{CALLBACK_PATH}"


def _back_to_files(**outcome: str) -> Response:
    return RedirectResponse(
        f"/?{urlencode(outcome)}#/files", 303, headers={"Cache-Control": "no-store"}
    )


async def consent_callback(request: Request) -> Response:
    signed_in = await session_in_browser(request)
    if signed_in is None:
        return to_sign_in("/")
    query = request.query_params
    flows = request.app.state.rules.consents
    try:
        added = await flows.finish(
            signed_in.user.id, query.get("state", ""), query.get("code", ""), query.get("error", "")
        )
    except SyncoxideError as error:
        return _back_to_files(consent_error=str(error))
    return _back_to_files(connected=added.name)


def consent_routes() -> list[BaseRoute]:
    return [Route(CALLBACK_PATH, consent_callback, methods=["GET"])]
