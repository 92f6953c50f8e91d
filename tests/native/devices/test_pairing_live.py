"""Pairing two and three devices by code through a live server on loopback."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LiveServer
from tests.native.devices.device_processes import make_device, pair, wait_for_code


def test_two_devices_pair_by_code_and_trust_each_other(
    tmp_path: Path, live_server: LiveServer
) -> None:
    laptop, phone = make_device(tmp_path, "laptop"), make_device(tmp_path, "phone")
    pair(laptop, phone, live_server.url, tmp_path)
    on_laptop, on_phone = laptop.json("list"), phone.json("list")
    assert [d["device_id"] for d in on_laptop["trusted"]] == [phone.device_id]
    assert [d["name"] for d in on_laptop["trusted"]] == ["phone"]
    assert [d["device_id"] for d in on_phone["trusted"]] == [laptop.device_id]
    assert laptop.device_id != phone.device_id


def test_a_wrong_secret_pairs_nothing(tmp_path: Path, live_server: LiveServer) -> None:
    laptop, phone = make_device(tmp_path, "laptop"), make_device(tmp_path, "phone")
    offer = laptop.start(
        "pair", "--server", live_server.url, "--wait", "30", log=tmp_path / "a.log"
    )
    try:
        code = wait_for_code(offer)
        wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
        joined = phone.run("pair", wrong, "--server", live_server.url, "--yes", "--wait", "30")
        offered_rc, offered = offer.wait(60)
    finally:
        offer.stop()
    assert joined.returncode != 0 and offered_rc != 0
    assert "pairing code" in joined.stderr + joined.stdout + offered
    assert laptop.json("list")["trusted"] == [] and phone.json("list")["trusted"] == []


def test_a_mistyped_code_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    phone = make_device(tmp_path, "phone")
    done = phone.run("pair", "not-a-code", "--server", "http://127.0.0.1:9", "--yes")
    assert done.returncode == 2
    assert "is not a pairing code" in done.stderr
