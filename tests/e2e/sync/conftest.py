"""The real servers of the provider tests (rclone S3, wsgidav WebDAV), for the rules e2e test."""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
    wsgidav_server,
)
