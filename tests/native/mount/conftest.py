"""The real S3 server of the provider tests, for the mount tests too."""

from tests.native.providers.conftest import _no_ca_bundle, rclone_s3

__all__ = ["_no_ca_bundle", "rclone_s3"]
