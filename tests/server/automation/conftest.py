"""The real S3 server (``rclone serve s3``) for automation rules on an S3 connection."""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
)
