"""Reading an HTML form post, and the one place a page may send the browser on to."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

from syncoxide.server.api.errors import ApiError

MAX_FORM_BODY = 16 * 1024


def safe_next(value: str | None) -> str:
    """Only paths on this site: never ``//host`` or a full URL (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


async def read_form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise ApiError(415, "form_required", "Send this form as a normal HTML form.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BODY:
            raise ApiError(413, "body_too_large", "The form is too large.")
    try:
        fields = parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "malformed_form", "The form could not be read.") from None
    return {name: values[0] for name, values in fields.items()}
