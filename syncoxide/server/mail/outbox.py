"""Mail leaves the server through the operator's SMTP server, over aiosmtplib.

``[mail]`` in the settings file names the server, how the connection is protected (STARTTLS,
TLS from the start, or none for a relay on this machine), the login and the From address.
Without it the server sends nothing: anything that asks for mail gets ``FeatureOffError``
("email is off"), which the API answers with 409, and features that mail on their own (an
invitation, a digest) skip the mail and keep their other notices.

Addresses are checked here before any message is built: one address, no line breaks, so a
request cannot add recipients or headers.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from syncoxide.errors import FeatureOffError, InvalidInputError, TransportError
from syncoxide.server.config import MailSettings

log = logging.getLogger("syncoxide.server.mail")
SEND_SECONDS = 30.0
MAX_ADDRESS = 254
_ADDRESS = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]{2,}$")


def check_address(text: str) -> str:
    """``text`` as one plain email address, or an ``InvalidInputError`` saying why not."""
    address = text.strip()
    if len(address) > MAX_ADDRESS or not _ADDRESS.match(address):
        raise InvalidInputError(
            f"{text[:80]!r} is not an email address.",
            hint="Write one address, like ana@example.org.",
        )
    return address


def looks_like_address(text: str) -> bool:
    return "@" in text


class Mailer:
    def __init__(self, settings: MailSettings | None) -> None:
        self.settings = settings

    @property
    def on(self) -> bool:
        return self.settings is not None

    def require(self) -> MailSettings:
        if self.settings is None:
            raise FeatureOffError(
                "Email is off on this server.",
                hint="The operator turns it on with [mail] host and from in the settings file "
                "(docs/email.md); share the link another way meanwhile.",
            )
        return self.settings

    def public_url(self, request_base: str) -> str:
        """The address links in messages start with: the configured one, else the request's."""
        configured = self.settings.public_url if self.settings else ""
        return configured or request_base.rstrip("/")

    async def send(
        self,
        to: str,
        subject: str,
        text: str,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Send one plain-text message; its Message-ID. ``TransportError`` if it did not go."""
        settings = self.require()
        message = compose(settings, check_address(to), subject, text=text, headers=headers or {})
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.host,
                port=settings.port,
                username=settings.user or None,
                password=settings.password or None,
                use_tls=settings.security == "ssl",
                start_tls=settings.security == "starttls",
                timeout=SEND_SECONDS,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("mail to the SMTP server %s failed: %s", settings.host, error)
            raise TransportError(
                f"The mail server did not take the message ({type(error).__name__}: {error}).",
                hint="Nothing else changed; try again later or tell the operator.",
            ) from None
        return str(message["Message-ID"])


def compose(
    settings: MailSettings, to: str, subject: str, *, text: str, headers: dict[str, str]
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to the server
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    return message
