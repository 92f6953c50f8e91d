"""Share-link downloads and tus uploads through a live server, beside nginx in the same run.

    .venv/bin/python bench/links_transfer.py [--size-mib 1024] [--rounds 3] [--uploads 50]

Needs Debian's nginx (``apt-get install nginx-light``; the bench starts its own instance on a
free loopback port with a throwaway config, and stops it). curl is the client for every
transfer, so both servers face the same client. What is measured:

- **download**: ``GET /s/<id>/files/<file>`` of a SIZE share through ``syncoxide serve``
  against nginx serving the very same blob file from the same disk (``sendfile on``). Goal:
  >= 80% of nginx.
- **tus upload**: the same file uploaded as one tus ``PATCH`` by curl (the server's own cost),
  and by the CLI's uploader (8 MiB chunks, each with a SHA-1 ``Upload-Checksum``: what a user
  gets). Anchor: nginx storing the same request body to disk (``client_body_in_file_only``).
  Goal: >= 200 MB/s.
- **concurrent uploads**: UPLOADS tus uploads of 20 MiB at once (curl processes); every one
  must end with ``204`` and the stored size right.
- **server memory**: the peak RSS (``VmHWM``) of the server process after all of the above.
  Goal: under 150 MB.
Medians over ROUNDS; rounds alternate the two servers.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2

from syncoxide.cli.links.command import upload_file
from tests.conftest import LiveServer, free_port, start_live_server

CLI = [sys.executable, "-m", "syncoxide.cli.main"]
NGINX_CONFIG = """
daemon off;
master_process off;
worker_processes 1;
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {root}/bodies;
    server {{
        listen 127.0.0.1:{port};
        root {files};
        location = /upload {{
            client_max_body_size 0;
            client_body_in_file_only clean;
            client_body_buffer_size 1m;
            echo_read_request_body;
            echo "stored";
        }}
    }}
}}
"""


def curl(*args: str) -> str:
    done = subprocess.run(["curl", "-sS", "--fail", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"curl {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def download_speed(url: str) -> float:
    """MB/s of one GET to /dev/null, as curl measured it."""
    return float(curl("-o", "/dev/null", "-w", "%{speed_download}", url)) / 1e6


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as out:
        for index in range(size >> 20):
            out.write(block[index % 251 :] + block[: index % 251])  # no two MiB alike


def start_nginx(root: Path, files: Path) -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("this bench needs nginx: apt-get install nginx-light")
    port = free_port()
    (root / "bodies").mkdir(parents=True, exist_ok=True)
    config = root / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(root=root, port=port, files=files))
    modules = "load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;\n"
    config.write_text(modules + config.read_text())
    process = subprocess.Popen(["/usr/sbin/nginx", "-c", str(config), "-p", str(root)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx2.get(url, timeout=1)
            return process, url
        except httpx2.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx did not start: {(root / 'error.log').read_text()}")


def account(data_dir: Path, work: Path) -> str:
    password = work / "pw"
    password.write_text("bench password\n")
    data = ["--data-dir", str(data_dir)]
    subprocess.run(
        [*CLI, "user", "add", "bench", "--password-file", str(password), *data], check=True
    )
    made = subprocess.run(
        [*CLI, "token", "create", "--user", "bench", *data],
        check=True,
        capture_output=True,
        text=True,
    )
    return made.stdout.strip()


def new_share(url: str, token: str) -> str:
    answer = httpx2.post(
        f"{url}/api/v1/shares",
        json={"title": "bench"},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    return str(answer.json()["id"])


def tus_curl_upload(url: str, token: str, share: str, path: Path, name: str) -> float:
    """Create an upload, then send the whole file in one PATCH; MB/s of the PATCH."""
    pairs = {"share": share, "path": name}.items()
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs)
    auth = f"Authorization: Bearer {token}"
    created = curl(
        "-X", "POST", "-D", "-", "-o", "/dev/null", "-H", auth, "-H", "Tus-Resumable: 1.0.0",
        "-H", f"Upload-Length: {path.stat().st_size}", "-H", f"Upload-Metadata: {meta}",
        f"{url}/api/v1/uploads/",
    )  # fmt: skip
    location = next(
        line.split(":", 1)[1].strip()
        for line in created.splitlines()
        if line.lower().startswith("location:")
    )
    target = location if location.startswith("http") else url + location
    speed = curl(
        "-X", "PATCH", "-o", "/dev/null", "-w", "%{speed_upload}", "-H", auth,
        "-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0",
        "-H", "Content-Type: application/offset+octet-stream", "-H", "Expect:", "-T", str(path),
        target,
    )  # fmt: skip
    return float(speed) / 1e6


def nginx_upload(url: str, path: Path) -> float:
    speed = curl(
        "-X", "PUT", "-o", "/dev/null", "-w", "%{speed_upload}", "-H", "Expect:", "-T", str(path),
        url,
    )  # fmt: skip
    return float(speed) / 1e6


def cli_upload(url: str, token: str, share: str, path: Path, name: str) -> float:
    started = time.perf_counter()
    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        upload_file(client, path, {"share": share, "path": name})
    return path.stat().st_size / (time.perf_counter() - started) / 1e6


def concurrent_uploads(url: str, token: str, work: Path, count: int) -> tuple[float, int]:
    """``count`` tus uploads of 20 MiB at once, each by its own curl; (seconds, failures)."""
    share = new_share(url, token)
    small = work / "twenty.bin"
    make_file(small, 20 << 20)

    def one(index: int) -> bool:
        try:
            tus_curl_upload(url, token, share, small, f"part-{index}.bin")
        except RuntimeError as error:
            print(f"    upload {index} failed: {error}")
            return False
        return True

    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        failures = sum(1 for ok in pool.map(one, range(count)) if not ok)
    seconds = time.perf_counter() - started
    described = httpx2.get(f"{url}/api/v1/shares/{share}").json()
    stored = [f for f in described["files"] if f["size"] == small.stat().st_size]
    return seconds, max(failures, count - len(stored))


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def share_file_url(url: str, share: str) -> str:
    described = httpx2.get(f"{url}/api/v1/shares/{share}").json()
    return url + str(described["files"][0]["download_url"])


def largest_blob(data_dir: Path) -> Path:
    return max((p for p in (data_dir / "blobs").rglob("*") if p.is_file()), key=os.path.getsize)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--uploads", type=int, default=50)
    options = parser.parse_args()
    size = options.size_mib << 20
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:
        work = Path(folder)
        big = work / "big.bin"
        make_file(big, size)
        data_dir = work / "data"
        data_dir.mkdir()
        token = account(data_dir, work)
        server = start_live_server(data_dir)
        nginx, nginx_url = start_nginx(work / "nginx", data_dir / "blobs")
        try:
            report(options, server, nginx_url, token, big)
        finally:
            nginx.terminate()
            nginx.wait()
            server.stop()
    return 0


class PeakMemory:
    """The server's peak RSS per phase: the kernel's high-water mark, reset before each."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[str, float] = {}

    def reset(self) -> None:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # 5: reset VmHWM to VmRSS

    def record(self, phase: str) -> None:
        self.peaks[phase] = peak_rss_mib(self.pid)


def report(
    options: argparse.Namespace, server: LiveServer, nginx_url: str, token: str, big: Path
) -> None:
    url, size, memory = server.url, big.stat().st_size, PeakMemory(server.process.pid)
    ours_up, nginx_up, cli_up = [], [], []
    share = new_share(url, token)
    memory.reset()
    for index in range(options.rounds):
        ours_up.append(tus_curl_upload(url, token, share, big, f"big-{index}.bin"))
        nginx_up.append(nginx_upload(f"{nginx_url}/upload", big))
    cli_share = new_share(url, token)
    for index in range(options.rounds):
        cli_up.append(cli_upload(url, token, cli_share, big, f"cli-{index}.bin"))
    memory.record("uploads")
    file_url = share_file_url(url, share)
    blob = largest_blob(server.data_dir)
    blob_url = f"{nginx_url}/{blob.relative_to(server.data_dir / 'blobs').as_posix()}"
    ours_down, nginx_down = [], []
    memory.reset()
    for _ in range(options.rounds):
        ours_down.append(download_speed(file_url))
        nginx_down.append(download_speed(blob_url))
    memory.record("downloads")
    memory.reset()
    seconds, failures = concurrent_uploads(url, token, big.parent, options.uploads)
    memory.record(f"{options.uploads} concurrent uploads")
    mib = size >> 20
    med = statistics.median
    print(f"share-link transfers, {mib} MiB, median of {options.rounds} (MB/s)")
    print(f"  download  syncoxide {med(ours_down):7.0f}   nginx {med(nginx_down):7.0f}   "
          f"ratio {med(ours_down) / med(nginx_down):.0%} (goal >= 80%)")  # fmt: skip
    print(f"  upload    syncoxide tus, one PATCH {med(ours_up):7.0f}   "
          f"nginx body to disk {med(nginx_up):7.0f}   "
          f"ratio {med(ours_up) / med(nginx_up):.0%}")  # fmt: skip
    print(f"  upload    syncoxide CLI, 8 MiB chunks + SHA-1 {med(cli_up):7.0f} (goal >= 200)")
    print(f"  {options.uploads} concurrent tus uploads of 20 MiB: {seconds:.1f} s, "
          f"{failures} failed")  # fmt: skip
    peaks = ", ".join(f"{phase} {mib:.0f} MiB" for phase, mib in memory.peaks.items())
    print(f"  server peak RSS: {peaks} (goal < 150)")


if __name__ == "__main__":
    raise SystemExit(main())
