"""The FAKE Drive and Dropbox servers, one of each per test session, served on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_gdrive import FakeDrive
from tests.fakes.serving import served


@pytest.fixture(scope="session")
def fake_drive_server() -> Iterator[tuple[FakeDrive, str]]:
    fake = FakeDrive()
    with served(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_drive(fake_drive_server: tuple[FakeDrive, str]) -> Iterator[tuple[FakeDrive, str]]:
    fake, url = fake_drive_server
    yield fake, url
    # A test that changed the fake's behaviour must not leak it into the next one.
    fake.faults.pending.clear()
    fake.tokens.refuse_renewals = False


@pytest.fixture(scope="session")
def fake_dropbox_server() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    with served(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_dropbox(fake_dropbox_server: tuple[FakeDropbox, str]) -> Iterator[tuple[FakeDropbox, str]]:
    fake, url = fake_dropbox_server
    yield fake, url
    fake.faults.pending.clear()
    fake.tokens.refuse_renewals = False
