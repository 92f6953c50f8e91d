"""A file encrypted by the CLI opens in the browser, and one encrypted in the browser opens in
the CLI, byte for byte: the same core formats over `cryptography` and over WebCrypto."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.conftest import LiveServer, run_cli
from tests.e2e.browser_python import run_python_in_page

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
# Several 64 KiB chunks and a short last one.
PLAINTEXT = hashlib.sha256(b"cross-runtime").digest() * (3 * 65536 // 32 + 1000)

BROWSER_SIDE = """
import hashlib
from syncoxide.crypto import stream, vault
from syncoxide.crypto.keys import SecretBytes
from syncoxide.system import SystemRandom
from syncoxide_web.platform.webcrypto import WebCryptoBackend
import js
from pyodide.ffi import to_js

async def fetch_bytes(url):
    response = await js.fetch(url)
    assert response.ok, url
    return (await response.arrayBuffer()).to_bytes()

def reader(data):
    position = 0
    async def read(size):
        nonlocal position
        chunk = data[position:position + size]
        position += len(chunk)
        return chunk
    return read

backend = WebCryptoBackend()
password = SecretBytes({password!r}.encode())

# 1. Open what the CLI wrote.
sealed = await fetch_bytes("/__test__/from-cli.sxc")
record = vault.parse_vault(sealed[:vault.VAULT_SIZE_V1])
master = await vault.unlock_vault(backend, record, password)
read = reader(sealed[vault.VAULT_SIZE_V1:])
opener = await stream.FileOpener.create(backend, master, await stream.read_header(read))
parts = []
async def collect(data):
    parts.append(data)
await stream.open_stream(opener, read, collect)
assert hashlib.sha256(b"".join(parts)).hexdigest() == {digest!r}

# 2. Encrypt the same bytes here, in the CLI's file layout, and hand them back.
record, master = await vault.create_vault(backend, password, SystemRandom())
out = [record.encode()]
async def keep(data):
    out.append(data)
sealer = await stream.FileSealer.create(backend, master, SystemRandom())
await stream.seal_stream(sealer, reader(b"".join(parts)), keep)
body = to_js(b"".join(out))
answer = await js.fetch("/__test__/from-browser.sxc", method="POST", body=body)
assert answer.ok
"""


@pytest.fixture()
def page(browser: Browser) -> Page:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_cli_and_browser_read_each_others_files(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    (tmp_path / "password").write_text(PASSWORD)
    (tmp_path / "plain.bin").write_bytes(PLAINTEXT)
    made = run_cli(
        "encrypt",
        "--password-file",
        tmp_path / "password",
        tmp_path / "plain.bin",
        tmp_path / "from-cli.sxc",
    )
    assert made.returncode == 0, made.stderr
    received: list[bytes] = []

    def take_upload(route: Route) -> None:
        received.append(route.request.post_data_buffer or b"")
        route.fulfill(status=204)

    page.route(
        f"{live_server.url}/__test__/from-cli.sxc",
        lambda route: route.fulfill(
            status=200,
            body=(tmp_path / "from-cli.sxc").read_bytes(),
            content_type="application/octet-stream",
        ),
    )
    page.route(f"{live_server.url}/__test__/from-browser.sxc", take_upload)
    code = BROWSER_SIDE.format(password=PASSWORD, digest=hashlib.sha256(PLAINTEXT).hexdigest())
    result = run_python_in_page(page, live_server.url, code)
    assert result == "ok", result

    (tmp_path / "from-browser.sxc").write_bytes(received[0])
    opened = run_cli(
        "decrypt",
        "--password-file",
        tmp_path / "password",
        tmp_path / "from-browser.sxc",
        tmp_path / "roundtrip.bin",
    )
    assert opened.returncode == 0, opened.stderr
    assert (tmp_path / "roundtrip.bin").read_bytes() == PLAINTEXT
