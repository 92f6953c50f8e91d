"""aiohttp's default SSL contexts load the CA certificates at their first TLS connection, not
at import, and still verify every peer.

Each case runs in a fresh interpreter (the deferral acts on the first import of
``aiohttp.connector``) against a real TLS server on loopback whose self-signed certificate is
trusted only through ``SSL_CERT_FILE``, which OpenSSL reads when the certificates load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.certificates import self_signed_loopback
from tests.conftest import PROJECT_ROOT

PROBE = """
import asyncio, json, ssl, sys
from syncoxide.native.deferred_tls import defer_aiohttp_certificates, waiting_contexts
if sys.argv[1] == "defer":
    defer_aiohttp_certificates()
import aiohttp
import aiohttp.connector
from aiohttp import web

def certificates():
    return aiohttp.connector._SSL_CONTEXT_VERIFIED.cert_store_stats()["x509_ca"]

found = {"after_import": certificates(), "waiting": waiting_contexts(),
         "stdlib_still_loads": ssl.create_default_context().cert_store_stats()["x509_ca"] > 0}

async def fetch():
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(sys.argv[2], sys.argv[3])
    app = web.Application()
    app.router.add_get("/", lambda request: web.Response(text="hello"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=served)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"https://127.0.0.1:{port}/") as reply:
                return await reply.text()
    except aiohttp.ClientConnectorCertificateError:
        return "refused"
    finally:
        await runner.cleanup()

found["answer"] = asyncio.run(fetch())
found["after_use"] = certificates()
found["waiting_after"] = waiting_contexts()
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_loopback(tmp_path_factory.mktemp("tls"), "server")


def _probe(mode: str, certificate: tuple[Path, Path], *, trusted: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    if trusted:
        env["SSL_CERT_FILE"] = str(certificate[0])
    run = subprocess.run(
        [sys.executable, "-c", PROBE, mode, *map(str, certificate)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    found: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def test_certificates_load_at_the_first_tls_connection(certificate: tuple[Path, Path]) -> None:
    found = _probe("defer", certificate, trusted=True)
    assert found["after_import"] == 0  # nothing read from disk at import
    assert found["waiting"] == 2  # aiohttp's verified and unverified default contexts
    assert found["stdlib_still_loads"] is True  # the stand-in did not outlive the import
    assert found["answer"] == "hello"  # the trusted server's certificate was loaded then
    assert found["after_use"] == 1
    assert found["waiting_after"] == 1  # the unverified context was never used


def test_a_deferred_context_still_refuses_an_unknown_server(
    certificate: tuple[Path, Path],
) -> None:
    found = _probe("defer", certificate, trusted=False)
    assert found["answer"] == "refused"
    assert found["after_use"] != 0  # the system's certificates, loaded for the handshake


def test_without_deferral_aiohttp_loads_them_at_import(certificate: tuple[Path, Path]) -> None:
    """The cost the deferral removes, so the first test cannot pass by accident."""
    found = _probe("plain", certificate, trusted=True)
    assert found["after_import"] == 1
    assert found["waiting"] == 0
    assert found["answer"] == "hello"
