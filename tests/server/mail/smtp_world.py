"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests.

It runs in its own thread, as aiosmtpd's controller does; with ``tls=True`` it offers and
requires STARTTLS with a throwaway certificate for 127.0.0.1, which the client is made to
trust through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.certificates import self_signed_loopback
from tests.conftest import free_port

SMTP_USER, SMTP_PASSWORD = "mailer", "smtp secret 42"


@dataclass
class Inbox:
    host: str
    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def wait(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} messages arrived"
        return [message for _, message in self.received]

    def settings(self, **extra: str | int) -> str:
        """A ``[mail]`` table pointing at this server."""
        values: dict[str, str | int] = {
            "host": self.host,
            "port": self.port,
            "security": "none",
            "from": "files@example.org",
            **extra,
        }
        lines = [f"{k} = {v}" if isinstance(v, int) else f'{k} = "{v}"' for k, v in values.items()]
        return "[mail]\n" + "\n".join(lines) + "\n"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
    ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # a refusal answers 535 itself


@contextmanager
def smtp_server(tls_dir: Path | None = None) -> Iterator[Inbox]:
    """An SMTP server on a free loopback port; with ``tls_dir``, STARTTLS and login required."""
    inbox = Inbox("127.0.0.1", free_port())
    options: dict[str, Any] = {}
    if tls_dir is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*self_signed_loopback(tls_dir, "smtp"))
        options = {
            "tls_context": context,
            "require_starttls": True,
            "authenticator": _authenticate,
            "auth_required": True,
        }
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
