"""Start-up of the browser app in headless Chromium, beside bare Pyodide measured in the same run.

    .venv/bin/python bench/app_startup.py [--runs 5]

Starts ``syncoxide serve`` on a free loopback port, then for each run:
- cold: a fresh browser context (empty HTTP cache) loads the app until ``data-ready="1"``;
- warm: a second page in that context loads it again (HTTP cache and V8 code cache warm, and
  the Python snapshot the first visit stored once it was idle);
- anchor: the same two loads of a bare page that only calls ``loadPyodide()`` from our vendor
  folder, so the figures say what our own start-up adds on top of Pyodide itself.
Reports medians of the first useful paint (navigation and a view's heading on screen) and of
ready (Python running, every view wired), and the bytes that crossed the wire on a cold load.
Goals (issue 17): first useful paint under 1 s warm; ready at or under 2.5 s warm and 4 s cold;
cold bytes <= 8 MB. Then the receive page of a CLI sender's link: when it lists what is coming
(read from the room, no Python needed) and when its Python is ready, beside bare Pyodide's ready.
``--receive-page`` measures only the receive page and its anchor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

import httpx2
from playwright._impl._api_structures import SetCookieParam
from playwright.sync_api import Browser, BrowserContext, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, start_live_server

# Records, in the page's own clock (ms since navigation start), when <html data-ready> turns
# "1" (ready: Python running, views wired) and when the page first shows something useful: the
# navigation and a view's heading (the first contentful paint, or later if that paint was only
# a loading screen). A page with no view (bare Pyodide) records no useful paint.
READY_PROBE = """
const usefulNow = () => {
  const views = document.getElementById("views");
  if (window.__usefulAt === undefined && views && !views.hidden
      && views.querySelector("section:not([hidden]) h1") && document.getElementById("main-nav")) {
    window.__usefulAt = performance.now();
  }
};
new MutationObserver((_, observer) => {
  usefulNow();
  if (document.documentElement && document.documentElement.dataset.ready === "1") {
    window.__readyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { attributes: true, childList: true, subtree: true });
"""
USEFUL_PAINT = """
(() => {
  if (window.__usefulAt === undefined) return null;
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return Math.max(window.__usefulAt, paint ? paint.startTime : 0);
})()
"""
BENCH_PASSWORD = "bench password 123"
BYTES_ON_WIRE = """
[...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
  .reduce((sum, entry) => sum + (entry.transferSize || 0), 0)
"""


def bare_pyodide_page(pyodide_url: str) -> str:
    return f"""<!doctype html><html data-ready="0"><body><script type="module">
const {{ loadPyodide }} = await import("{pyodide_url}/pyodide.mjs");
const pyodide = await loadPyodide({{ indexURL: "{pyodide_url}/" }});
pyodide.runPython("import sys");
document.documentElement.dataset.ready = "1";
</script></body></html>"""


def timed_load(context: BrowserContext, url: str) -> tuple[float, float | None, int]:
    """(seconds to ready, seconds to the first useful paint or None, bytes on the wire)."""
    page = context.new_page()
    page.add_init_script(READY_PROBE)
    page.goto(url)
    page.wait_for_function("window.__readyAt !== undefined", timeout=120_000)
    seconds = page.evaluate("window.__readyAt") / 1000
    useful = page.evaluate(USEFUL_PAINT)
    wire = int(page.evaluate(BYTES_ON_WIRE))
    if page.evaluate("document.documentElement.dataset.pythonStart") == "fresh":
        # A first visit stores a Python snapshot once the app is idle (web/static/app-boot.mjs);
        # the warm load is the next visit, so it comes after that, as it would for a person.
        page.wait_for_function(
            "document.documentElement.dataset.pythonSnapshot !== undefined", timeout=300_000
        )
    page.close()
    return seconds, None if useful is None else useful / 1000, wire


def signed_in_cookies(server: LiveServer) -> list[SetCookieParam]:
    """The app shell needs a signed-in user: make one as the README says, then sign in."""
    password_file = server.data_dir / "bench-password"
    password_file.write_text(BENCH_PASSWORD)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "user",
            "add",
            "bench",
            "--password-file",
            str(password_file),
            "--data-dir",
            str(server.data_dir),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    response = httpx2.post(
        f"{server.url}/api/v1/session",
        json={"name": "bench", "password": BENCH_PASSWORD},
        timeout=10,
    )
    response.raise_for_status()
    return [{"name": k, "value": v, "url": server.url} for k, v in response.cookies.items()]


def measure(
    browser: Browser, url: str, bare_html: str | None, runs: int, cookies: list[SetCookieParam]
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        "cold": [],
        "warm": [],
        "cold paint": [],
        "warm paint": [],
        "bytes": [],
    }
    for _ in range(runs):
        # The app's Content-Security-Policy forbids eval, which Playwright's waiting uses.
        context = browser.new_context(bypass_csp=True)
        context.add_cookies(cookies)
        if bare_html is not None:
            context.route(
                url,
                lambda route: route.fulfill(
                    status=200,
                    content_type="text/html",
                    body=bare_html,
                    headers={
                        "Cross-Origin-Opener-Policy": "same-origin",
                        "Cross-Origin-Embedder-Policy": "require-corp",
                    },
                ),
            )
        cold, cold_paint, wire = timed_load(context, url)
        warm, warm_paint, _ = timed_load(context, url)
        context.close()
        results["cold"].append(cold)
        results["warm"].append(warm)
        for case, paint in (("cold paint", cold_paint), ("warm paint", warm_paint)):
            if paint is not None:
                results[case].append(paint)
        results["bytes"].append(wire)
    return results


# When the receive page shows what is coming (#offer turns data-state="known"), and when its
# Python is ready, in the page's clock.
OFFER_PROBE = """
new MutationObserver((_, observer) => {
  const offer = document.getElementById("offer");
  if (window.__listAt === undefined && offer && offer.dataset.state === "known") {
    window.__listAt = performance.now();
  }
  if (document.documentElement && document.documentElement.dataset.ready === "1") {
    window.__readyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { attributes: true, childList: true, subtree: true });
"""


RECEIVE_CASES = ("cold list", "warm list", "cold ready", "warm ready")


def _receive_page_load(context: BrowserContext, link: str) -> tuple[float, float]:
    """(seconds until what is coming is listed, seconds until Python is ready)."""
    page = context.new_page()
    page.add_init_script(OFFER_PROBE)
    page.goto(link)
    page.wait_for_function("window.__listAt !== undefined", timeout=120_000)
    page.wait_for_function("window.__readyAt !== undefined", timeout=120_000)
    listed, ready = page.evaluate("[window.__listAt, window.__readyAt]")
    page.close()  # before any click: the sender keeps waiting for a receiver
    return listed / 1000, ready / 1000


def receive_page(
    browser: Browser, server: LiveServer, runs: int, folder: Path
) -> dict[str, list[float]]:
    """A CLI sender offers a small folder; a stranger opens its link, cold then warm."""
    for i in range(3):
        (folder / "photos").mkdir(parents=True, exist_ok=True)
        (folder / "photos" / f"{i}.jpg").write_bytes(bytes(100_000))
    command = ["send", str(folder), "--server", server.url, "--wait", "600"]
    sender = subprocess.Popen(
        [sys.executable, "-m", "syncoxide.cli.main", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sender.stdout is not None
        link = next(line for line in sender.stdout if line.startswith("Link: "))[6:].strip()
        results: dict[str, list[float]] = {case: [] for case in RECEIVE_CASES}
        for _ in range(runs):
            context = browser.new_context(bypass_csp=True)
            for case in ("cold", "warm"):
                listed, ready = _receive_page_load(context, link)
                results[f"{case} list"].append(listed)
                results[f"{case} ready"].append(ready)
            context.close()
        return results
    finally:
        sender.terminate()
        sender.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--receive-page", action="store_true", help="only /p/ and its anchor")
    args = parser.parse_args()
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as data_dir:
        server = start_live_server(Path(data_dir))
        try:
            manifest = json.loads(
                (
                    Path(__file__).resolve().parents[1] / "web/static/vendor/manifest.json"
                ).read_text()
            )
            pyodide_url = f"/vendor/{manifest['pyodide']['path']}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cookies = signed_in_cookies(server)
                app = None
                if not args.receive_page:
                    app = measure(browser, server.url + "/", None, args.runs, cookies)
                bare = measure(
                    browser,
                    server.url + "/__bare_pyodide.html",
                    bare_pyodide_page(pyodide_url),
                    args.runs,
                    cookies,
                )
                offer = receive_page(browser, server, args.runs, Path(data_dir) / "offered")
                browser.close()
        finally:
            server.stop()
    if app is not None:
        report(app, bare, args.runs)
    report_receive_page(offer, bare)
    return 0


def report_receive_page(offer: dict[str, list[float]], bare: dict[str, list[float]]) -> None:
    print("receive page (/p/...): what is coming, listed from the room before Python; ready")
    print(f"{'case':<26}{'receive page':>20}{'bare Pyodide':>20}{'ratio':>8}{'goal':>10}")
    rows = (("list", "file list shown", "< 1 s"), ("ready", "ready", "-"))
    for case in ("cold", "warm"):
        for key, what, goal in rows:
            page, python = offer[f"{case} {key}"], bare[case]
            ratio = statistics.median(page) / statistics.median(python)
            label = f"{case} {what} (s)"
            print(f"{label:<26}{_spread(page):>20}{_spread(python):>20}{ratio:>8.2f}{goal:>10}")


def report(app: dict[str, list[float]], bare: dict[str, list[float]], runs: int) -> None:
    print(f"app start-up in headless Chromium, median of {runs} runs (min-max)")
    print(f"{'case':<26}{'syncoxide app':>20}{'bare Pyodide':>20}{'ratio':>8}{'goal':>10}")
    rows = (
        ("cold paint", "first useful paint", "-"),
        ("warm paint", "first useful paint", "< 1 s"),
        ("cold", "ready", "<= 4 s"),
        ("warm", "ready", "<= 2.5 s"),
    )
    for case, what, goal in rows:
        a, b = app[case], bare[case]
        label = f"{case.split()[0]} {what} (s)"
        ratio = f"{statistics.median(a) / statistics.median(b):.2f}" if a and b else "-"
        print(f"{label:<26}{_spread(a):>20}{_spread(b):>20}{ratio:>8}{goal:>10}")
    a_bytes, b_bytes = statistics.median(app["bytes"]) / 1e6, statistics.median(bare["bytes"]) / 1e6
    print(
        f"{'cold bytes (MB)':<26}{a_bytes:>20.2f}{b_bytes:>20.2f}"
        f"{a_bytes / b_bytes:>8.2f}{'<= 8 MB':>10}"
    )


def _spread(values: list[float]) -> str:
    if not values:
        return "- (no view)"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


if __name__ == "__main__":
    sys.exit(main())
