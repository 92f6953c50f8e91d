"""Peer-to-peer throughput, side by side with the raw data channel it runs on.

Run:  .venv/bin/python bench/p2p_throughput.py [--size-mib 256] [--skip-browser]

Cases, same bytes, same machine, same run (all loopback, host candidates, no ICE servers):
  aiortc raw          two aiortc peers in one process, 64 KiB messages, 12 MiB high-water mark
  aiortc syncoxide    the same channel carrying our protocol: credit, SHA-256, disk writes
  CLI -> CLI          `syncoxide send` / `syncoxide receive` processes through a live server
  Chromium raw JS     two RTCPeerConnections in one page, same message size and flow control
  Chromium -> Chromium  our browser transport, two contexts, through the live server (OPFS)
  Chromium -> CLI     our browser sender, the CLI receiver
Setup (offer to open) is timed for aiortc in-process. Goal: ours >= 90% of the raw figure.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiortc import RTCConfiguration, RTCPeerConnection  # noqa: E402

from syncoxide.native.p2p_channel import ChannelLink  # noqa: E402

CHUNK = 64 * 1024
MB = 1e6


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
    from syncoxide.native.p2p_files import DestinationFolder, SourceFiles
    from syncoxide.native.p2p_progress import ProgressLine
    from syncoxide.native.p2p_receive import _apply, _Receiving
    from syncoxide.native.p2p_send import _pump
    from syncoxide.protocol.receiving import ReceiverProgress, ReceiverSession
    from syncoxide.protocol.sending import SenderSession

    source = work / "src.bin"
    source.write_bytes(pattern(size))
    sources = SourceFiles([source])
    tid = bytes(16)
    sender, receiver, _ = await aiortc_pair()
    state = _Receiving(DestinationFolder(work / "out", tid), ReceiverProgress(tid))
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


RAW_JS = """async (size) => {
  const a = new RTCPeerConnection({iceServers: []}), b = new RTCPeerConnection({iceServers: []});
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const ch = a.createDataChannel("raw", {ordered: true});
  const t0 = performance.now();
  const got = new Promise((resolve) => { b.ondatachannel = (e) => {
    let n = 0; e.channel.binaryType = "arraybuffer";
    e.channel.onmessage = (m) => {
      n += m.data.byteLength; if (n >= size) resolve(performance.now());
    };
  }; });
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  await new Promise((r) => { ch.onopen = r; });
  const setup = performance.now() - t0;
  ch.bufferedAmountLowThreshold = 1 << 20;
  const block = new Uint8Array(65536); const start = performance.now();
  for (let sent = 0; sent < size; sent += block.length) {
    if (ch.bufferedAmount > 12 * 1024 * 1024) {
      await new Promise((r) => { ch.onbufferedamountlow = r; });
    }
    ch.send(block);
  }
  const end = await got;
  return [size / ((end - start) / 1000) / 1e6, setup];
}"""


def browser_cases(size: int, work: Path, server: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM
    from tests.e2e.p2p_pages import P2P_ARGS, start_python_in_page
    from tests.native.p2p.p2p_processes import start_cli

    results: dict[str, float] = {}
    sender_code = f"""
        import hashlib, js
        from pyodide.ffi import to_js
        from syncoxide_web.p2p_files import BlobSources
        from syncoxide_web.p2p_transfer import send_blobs
        block = hashlib.sha256(b"bench").digest() * 2048
        data = (block * ({size} // len(block) + 1))[:{size}]
        sources = BlobSources([("bench.bin", js.Blob.new(to_js([to_js(data)])))])
        del data
        def show(room):
            js.document.body.dataset.link = room["link"]
        await send_blobs(js.location.origin, sources, show)
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=P2P_ARGS)
        page = browser.new_page()
        page.goto(f"{server}/healthz")
        results["Chromium raw JS"], results["Chromium setup ms"] = page.evaluate(RAW_JS, size)
        page.close()
        for case in ("Chromium -> Chromium", "Chromium -> CLI"):
            sender = browser.new_context().new_page()
            start_python_in_page(sender, server, sender_code)
            sender.wait_for_function("document.body && document.body.dataset.link", timeout=300_000)
            link = str(sender.evaluate("document.body.dataset.link"))
            if case == "Chromium -> CLI":
                started = time.perf_counter()
                run = start_cli(["receive", link, "-o", str(work / "b2c")], work / "b2c.log")
                code, output = run.wait(600)
                assert code == 0, output
                results[case] = size / (time.perf_counter() - started) / MB
            else:
                results[case] = _browser_receive(browser, server, link, size)
            sender.context.close()
        browser.close()
    return results


def _browser_receive(browser: object, server: str, link: str, size: int) -> float:
    from tests.e2e.p2p_pages import start_python_in_page

    page = browser.new_context().new_page()  # type: ignore[attr-defined]
    start_python_in_page(
        page,
        server,
        f"""
        import js
        from syncoxide_web.p2p_transfer import receive_into
        root = await js.navigator.storage.getDirectory()
        inbox = await root.getDirectoryHandle("bench", js.Object.fromEntries([["create", True]]))
        t0 = js.performance.now()
        status = await receive_into({link!r}, inbox)
        assert status.state == "verified"
        js.document.body.dataset.seconds = str((js.performance.now() - t0) / 1000)
        """,
    )
    page.wait_for_function("document.body && document.body.dataset.result", timeout=600_000)
    assert page.evaluate("document.body.dataset.result") == "ok", page.evaluate(
        "document.body.dataset.result"
    )
    seconds = float(page.evaluate("document.body.dataset.seconds"))
    page.context.close()
    return size / seconds / MB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    from tests.conftest import start_live_server

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        server = start_live_server(work / "server")
        try:
            rows: dict[str, float] = {}
            if not args.browser_only:
                rows["aiortc raw"], setup = asyncio.run(aiortc_raw(size))
                rows["aiortc syncoxide"] = asyncio.run(aiortc_ours(size, work))
                rows["aiortc setup, offer to open ms"] = setup * 1000
                rows["CLI -> CLI (wall, incl. startup)"] = cli_to_cli(size, work, server.url)
            if not args.skip_browser:
                rows.update(browser_cases(size, work, server.url))
        finally:
            server.stop()
    print(f"\n{args.size_mib} MiB, loopback, host candidates only")
    print(f"{'case':40} {'MB/s':>8}")
    for name, value in rows.items():
        unit = "" if "ms" not in name else " ms"
        print(f"{name:40} {value:8.1f}{unit}")
    if "aiortc raw" in rows:
        print(f"ours / raw (aiortc): {rows['aiortc syncoxide'] / rows['aiortc raw']:.0%}")
    if "Chromium raw JS" in rows:
        ratio = rows["Chromium -> Chromium"] / rows["Chromium raw JS"]
        print(f"ours / raw (Chromium): {ratio:.0%}")


if __name__ == "__main__":
    main()
