"""The real servers of the provider tests (rclone S3, wsgidav WebDAV, sshd), for backup tests.

They listen on loopback, which a server refuses to connect to for its users unless allowed:
these tests allow it as an operator would (``_loopback_allowed``, as the rule tests do).
"""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
    sshd_server,
    wsgidav_server,
)
from tests.server.rules.conftest import _loopback_allowed  # noqa: F401 - autouse fixture
