"""``/unsubscribe/{ticket}``: stop one share's change digests, from the link in a digest.

GET shows a button (a mail scanner that follows links changes nothing); POST, the button or a
mail client's one-click (RFC 8058), unsubscribes. The ticket is a MAC, so it needs no sign-in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.accountshares.digest import read_ticket
from syncoxide.server.pages.templates import render_page
from syncoxide.server.services import services_of


async def unsubscribe(request: Request) -> Response:
    services = services_of(request)
    found = read_ticket(services.signing, request.path_params["ticket"])
    if found is None:
        context = {
            "title": "Link not valid",
            "message": "This unsubscribe link is not one this server made. Copy the whole link.",
            "ask": False,
        }
        return render_page(request, "shares/unsubscribe.html", context, status=404)
    if request.method == "POST":
        request.app.state.account_shares.store.unsubscribe(*found)
        context = {
            "title": "Unsubscribed",
            "message": "You will get no more change emails for this share.",
            "ask": False,
        }
        return render_page(request, "shares/unsubscribe.html", context)
    context = {
        "title": "Stop change emails?",
        "message": "You will get no more emails about changes in this share.",
        "ask": True,
    }
    return render_page(request, "shares/unsubscribe.html", context)


def unsubscribe_routes() -> list[BaseRoute]:
    return [Route("/unsubscribe/{ticket}", unsubscribe, methods=["GET", "POST"])]
