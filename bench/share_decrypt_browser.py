"""Save an end-to-end encrypted share in Chromium, beside a plain streamed save of the same file.

    .venv/bin/python bench/share_decrypt_browser.py [--mib 256] [--runs 3]

One live server, one file shared twice by the CLI: `share --encrypt` and a plain `share`.
In the same page of headless Chromium:
- ours: the share page's decryptor (web/static/share-decrypt.js) fetches the ciphertext,
  decrypts it 4 MiB at a time and writes it to a folder of the origin-private file system
  (what the folder picker gives on a desktop);
- anchor: plain JavaScript streams the plain share's bytes from the same server into the same
  kind of file (`response.body.pipeTo(writable)`), no decryption.
Printed: MB/s of each (median of the runs) and the peak JS heap during each, which stays flat
when nothing holds the whole file (aim: ours >= 50 % of the anchor, heap far below the size).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, start_live_server

CLI = [sys.executable, "-m", "syncoxide.cli.main"]
PICKER = """
window.showDirectoryPicker = async () =>
  (await navigator.storage.getDirectory()).getDirectoryHandle("picked", { create: true });
window.__peak = 0;
setInterval(() => {
  window.__peak = Math.max(window.__peak, performance.memory.usedJSHeapSize);
}, 20);
"""
ANCHOR_JS = """
async (url) => {
  const root = await navigator.storage.getDirectory();
  const file = await root.getFileHandle("anchor.bin", { create: true });
  window.__peak = 0;
  const t0 = performance.now();
  const response = await fetch(url);
  await response.body.pipeTo(await file.createWritable());
  const seconds = (performance.now() - t0) / 1000;
  await root.removeEntry("anchor.bin");
  return [seconds, window.__peak];
}
"""
OURS_JS = """
async () => {
  window.__peak = 0;
  window.__t0 = performance.now();
  document.getElementById("e2e-save-all").click();
}
"""
OURS_DONE_JS = """
async () => {
  const seconds = (performance.now() - window.__t0) / 1000;
  const root = await navigator.storage.getDirectory();
  await root.removeEntry("picked", { recursive: true });
  return [seconds, window.__peak];
}
"""


def _cli(*args: str) -> str:
    done = subprocess.run([*CLI, *args], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def _share_both(url: str, data_dir: Path, source: Path) -> tuple[str, str]:
    secret = data_dir.parent / "pw"
    secret.write_text("bench password\n")
    _cli("user", "add", "bench", "--password-file", str(secret), "--data-dir", str(data_dir))
    token = _cli("token", "create", "--user", "bench", "--data-dir", str(data_dir))
    server = ["--server", url, "--token", token]
    encrypted = _cli("share", str(source), "--encrypt", *server)
    plain = _cli("share", str(source), *server)
    return encrypted, plain


def _one_run(page: Page, encrypted: str, plain_file_url: str) -> tuple[float, float, float, float]:
    page.goto("about:blank")  # the same URL again would only move to its #fragment
    page.goto(encrypted)
    page.wait_for_selector("#e2e-share[data-ready]", timeout=30_000)
    page.evaluate(OURS_JS)
    page.wait_for_selector('li[data-state="saved"]', timeout=600_000)
    ours_s, ours_peak = page.evaluate(OURS_DONE_JS)
    anchor_s, anchor_peak = page.evaluate(ANCHOR_JS, plain_file_url)
    return ours_s, ours_peak, anchor_s, anchor_peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sxo-bench-share-") as scratch:
        source = Path(scratch) / "big.bin"
        with source.open("wb") as out:
            for _ in range(options.mib):
                out.write(os.urandom(1 << 20))
        (Path(scratch) / "data").mkdir()
        server = start_live_server(Path(scratch) / "data")
        try:
            encrypted, plain = _share_both(server.url, server.data_dir, source)
            share_id = plain.rsplit("/", 1)[-1]
            import httpx2

            described = httpx2.get(f"{server.url}/api/v1/shares/{share_id}", timeout=60).json()
            if not described.get("files"):
                raise RuntimeError(f"the plain share holds no file: {described}")
            plain_file_url = server.url + described["files"][0]["download_url"]
            results = []
            with sync_playwright() as playwright:
                args = [*CHROMIUM_ARGS, "--enable-precise-memory-info"]
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
                context = browser.new_context()
                context.add_init_script(PICKER)
                page = context.new_page()
                for _ in range(options.runs):
                    results.append(_one_run(page, encrypted, plain_file_url))
                browser.close()
        finally:
            server.stop()
    _report(options.mib, results)


def _report(mib: int, results: list[tuple[float, float, float, float]]) -> None:
    size_mb = mib * (1 << 20) / 1e6
    ours = statistics.median(size_mb / r[0] for r in results)
    anchor = statistics.median(size_mb / r[2] for r in results)
    ours_peak = max(r[1] for r in results) / (1 << 20)
    anchor_peak = max(r[3] for r in results) / (1 << 20)
    print(f"file: {mib} MiB, {len(results)} runs, median MB/s, peak JS heap")
    print(f"ours   (fetch + decrypt + write): {ours:7.1f} MB/s   heap peak {ours_peak:6.1f} MiB")
    print(
        f"anchor (fetch + write, plain):    {anchor:7.1f} MB/s   heap peak {anchor_peak:6.1f} MiB"
    )
    print(f"ratio ours/anchor: {ours / anchor:.2f}")


if __name__ == "__main__":
    main()
