"""The real S3 server (moto) for provider-history tests."""

from tests.native.providers.conftest import (  # noqa: F401 - fixtures, registered by name
    _no_ca_bundle,
    moto_s3,
)
