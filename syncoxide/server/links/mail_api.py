"""Email a share link or a request link to an address: "we'll email the link to them".

The owner names the address and may add a note; the message says who sent the link and what
it is for. The key of an end-to-end encrypted share lives only in the link's ``#fragment``,
which the server never sees, so such a share is refused here: its owner sends it themself.
"""

from __future__ import annotations

from typing import Any

from syncoxide.errors import TransportError, UsageError
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import STR, Call, Operation, obj
from syncoxide.server.links.share_routes import links_of
from syncoxide.server.links.store import Link
from syncoxide.server.mail.outbox import MAX_ADDRESS
from syncoxide.server.services import services_of

_BODY = obj(
    ("to",),
    to={"type": "string", "minLength": 3, "maxLength": MAX_ADDRESS},
    note={"type": "string", "maxLength": 2000},
)
_SENT = obj(("to", "message_id"), to=STR, message_id=STR)


def _sender_name(call: Call) -> str:
    return call.user.display_name or call.user.name


def link_message(link: Link, url: str, sender: str, note: str) -> tuple[str, str]:
    """The subject and text of a link's message."""
    title = link.title or ("files" if link.kind == "share" else "a file request")
    if link.kind == "share":
        subject = f"{sender} shared {title} with you"
        lead = f"{sender} shared {title} with you. Open it here:"
    else:
        subject = f"{sender} asks you for files: {title}"
        lead = f"{sender} asks you to upload files ({title}). Upload them here:"
    parts = [lead, "", url, ""]
    if note.strip():
        parts += [f"{sender} wrote:", note.strip(), ""]
    if link.password_hash is not None:
        parts += [f"The link is protected by a password; {sender} will tell you it.", ""]
    parts.append("This message was sent by a syncoxide server on their behalf.")
    return subject, "\n".join(parts)


async def _email(call: Call, kind: str) -> dict[str, Any]:
    services = services_of(call.request)
    link = await links_of(call.request).owned(call.user, call.request.path_params["link_id"], kind)
    services.mailer.require()  # "email is off" (409) before the link is looked at further
    if link.encrypted:
        raise UsageError(
            "An end-to-end encrypted share's key is only in your copy of the link.",
            hint="Send that link yourself; the server cannot, and must not, see its key.",
        )
    prefix = "s" if kind == "share" else "r"
    base = services.mailer.public_url(str(call.request.base_url))
    url = f"{base}/{prefix}/{link.id}"
    subject, text = link_message(link, url, _sender_name(call), call.json.get("note", ""))
    try:
        message_id = await services.mailer.send(call.json["to"], subject, text)
    except TransportError as error:
        raise ApiError(502, "mail_failed", f"{error.message} {error.hint}") from None
    return {"to": call.json["to"].strip(), "message_id": message_id}


async def email_share(call: Call) -> dict[str, Any]:
    return await _email(call, "share")


async def email_request(call: Call) -> dict[str, Any]:
    return await _email(call, "request")


LINK_MAIL_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST",
        "/shares/{link_id}/email",
        email_share,
        "Email a share link to an address (409 when email is off)",
        body=_BODY,
        answer=_SENT,
    ),
    Operation(
        "POST",
        "/requests/{link_id}/email",
        email_request,
        "Email a request link to an address (409 when email is off)",
        body=_BODY,
        answer=_SENT,
    ),
)
