"""The real servers (``rclone serve s3``, sshd) for automation rules on S3 and SFTP
connections."""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    rclone_s3,
    sshd_server,
)
