"""What a failed request gets back: JSON for API calls and clients that ask for it, the error
page for a browser. One handler for Starlette's HTTP errors and for anything unexpected."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from syncoxide.server.api.spec import PREFIX as API_PREFIX
from syncoxide.server.pages.templates import render_page

#: Status -> (API error code, page title, message); anything not listed answers as a 500.
STATUS_TEXT = {
    404: (
        "not_found",
        "Not found",
        "Nothing is at this address. Check the link, or start from the app's home page.",
    ),
    405: (
        "method_not_allowed",
        "Not allowed",
        "This address does not accept that kind of request.",
    ),
    500: ("http_error", "Request failed", "The server could not answer this request."),
}


async def http_error(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    code, title, message = STATUS_TEXT.get(status, STATUS_TEXT[500])
    wants_json = "application/json" in request.headers.get("accept", "")
    if wants_json or request.url.path.startswith(API_PREFIX + "/"):
        return JSONResponse({"error": code, "message": message}, status_code=status)
    context = {"title": title, "message": message, "path": request.url.path}
    headers = getattr(error, "headers", None) or {}
    return render_page(request, "error.html", context, status=status, headers=headers)


#: The app's exception handlers: every error goes through ``http_error``.
EXCEPTION_HANDLERS = {HTTPException: http_error, Exception: http_error}
