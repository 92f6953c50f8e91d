"""The real servers of the provider tests (rclone S3, wsgidav WebDAV, sshd), for rule tests."""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
    sshd_server,
    wsgidav_server,
)
