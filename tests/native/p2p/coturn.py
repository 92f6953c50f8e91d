"""A real coturn (Debian ``coturn``) on loopback with a shared secret, for TURN tests.

It runs as the documented deployment does (docs/webrtc-relay.md: ``use-auth-secret`` with a
``static-auth-secret``), except that loopback peers are allowed: both test peers live on this
machine, so their relayed addresses are 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REALM = "syncoxide.test"


def answers_stun(port: int) -> bool:
    """True once a STUN Binding request to the port is answered (RFC 5389 header only)."""
    request = struct.pack("!HHI12s", 0x0001, 0, 0x2112A442, os.urandom(12))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.2)
        probe.sendto(request, ("127.0.0.1", port))
        try:
            reply = probe.recv(2048)
        except OSError:
            return False
    return reply[:2] == b"\x01\x01" and reply[8:20] == request[8:20]


def free_udp_port() -> int:
    """A loopback port free for UDP and for TCP: coturn listens on both (TURN over TCP), and a
    port free for UDP alone may be another process's TCP connection's local end."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


@dataclass
class Coturn:
    process: subprocess.Popen[bytes]
    port: int
    secret: str
    log: Path

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_coturn(folder: Path, secret: str, config: Path | None = None) -> Coturn:
    """coturn on a loopback port. Without ``config``: the test setup (loopback peers allowed).
    With one (deploy/coturn/turnserver.conf): that file, with only addresses, ports, secret
    and files overridden here."""
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.skip("Debian's coturn is not installed (./dev test installs it)")
    failures = []
    for _attempt in range(3):  # a port can still be taken between the probe and coturn's bind
        try:
            return _start_on(free_udp_port(), binary, folder, secret, config)
        except _PortTaken as taken:
            failures.append(str(taken))
    raise RuntimeError("turnserver found its port taken 3 times:\n" + "\n".join(failures))


class _PortTaken(RuntimeError):
    pass


def _start_on(port: int, binary: str, folder: Path, secret: str, config: Path | None) -> Coturn:
    log = folder / "turnserver.log"
    setup = (
        ["-c", str(config)]
        if config
        else ["-n", "--allow-loopback-peers", "--no-cli", "--use-auth-secret", f"--realm={REALM}"]
    )
    command = [
        binary, *setup, "-v", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
        f"--listening-port={port}", "--min-port=49160", "--max-port=49999",
        f"--static-auth-secret={secret}", "--no-tls", "--no-dtls",
        f"--log-file={log}", "--simple-log", f"--pidfile={folder / 'turnserver.pid'}",
        f"--userdb={folder / 'turndb'}",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Coturn(process, port, secret, log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None or _port_taken(log):
            break
        if answers_stun(port):
            return server
    server.stop()
    text = server.log_text() if log.exists() else "(no log)"
    if _port_taken(log):
        log.unlink()
        raise _PortTaken(f"port {port} in use")
    raise RuntimeError(f"turnserver did not come up (exit {process.poll()}):\n{text[-2000:]}")


def _port_taken(log: Path) -> bool:
    """coturn logged EADDRINUSE: another process took the port since it was probed (coturn
    would go on trying to bind it)."""
    return log.exists() and "errno=98" in log.read_text(errors="replace")
