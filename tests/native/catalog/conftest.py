"""The real servers of the provider tests, shared here (one of each per session)."""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, found by name
    _no_ca_bundle,
    moto_s3,
    rclone_s3,
    sshd_server,
    wsgidav_server,
)
from tests.native.providers_cloud.conftest import (  # noqa: F401
    fake_drive_server,
    fake_dropbox_server,
)
