"""Backup tests use the shared real servers (rclone S3, wsgidav WebDAV, sshd: tests/servers.py).

They listen on loopback, which a server refuses to connect to for its users unless allowed:
these tests allow it as an operator would (``_loopback_allowed``, as the rule tests do).
"""

from tests.server.rules.conftest import _loopback_allowed  # noqa: F401 - autouse fixture
