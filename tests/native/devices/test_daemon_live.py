"""Two and three devices on one machine, each with its own config folder, syncing through a
live server on loopback: changes arrive, concurrent edits keep both, kill -9 converges, a
folder deleted and made again is refused rather than taken as deletions."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.native.devices.device_processes import DeviceHome, make_device, pair
from tests.native.p2p.p2p_processes import CliRun

ARRIVAL = 30.0
RESTARTS = 5


def wait_until(check: Callable[[], bool], what: str, timeout: float = ARRIVAL) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".syncoxide" not in p.parts
    }


class Fleet:
    def __init__(self, root: Path, server: LiveServer) -> None:
        self.root, self.server = root, server
        self.runs: dict[str, CliRun] = {}

    def device(self, name: str) -> DeviceHome:
        return make_device(self.root, name)

    def share(self, device: DeviceHome, *peers: DeviceHome, mode: list[str] | None = None) -> Path:
        path = self.root / f"{device.name}-files"
        args = [a for peer in peers for a in ("--with", peer.device_id)]
        done = device.run("folders", "add", "photos", str(path), *args, *(mode or []))
        assert done.returncode == 0, done.stderr
        return path

    def start(self, device: DeviceHome) -> CliRun:
        run = device.start("run", log=self.root / f"{device.name}-run-{time.monotonic_ns()}.log")
        self.runs[device.name] = run
        return run

    def stop_all(self) -> None:
        for run in self.runs.values():
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGINT)
        for run in self.runs.values():
            try:
                run.process.wait(10)
            except Exception:
                run.stop()


@pytest.fixture
def fleet(tmp_path: Path, live_server: LiveServer) -> Iterator[Fleet]:
    made = Fleet(tmp_path, live_server)
    yield made
    made.stop_all()


def two_paired(fleet: Fleet) -> tuple[DeviceHome, DeviceHome, Path, Path]:
    laptop, phone = fleet.device("laptop"), fleet.device("phone")
    pair(laptop, phone, fleet.server.url, fleet.root)
    return laptop, phone, fleet.share(laptop, phone), fleet.share(phone, laptop)


def test_a_change_on_one_device_appears_on_the_other(fleet: Fleet) -> None:
    laptop, phone, here, there = two_paired(fleet)
    (here / "album").mkdir()
    (here / "album" / "a.txt").write_text("first\n")
    big = os.urandom(3 * 128 * 1024 + 5)
    (here / "big.bin").write_bytes(big)
    fleet.start(laptop)
    fleet.start(phone)
    wait_until(lambda: tree(there) == tree(here), "the phone has the laptop's files", 60)
    (there / "album" / "a.txt").write_text("changed on the phone\n")
    took = wait_until(
        lambda: (here / "album" / "a.txt").read_text() == "changed on the phone\n",
        "the edit came back",
    )
    print(f"propagation of one changed file: {took:.2f} s")
    (here / "album" / "a.txt").unlink()
    wait_until(lambda: not (there / "album" / "a.txt").exists(), "the delete arrived")
    assert tree(there) == tree(here)


def test_concurrent_edits_end_as_both_versions_on_both_devices(fleet: Fleet) -> None:
    laptop, phone, here, there = two_paired(fleet)
    (here / "note.txt").write_text("v0\n")
    (there / "note.txt").write_text("v0\n")  # equal content: no conflict, histories merge
    fleet.start(laptop)
    fleet.start(phone)
    wait_until(lambda: tree(there) == tree(here), "both agree on v0", 60)
    fleet.stop_all()
    (here / "note.txt").write_text("laptop's edit\n")
    (there / "note.txt").write_text("phone's edit\n")
    fleet.start(laptop)
    fleet.start(phone)
    wait_until(
        lambda: len(tree(here)) == 2 and tree(here) == tree(there), "both versions on both", 60
    )
    contents = sorted(p.read_text() for p in here.iterdir() if p.is_file())
    assert contents == ["laptop's edit\n", "phone's edit\n"]


def test_kill_9_mid_transfer_then_restart_converges_with_nothing_lost(fleet: Fleet) -> None:
    laptop, phone, here, there = two_paired(fleet)
    payload = os.urandom(24 * 1024 * 1024)
    (here / "video.bin").write_bytes(payload)
    (here / "small.txt").write_text("small\n")
    fleet.start(laptop)
    receiving = fleet.start(phone)
    scratch = there / ".syncoxide" / "tmp"
    wait_until(lambda: any(p.stat().st_size > 0 for p in scratch.glob("*")), "a transfer began", 60)
    receiving.process.send_signal(signal.SIGKILL)
    receiving.process.wait(10)
    assert (
        not (there / "video.bin").exists()
        or tree(there).get("video.bin") == tree(here)["video.bin"]
    )
    fleet.start(phone)
    wait_until(lambda: tree(there) == tree(here), "the phone caught up after the restart", 120)
    assert (
        hashlib.sha256((there / "video.bin").read_bytes()).digest()
        == hashlib.sha256(payload).digest()
    )
    assert (here / "video.bin").read_bytes() == payload  # the sender lost nothing either


def test_a_revoked_device_is_refused_by_every_device(fleet: Fleet) -> None:
    laptop, phone, tablet = fleet.device("laptop"), fleet.device("phone"), fleet.device("tablet")
    for first, second in [(laptop, phone), (laptop, tablet), (phone, tablet)]:
        pair(first, second, fleet.server.url, fleet.root)
    folders = {
        laptop.name: fleet.share(laptop, phone, tablet),
        phone.name: fleet.share(phone, laptop, tablet),
        tablet.name: fleet.share(tablet, laptop, phone),
    }
    assert laptop.run("revoke", tablet.device_id).returncode == 0
    fleet.start(laptop)
    fleet.start(phone)
    # The phone hears of the revocation from the laptop, though it paired with the tablet itself.
    wait_until(
        lambda: tablet.device_id in {d["device_id"] for d in phone.json("list")["revoked"]},
        "the revocation reached the phone",
    )
    (folders["phone"] / "for-trusted-only.txt").write_text("secret\n")
    (folders["tablet"] / "from-revoked.txt").write_text("evil\n")
    fleet.start(tablet)
    wait_until(lambda: (folders["laptop"] / "for-trusted-only.txt").exists(), "laptop got it")
    time.sleep(8)  # the tablet keeps knocking meanwhile
    assert not (folders["laptop"] / "from-revoked.txt").exists()
    assert not (folders["phone"] / "from-revoked.txt").exists()
    assert not (folders["tablet"] / "for-trusted-only.txt").exists()
    assert phone.json("list")["trusted"] == [
        {"device_id": laptop.device_id, "name": "laptop", "introduced_by": None}
    ]


def test_an_introduced_device_is_only_trusted_once_the_suggestion_is_accepted(
    fleet: Fleet,
) -> None:
    laptop, phone, tablet = fleet.device("laptop"), fleet.device("phone"), fleet.device("tablet")
    pair(laptop, phone, fleet.server.url, fleet.root)
    pair(laptop, tablet, fleet.server.url, fleet.root)
    assert laptop.run("introduce", tablet.device_id).returncode == 0
    fleet.share(laptop, phone)
    fleet.share(phone, laptop)
    fleet.start(laptop)
    fleet.start(phone)
    wait_until(lambda: bool(phone.json("list")["suggested"]), "the phone sees the suggestion")
    listed = phone.json("list")
    assert listed["suggested"] == [
        {"device_id": tablet.device_id, "name": "tablet", "suggested_by": [laptop.device_id]}
    ]
    assert tablet.device_id not in {d["device_id"] for d in listed["trusted"]}
    accepted = phone.json("trust", tablet.device_id)
    assert accepted["introduced_by"] == laptop.device_id
    trusted = {d["device_id"]: d for d in phone.json("list")["trusted"]}
    assert trusted[tablet.device_id]["introduced_by"] == laptop.device_id


def test_introduced_devices_meet_in_their_own_room_without_the_introducer(fleet: Fleet) -> None:
    laptop, desktop, phone = (fleet.device(n) for n in ("laptop", "desktop", "phone"))
    pair(laptop, desktop, fleet.server.url, fleet.root)
    pair(laptop, phone, fleet.server.url, fleet.root)
    for introduced in (desktop, phone):
        assert laptop.run("introduce", introduced.device_id).returncode == 0
    fleet.share(laptop, desktop, phone)
    fleet.share(desktop, laptop)
    fleet.share(phone, laptop)
    runs = {device.name: fleet.start(device) for device in (laptop, desktop, phone)}
    for device, other in [(desktop, phone), (phone, desktop)]:
        wait_until(partial(has_suggestions, device), f"{device.name} sees the suggestion")
        assert device.json("trust", other.device_id)["introduced_by"] == laptop.device_id
    # Once accepted, the two share a folder of their own and meet with the laptop gone.
    here, there = fleet.share(desktop, laptop, phone), fleet.share(phone, laptop, desktop)
    runs["laptop"].process.send_signal(signal.SIGINT)
    assert runs["laptop"].process.wait(15) is not None
    fleet.stop_all()
    desktop_run, phone_run = fleet.start(desktop), fleet.start(phone)
    (here / "from-desktop.txt").write_text("made on the desktop\n")
    wait_until(lambda: tree(there) == tree(here), "the phone has the desktop's change", 60)
    assert f"Connected to {phone.device_id}." in desktop_run.output()
    assert f"Connected to {desktop.device_id}." in phone_run.output()
    assert "Expected" not in desktop_run.output() + phone_run.output()


def has_suggestions(device: DeviceHome) -> bool:
    return bool(device.json("list")["suggested"])


def test_reconnects_under_changes_converge_with_no_protocol_error(fleet: Fleet) -> None:
    """The phone is killed and restarted again and again while both sides change files: each
    reconnect must begin with ``auth`` on both sides ("Expected 'auth' from the peer first"
    was seen after such reconnects) and the two end equal."""
    laptop, phone, here, there = two_paired(fleet)
    runs = [fleet.start(laptop), fleet.start(phone)]
    for round_ in range(RESTARTS):
        for n in range(5):
            (here / f"round-{round_}-{n}.txt").write_text(f"laptop {round_} {n}\n" * 500)
        (there / f"phone-{round_}.txt").write_text(f"phone {round_}\n")
        wait_until(lambda: f"Connected to {laptop.device_id}." in runs[-1].output(), "met", 60)
        time.sleep(0.2 * (round_ % 3))  # kill at different points of the session
        runs[-1].process.send_signal(signal.SIGKILL)
        runs[-1].process.wait(10)
        runs.append(fleet.start(phone))
    wait_until(lambda: tree(there) == tree(here), "both devices hold every change", 90)
    assert len(tree(here)) == RESTARTS * 6
    logs = "".join(run.output() for run in runs)
    assert "Expected" not in logs, logs
    assert "protocol" not in logs.lower(), logs


def test_a_running_daemon_takes_folders_added_and_removed_meanwhile(fleet: Fleet) -> None:
    laptop, phone, here, there = two_paired(fleet)
    runs = [fleet.start(laptop), fleet.start(phone)]
    wait_until(lambda: f"Connected to {laptop.device_id}." in runs[1].output(), "met", 60)
    more_here, more_there = fleet.root / "laptop-more", fleet.root / "phone-more"
    for device, other, path in ((laptop, phone, more_here), (phone, laptop, more_there)):
        done = device.run("folders", "add", "more", str(path), "--with", other.device_id)
        assert done.returncode == 0, done.stderr
    (more_here / "added.txt").write_text("in a folder added while both run\n")
    wait_until(lambda: tree(more_there) == tree(more_here), "the added folder syncs", 60)
    assert "Syncing 2 folder(s) with 1 device(s)." in runs[0].output()

    assert phone.run("folders", "remove", "more").returncode == 0
    wait_until(lambda: runs[1].output().count("Syncing 1 folder(s)") == 2, "the phone lets go")
    (more_here / "after-removal.txt").write_text("not for the phone any more\n")
    (here / "still.txt").write_text("the first folder still syncs\n")
    wait_until(lambda: "still.txt" in tree(there), "the first folder still syncs", 60)
    time.sleep(2)  # the laptop's watcher and an announcement take well under this
    assert "after-removal.txt" not in tree(more_there)
    assert (more_there / "added.txt").exists()  # a folder let go keeps its files
    logs = "".join(run.output() for run in runs)
    assert "Traceback" not in logs, logs


REFUSED = "The folder photos is not the one synced before"


def restart(fleet: Fleet, device: DeviceHome) -> CliRun:
    run = fleet.runs[device.name]
    run.process.send_signal(signal.SIGINT)
    run.process.wait(10)
    return fleet.start(device)


def test_a_folder_made_again_is_refused_until_removed_and_added_again(fleet: Fleet) -> None:
    laptop, phone, here, there = two_paired(fleet)
    for name in ("a.txt", "b.txt", "c.txt"):
        (here / name).write_text(f"{name} from the laptop\n")
    more_here, more_there = fleet.root / "laptop-more", fleet.root / "phone-more"
    for device, other, path in ((laptop, phone, more_here), (phone, laptop, more_there)):
        done = device.run("folders", "add", "more", str(path), "--with", other.device_id)
        assert done.returncode == 0, done.stderr
    runs = [fleet.start(laptop), fleet.start(phone)]
    wait_until(lambda: tree(there) == tree(here), "the phone has every file", 60)
    everything = tree(here)

    shutil.rmtree(there)  # on the phone, while both run: deleted and made again, one file in it
    there.mkdir()
    (there / "new.txt").write_text("made again on the phone\n")
    (more_there / "other.txt").write_text("the other folder keeps syncing\n")
    wait_until(lambda: "other.txt" in tree(more_here), "the other folder still syncs", 60)
    time.sleep(3)  # a deletion would have arrived by now (a change takes well under a second)
    assert tree(here) == everything, runs[1].output()
    wait_until(lambda: REFUSED in runs[1].output(), "the phone says why it refuses the folder")

    runs[1] = restart(fleet, phone)  # refused when its index is opened, too
    wait_until(lambda: f"Connected to {laptop.device_id}." in runs[1].output(), "met again", 60)
    time.sleep(3)
    assert tree(here) == everything, runs[1].output()
    assert REFUSED in runs[1].output()
    assert "Nothing was deleted on your other devices" in runs[1].output()
    assert tree(there) == {"new.txt": tree(there)["new.txt"]}

    assert phone.run("folders", "remove", "photos").returncode == 0  # shared anew: fresh index
    assert (
        phone.run("folders", "add", "photos", str(there), "--with", laptop.device_id).returncode
        == 0
    )
    wait_until(
        lambda: set(tree(here)) == set(tree(there)) == {*everything, "new.txt"},
        "both end with every file",
        60,
    )
    assert tree(here) == tree(there)
    logs = "".join(run.output() for run in fleet.runs.values())
    assert "Traceback" not in logs, logs


def test_a_folder_gone_then_put_back_syncs_again_within_seconds_without_a_restart(
    fleet: Fleet,
) -> None:
    laptop, phone, here, there = two_paired(fleet)
    (here / "a.txt").write_text("synced before it went away\n")
    runs = [fleet.start(laptop), fleet.start(phone)]
    wait_until(lambda: tree(there) == tree(here), "the phone has the file", 60)
    kept = fleet.root / "phone-files-backup"
    shutil.copytree(there, kept)  # a backup, its mark included
    shutil.rmtree(there)  # on the phone, while both run: deleted (or its drive unmounted)
    wait_until(lambda: "photos: not synced." in runs[1].output(), "the phone sets it aside")
    (here / "b.txt").write_text("made on the laptop while the phone's folder was away\n")
    time.sleep(2)  # a deletion would have arrived by now
    assert set(tree(here)) == {"a.txt", "b.txt"}, runs[1].output()

    shutil.copytree(kept, there)  # put back as it was, without restarting anything
    took = wait_until(lambda: "b.txt" in tree(there), "the laptop's file reaches it", 15)
    print(f"a folder put back synced again after {took:.2f} s")
    (there / "c.txt").write_text("made on the phone once the folder was back\n")
    wait_until(lambda: "c.txt" in tree(here), "the phone's watcher follows it again", 15)
    assert tree(here) == tree(there)
    assert "photos: the folder synced before is back; syncing it again." in runs[1].output()
    logs = "".join(run.output() for run in runs)
    assert "Traceback" not in logs, logs


def test_a_folder_kept_by_an_earlier_release_keeps_syncing(fleet: Fleet) -> None:
    laptop, phone, here, there = two_paired(fleet)
    (here / "a.txt").write_text("synced before the upgrade\n")
    runs = [fleet.start(laptop), fleet.start(phone)]
    wait_until(lambda: tree(there) == tree(here), "the phone has the file", 60)
    runs[1].process.send_signal(signal.SIGINT)
    runs[1].process.wait(10)
    config = phone.config / "devices" / "folders.json"  # as an earlier release left it:
    document = json.loads(config.read_text())  # no id, and no mark in the folder
    del document["folders"]["photos"]["id"]
    config.write_text(json.dumps(document))
    shutil.rmtree(there / ".syncoxide")
    (there / "b.txt").write_text("made on the phone meanwhile\n")

    runs[1] = fleet.start(phone)
    wait_until(lambda: "b.txt" in tree(here), "the phone's new file arrives", 60)
    (here / "a.txt").write_text("edited on the laptop\n")
    wait_until(lambda: tree(there) == tree(here), "the laptop's edit arrives", 60)
    folder_id = json.loads(config.read_text())["folders"]["photos"]["id"]
    assert (there / ".syncoxide" / "folder-mark").read_text() == folder_id
    assert "not the one synced before" not in runs[1].output()
