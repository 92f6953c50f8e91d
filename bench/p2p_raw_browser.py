"""The raw Chromium data channel, as anchors for bench/p2p_throughput.py.

Two anchors, plain JavaScript, the same message size and flow control as our transport
(messages the size of one DATA frame, a 12 MiB bufferedAmount high-water mark, resume on
``bufferedamountlow`` at 1 MiB):

  one page    both RTCPeerConnections in one page (one renderer process), for reference
  two pages   sender and receiver in two pages (each its own renderer process), as ours runs:
              the like-for-like anchor. Descriptions are passed between the pages by the bench
              itself (setup is not what is measured); the receiver counts bytes in its page.

A third figure, "JS doing our work", is not an anchor but a ceiling: plain JavaScript doing the
work ours does, with our own data plane (web/static/p2p-data.js) and writer worker: the
sender reads the bytes from a Blob and frames them, the receiver splits the frames and its
worker writes them to OPFS and hashes them; no Python, no protocol checks, no credit. What ours
falls short of it is what Python and the protocol cost; what it falls short of the raw channel
is the cost of the work itself. Two lighter variants split that cost: the same without SHA-256,
and reading, framing and splitting only (nothing written, nothing hashed).

Time runs from the sender's first send to the receiver's last byte, on the shared wall clock
(``performance.timeOrigin + performance.now()``), so the two pages can be compared.
"""

from __future__ import annotations

import os
from typing import Any

HIGH_WATER = 12 * 1024 * 1024
LOW_WATER = 1024 * 1024
MB = 1e6

ONE_PAGE = """async ([size, message, high, low]) => {
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
  ch.bufferedAmountLowThreshold = low;
  const block = new Uint8Array(message); const start = performance.now();
  for (let sent = 0; sent < size; sent += block.length) {
    if (ch.bufferedAmount > high) {
      await new Promise((r) => { ch.onbufferedamountlow = r; });
    }
    ch.send(block);
  }
  const end = await got;
  a.close(); b.close();
  return [size / ((end - start) / 1000) / 1e6, setup];
}"""

# Both pages wait for ICE gathering, so each description holds every host candidate.
_GATHERED = """
  const gathered = (pc) => new Promise((r) => {
    if (pc.iceGatheringState === "complete") return r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r();
  });
"""

OFFER = (
    """async () => {"""
    + _GATHERED
    + """
  const a = new RTCPeerConnection({iceServers: []});
  window.rawChannel = a.createDataChannel("raw", {ordered: true});
  window.rawConnection = a;
  await a.setLocalDescription(); await gathered(a);
  return a.localDescription.sdp;
}"""
)

ANSWER = (
    """async ([sdp, size]) => {"""
    + _GATHERED
    + """
  const b = new RTCPeerConnection({iceServers: []});
  window.rawConnection = b;
  window.rawEnd = new Promise((resolve) => { b.ondatachannel = (e) => {
    let n = 0; e.channel.binaryType = "arraybuffer";
    e.channel.onmessage = (m) => {
      n += m.data.byteLength;
      if (n >= size) resolve(performance.timeOrigin + performance.now());
    };
  }; });
  await b.setRemoteDescription({type: "offer", sdp});
  await b.setLocalDescription(); await gathered(b);
  return b.localDescription.sdp;
}"""
)

SEND = """async ([sdp, size, message, high, low]) => {
  const a = window.rawConnection, ch = window.rawChannel;
  await a.setRemoteDescription({type: "answer", sdp});
  if (ch.readyState !== "open") await new Promise((r) => { ch.onopen = r; });
  ch.bufferedAmountLowThreshold = low;
  const block = new Uint8Array(message);
  const start = performance.timeOrigin + performance.now();
  for (let sent = 0; sent < size; sent += block.length) {
    if (ch.bufferedAmount > high) {
      await new Promise((r) => { ch.onbufferedamountlow = r; });
    }
    ch.send(block);
  }
  return start;
}"""


WORK_ANSWER = (
    """async ([sdp, size, sha256, hash, write]) => {"""
    + _GATHERED
    + """
  const b = new RTCPeerConnection({iceServers: []});
  window.rawConnection = b;
  const root = await navigator.storage.getDirectory();
  const file = await root.getFileHandle("work.bin", {create: true});
  const writer = new syncoxideP2P.WriterClient("/static/file-writer.js");
  await writer.request({op: "hasher", url: sha256});
  await writer.request({op: "open", id: 0, handle: file, hash});
  window.rawEnd = new Promise((resolve) => { b.ondatachannel = async (e) => {
    const inbox = new syncoxideP2P.DataInbox(e.channel);
    let n = 0;
    while (n < size) {
      await inbox.wait(2 << 20, 40);
      const items = inbox.take(2 << 20);
      for (const item of items) n += item.length;
      if (write) writer.postWrites(items, 0, items.length);
      await writer.settled(4);
    }
    if (hash) await writer.request({op: "digest", id: 0});
    await writer.request({op: "close", id: 0});
    resolve(performance.timeOrigin + performance.now());
  }; });
  await b.setRemoteDescription({type: "offer", sdp});
  await b.setLocalDescription(); await gathered(b);
  return b.localDescription.sdp;
}"""
)

WORK_SEND = """async ([sdp, size, chunk, high]) => {
  const a = window.rawConnection, ch = window.rawChannel;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = i & 255;
  const blob = new Blob([bytes]);
  await a.setRemoteDescription({type: "answer", sdp});
  if (ch.readyState !== "open") await new Promise((r) => { ch.onopen = r; });
  ch.bufferedAmountLowThreshold = 1 << 20;
  const sender = new syncoxideP2P.DataSender(ch, high, chunk);
  const start = performance.timeOrigin + performance.now();
  sender.pushSpan(blob, 0, 0, size);
  while (!sender.idle) await new Promise((r) => setTimeout(r, 20));
  if (sender.failure) throw sender.failure;
  return start;
}"""


def chromium_cpu_seconds() -> float:
    """CPU time (user + system) used so far by every Chromium process on this machine: read
    before and after a transfer, it shows what the transfer cost both pages, the network service
    and the browser process together. Processes that exited in between are not counted."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"chrom" not in cmdline.read():
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # it exited meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def raw_one_page(browser: Any, url: str, size: int, message: int) -> tuple[float, float]:
    """(MB/s, setup ms) with both peers in one page."""
    page = browser.new_page()
    page.goto(url)
    speed, setup = page.evaluate(ONE_PAGE, [size, message, HIGH_WATER, LOW_WATER])
    page.close()
    return float(speed), float(setup)


def raw_two_pages(browser: Any, url: str, size: int, message: int) -> tuple[float, float]:
    """(MB/s, Chromium CPU s) from a sender page to a receiver page (another renderer)."""
    sender = browser.new_page()
    receiver = browser.new_page()
    try:
        sender.goto(url)
        receiver.goto(url)
        answer = receiver.evaluate(ANSWER, [sender.evaluate(OFFER), size])
        cpu = chromium_cpu_seconds()
        start = float(sender.evaluate(SEND, [answer, size, message, HIGH_WATER, LOW_WATER]))
        end = float(receiver.evaluate("() => window.rawEnd"))
        cpu = chromium_cpu_seconds() - cpu
    finally:
        sender.close()
        receiver.close()
    return size / ((end - start) / 1000) / MB, cpu


def js_doing_our_work(
    browser: Any,
    url: str,
    size: int,
    chunk: int,
    sha256_url: str,
    *,
    hash_: bool = True,
    write: bool = True,
) -> tuple[float, float]:
    """(MB/s, Chromium CPU s) of plain JavaScript doing our work (see above), two pages; without
    ``hash_`` the worker does not hash, without ``write`` nothing is written either: what each
    part of the work costs."""
    sender = browser.new_page()
    receiver = browser.new_page()
    try:
        for page in (sender, receiver):
            page.goto(url)
            page.add_script_tag(url="/static/p2p-data.js")
        receiver.evaluate(
            "async () => { const root = await navigator.storage.getDirectory();"
            " await root.removeEntry('work.bin').catch(() => {}); }"
        )
        answer = receiver.evaluate(
            WORK_ANSWER, [sender.evaluate(OFFER), size, sha256_url, hash_, write]
        )
        cpu = chromium_cpu_seconds()
        start = float(sender.evaluate(WORK_SEND, [answer, size, chunk, HIGH_WATER]))
        end = float(receiver.evaluate("() => window.rawEnd"))
        cpu = chromium_cpu_seconds() - cpu
    finally:
        sender.close()
        receiver.close()
    return size / ((end - start) / 1000) / MB, cpu
