"""Peer-to-peer throughput, side by side with the raw data channel it runs on.

Run:  .venv/bin/python bench/p2p_throughput.py [--size-mib 256] [--rounds 5]
          [--skip-browser | --browser-only] [--skip-cli]

Cases, same bytes, same machine, same run (all loopback, host candidates, no ICE servers):
  aiortc raw          two aiortc peers in one process, 64 KiB messages, 12 MiB high-water mark
  aiortc syncoxide    the same channel carrying our protocol: credit, SHA-256, disk writes
  CLI -> CLI          `syncoxide send` / `syncoxide receive` processes through a live server
  Chromium raw JS, one page    both RTCPeerConnections in one page (reference only)
  Chromium raw JS, two pages   sender and receiver in two pages (two renderer processes): the
                      anchor for ours
                      (both raw cases: DATA-frame-sized messages, the same flow control; see
                      bench/p2p_raw_browser.py)
  JS doing our work   the same work as ours in plain JavaScript (bench/p2p_raw_browser.py): what
                      the work itself costs, without Python and the protocol; then the same
                      without SHA-256, and reading, framing, splitting only (no write, no hash)
  Chromium -> Chromium  our browser transport, two pages, through the live server (OPFS),
                      timed by the receiver from joining the room to the verified file; and
                      "from the manifest": from the first file request on (the raw anchors
                      are timed from their first send, without connection setup)
  Chromium -> CLI     our browser sender, the CLI receiver
Each round runs the anchors and ours back to back; the table shows every round and the median,
ratios are taken within a round. Goal: ours >= 90% of the two-page raw figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiortc import RTCConfiguration, RTCPeerConnection  # noqa: E402

from syncoxide.native.p2p.channel import ChannelLink  # noqa: E402

CHUNK = 64 * 1024
MB = 1e6
AIORTC_RAW, AIORTC_OURS = "aiortc raw", "aiortc syncoxide"
RAW_ONE, RAW_TWO = "Chromium raw JS, one page", "Chromium raw JS, two pages"
OURS_B2B = "Chromium -> Chromium"
OURS_B2B_DATA = "Chromium -> Chromium, from the manifest"
# CPU seconds of every Chromium process during the transfer (both pages, network service,
# browser process): on a 2-core machine the raw channel alone keeps most of both cores busy.
RAW_TWO_CPU, OURS_B2B_CPU = "Chromium raw JS, two pages, CPU s", "Chromium -> Chromium, CPU s"
JS_WORK, JS_WORK_CPU = "JS doing our work (ceiling)", "JS doing our work, CPU s"
JS_NO_HASH = "JS doing our work without SHA-256"
JS_NO_WRITE = "JS reading, framing, splitting only"
RATIOS = [
    (AIORTC_OURS, AIORTC_RAW),
    (OURS_B2B, RAW_TWO),
    (OURS_B2B_DATA, RAW_TWO),
    (OURS_B2B, RAW_ONE),
    (JS_WORK, RAW_TWO),
    (JS_NO_HASH, RAW_TWO),
    (JS_NO_WRITE, RAW_TWO),
    (OURS_B2B_DATA, JS_WORK),
]


def pattern(size: int) -> bytes:
    block = hashlib.sha256(b"bench").digest() * 2048
    return (block * (size // len(block) + 1))[:size]


async def aiortc_pair() -> tuple[ChannelLink, ChannelLink, float]:
    a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    started = time.perf_counter()
    channel = a.createDataChannel("transfer", ordered=True)
    arrived: asyncio.Future[ChannelLink] = asyncio.get_running_loop().create_future()
    b.on("datachannel", lambda ch: arrived.set_result(ChannelLink(b, ch)))
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    link_a = ChannelLink(a, channel)
    while channel.readyState != "open":
        await asyncio.sleep(0.001)
    setup = time.perf_counter() - started
    return link_a, await arrived, setup


async def aiortc_raw(size: int) -> tuple[float, float]:
    sender, receiver, setup = await aiortc_pair()
    block = pattern(CHUNK)
    started = time.perf_counter()

    async def drain() -> None:
        got = 0
        while got < size:
            got += len(await receiver.receive())

    reader = asyncio.create_task(drain())
    for _ in range(size // CHUNK):
        await sender.send(block)
    await reader
    elapsed = time.perf_counter() - started
    await sender.close()
    await receiver.close()
    return size / elapsed / MB, setup


async def aiortc_ours(size: int, work: Path) -> float:
    from syncoxide.cli.p2p.progress import ProgressLine
    from syncoxide.cli.p2p.receive import _apply, _Receiving
    from syncoxide.cli.p2p.send import _pump
    from syncoxide.native.p2p.files import DestinationFolder, SourceFiles
    from syncoxide.protocol.receiving import ReceiverProgress, ReceiverSession
    from syncoxide.protocol.sending import SenderSession

    source = work / "src.bin"
    source.write_bytes(pattern(size))
    sources = SourceFiles([source])
    tid = bytes(16)
    sender, receiver, _ = await aiortc_pair()
    out = Path(tempfile.mkdtemp(dir=work))  # a fresh folder each round: nothing already there
    state = _Receiving(DestinationFolder(out, tid), ReceiverProgress(tid))
    session = ReceiverSession(state.progress)
    quiet = ProgressLine(size, "sent", stream=open("/dev/null", "w"))  # noqa: SIM115
    started = time.perf_counter()
    pump = asyncio.create_task(_pump(sender, SenderSession(sources.manifest, tid), sources, quiet))
    await receiver.send(session.data_to_send())
    while not state.complete:
        _apply(session, state, session.receive(await receiver.receive()))
        await receiver.send(session.data_to_send())
    await pump
    elapsed = time.perf_counter() - started
    state.folder.close()
    sources.close()
    await sender.close()
    await receiver.close()
    return size / elapsed / MB


def cli_to_cli(size: int, work: Path, server: str) -> float:
    from tests.native.p2p.p2p_processes import start_cli, wait_for_link

    source = work / "cli.bin"
    source.write_bytes(pattern(size))
    sender = start_cli(["send", str(source), "--server", server, "--wait", "300"], work / "s.log")
    try:
        link, _ = wait_for_link(sender, timeout=120)
        started = time.perf_counter()
        receiver = start_cli(["receive", link, "-o", str(work / "cli-out")], work / "r.log")
        code, output = receiver.wait(600)
        elapsed = time.perf_counter() - started
    finally:
        sender.stop()
    assert code == 0, output
    return size / elapsed / MB


def browser_cases(
    size: int, work: Path, server: str, rounds: int, with_cli: bool
) -> dict[str, list[float]]:
    """Each round runs the raw anchors and ours back to back, so their ratio is fair."""
    from p2p_raw_browser import (
        js_doing_our_work,
        raw_one_page,
        raw_two_pages,
    )
    from playwright.sync_api import sync_playwright

    from syncoxide.protocol.frames import DATA_HEADER, HEADER
    from syncoxide.protocol.sending import BROWSER_CHUNK_SIZE
    from syncoxide.server.pages.shell import VendorBuild
    from tests.conftest import CHROMIUM
    from tests.e2e.p2p.p2p_pages import P2P_ARGS

    message = HEADER.size + DATA_HEADER.size + BROWSER_CHUNK_SIZE  # one DATA frame, as ours sends
    rows: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        # A regular (persistent) profile, as a person's browser has: Playwright's fresh contexts
        # are incognito-like, where OPFS lives in the browser process's memory and every write
        # of the receiver's worker becomes an IPC into it (measured: ~2.5 CPU-s per 256 MiB in
        # the browser process, which a real profile does not spend). Each page still gets its
        # own renderer process, for the raw anchors as for ours.
        browser = playwright.chromium.launch_persistent_context(
            work / "profile", executable_path=CHROMIUM, args=P2P_ARGS
        )
        blank = f"{server}/healthz"
        for _ in range(rounds):
            one_page, setup = raw_one_page(browser, blank, size, message)
            rows.setdefault(RAW_ONE, []).append(one_page)
            rows.setdefault("Chromium raw setup, offer to open ms", []).append(setup)
            speed, cpu = raw_two_pages(browser, blank, size, message)
            rows.setdefault(RAW_TWO, []).append(speed)
            rows.setdefault(RAW_TWO_CPU, []).append(cpu)
            sha256_url = dict(VendorBuild.load(ROOT / "web" / "static" / "vendor").lazy_scripts)[
                "hash-wasm-sha256"
            ]
            speed, cpu = js_doing_our_work(browser, blank, size, BROWSER_CHUNK_SIZE, sha256_url)
            rows.setdefault(JS_WORK, []).append(speed)
            rows.setdefault(JS_WORK_CPU, []).append(cpu)
            for name, write in ((JS_NO_HASH, True), (JS_NO_WRITE, False)):
                speed, _ = js_doing_our_work(
                    browser, blank, size, BROWSER_CHUNK_SIZE, sha256_url, hash_=False, write=write
                )
                rows.setdefault(name, []).append(speed)
            with _sending_page(browser, server, size) as link:
                whole, data_phase, cpu = _browser_receive(browser, server, link, size)
            rows.setdefault(OURS_B2B, []).append(whole)
            rows.setdefault(OURS_B2B_DATA, []).append(data_phase)
            rows.setdefault(OURS_B2B_CPU, []).append(cpu)
        if with_cli:
            with _sending_page(browser, server, size) as link:
                rows["Chromium -> CLI"] = [_cli_receive(link, size, work)]
        browser.close()
    return rows


@contextlib.contextmanager
def _sending_page(browser: Any, server: str, size: int) -> Iterator[str]:
    """A page of ours sending ``size`` bytes; yields its link, closes it afterwards."""
    from tests.e2e.p2p.p2p_pages import start_python_in_page

    sender = browser.new_page()
    try:
        start_python_in_page(sender, server, SENDER_CODE.replace("SIZE", str(size)))
        sender.wait_for_function("document.body && document.body.dataset.link", timeout=300_000)
        yield str(sender.evaluate("document.body.dataset.link"))
    finally:
        sender.close()


def _cli_receive(link: str, size: int, work: Path) -> float:
    """MB/s of `syncoxide receive` from the link, start-up included."""
    from tests.native.p2p.p2p_processes import start_cli

    started = time.perf_counter()
    run = start_cli(["receive", link, "-o", str(work / "b2c")], work / "b2c.log")
    code, output = run.wait(600)
    assert code == 0, output
    return size / (time.perf_counter() - started) / MB


SENDER_CODE = """
    import hashlib, js
    from pyodide.ffi import to_js
    from syncoxide_web.p2p.files import BlobSources
    from syncoxide_web.p2p.transfer import send_blobs
    block = hashlib.sha256(b"bench").digest() * 2048
    data = (block * (SIZE // len(block) + 1))[:SIZE]
    sources = BlobSources([("bench.bin", js.Blob.new(to_js([to_js(data)])))])
    del data
    def show(room):
        js.document.body.dataset.link = room["link"]
    await send_blobs(js.location.origin, sources, show)
"""


def _browser_receive(
    browser: object, server: str, link: str, size: int
) -> tuple[float, float, float]:
    """(MB/s from joining the room, MB/s from the manifest on, Chromium CPU s from the
    manifest on) of a receiving page of ours."""
    from p2p_raw_browser import chromium_cpu_seconds

    from tests.e2e.p2p.p2p_pages import start_python_in_page

    page = browser.new_page()  # type: ignore[attr-defined]
    start_python_in_page(
        page,
        server,
        f"""
        import js
        from syncoxide_web.p2p.transfer import receive_into
        from pyodide.ffi import JsException
        root = await js.navigator.storage.getDirectory()
        try:  # the profile persists: the last round's file would count as already received
            await root.removeEntry("bench", js.Object.fromEntries([["recursive", True]]))
        except JsException:
            pass
        inbox = await root.getDirectoryHandle("bench", js.Object.fromEntries([["create", True]]))
        t0 = js.performance.now()
        data_from = []
        def on_status(status):
            if status.state == "transferring" and not data_from:
                data_from.append(js.performance.now())
                js.document.body.dataset.transferring = "1"
        status = await receive_into({link!r}, inbox, on_status)
        assert status.state == "verified"
        t1 = js.performance.now()
        js.document.body.dataset.seconds = str((t1 - t0) / 1000)
        js.document.body.dataset.data_seconds = str((t1 - data_from[0]) / 1000)
        """,
    )
    page.wait_for_function(
        "document.body && (document.body.dataset.transferring || document.body.dataset.result)",
        timeout=600_000,
        polling=10,
    )
    cpu = chromium_cpu_seconds()  # from the manifest on, like the raw anchor's CPU
    page.wait_for_function("document.body && document.body.dataset.result", timeout=600_000)
    assert page.evaluate("document.body.dataset.result") == "ok", page.evaluate(
        "document.body.dataset.result"
    )
    cpu = chromium_cpu_seconds() - cpu
    seconds = float(page.evaluate("document.body.dataset.seconds"))
    data_seconds = float(page.evaluate("document.body.dataset.data_seconds"))
    page.close()
    return size / seconds / MB, size / data_seconds / MB, cpu


def aiortc_cases(size: int, work: Path, server: str, rounds: int) -> dict[str, list[float]]:
    rows: dict[str, list[float]] = {}
    for _ in range(rounds):
        raw, setup = asyncio.run(aiortc_raw(size))
        rows.setdefault(AIORTC_RAW, []).append(raw)
        rows.setdefault(AIORTC_OURS, []).append(asyncio.run(aiortc_ours(size, work)))
        rows.setdefault("aiortc setup, offer to open ms", []).append(setup * 1000)
    rows["CLI -> CLI (wall, incl. startup)"] = [cli_to_cli(size, work, server)]
    return rows


def report(size_mib: int, rows: dict[str, list[float]]) -> None:
    """Every round's figure, then the median; ratios are taken round by round (both figures
    of a ratio come from the same minute on this shared machine), then their median."""
    print(f"\n{size_mib} MiB, loopback, host candidates only; MB/s unless marked ms or s")
    print(f"{'case':42} {'median':>8}   rounds")
    for name, values in rows.items():
        rounds = " ".join(f"{value:.1f}" for value in values)
        print(f"{name:42} {statistics.median(values):8.1f}   {rounds}")
    for ours, raw in RATIOS:
        if ours in rows and raw in rows:
            ratios = [a / b for a, b in zip(rows[ours], rows[raw], strict=False)]
            each = " ".join(f"{ratio:.0%}" for ratio in ratios)
            print(f"{ours} / {raw}: median {statistics.median(ratios):.0%}   rounds {each}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true")
    parser.add_argument("--skip-cli", action="store_true", help="no CLI -> CLI, Chromium -> CLI")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    from tests.conftest import start_live_server

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        server = start_live_server(work / "server")
        try:
            rows: dict[str, list[float]] = {}
            if not args.browser_only:
                rows.update(aiortc_cases(size, work, server.url, args.rounds))
                if args.skip_cli:
                    rows.pop("CLI -> CLI (wall, incl. startup)")
            if not args.skip_browser:
                cli = not args.skip_cli
                rows.update(browser_cases(size, work, server.url, args.rounds, cli))
        finally:
            server.stop()
    report(args.size_mib, rows)


if __name__ == "__main__":
    main()
