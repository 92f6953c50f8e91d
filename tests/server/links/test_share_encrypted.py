"""End-to-end encrypted shares: the server side, the storage scan, and the page's decryptor.

The page's JavaScript decryptor (web/static/share-crypto.js) runs here under Node 20, whose
``crypto.subtle`` is WebCrypto, against the known-answer vectors and against files and names
encrypted by the Python core, so both sides are held to the same bytes.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import key_fragment
from syncoxide.native.crypto.share import encrypted_names, sealed_copy
from syncoxide.units import format_bytes
from tests.core.crypto.vectors import load_cases
from tests.server.links.links_world import ROOT, LinksWorld, make_world, tus_upload

DECRYPTOR = ROOT / "web" / "static" / "share-crypto.js"
CHECK = Path(__file__).with_name("share_decrypt_check.js")
KEY = SecretBytes(os.urandom(32))
FILES = {
    "Gig night/set list.txt": b"opening song\n" * 3000,
    "Gig night/audio takes/take 1.wav": os.urandom(200_000),
    "Gig night/empty notes": b"",
}
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node 20")


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _sealed(tmp_path: Path, data: bytes, key: SecretBytes = KEY) -> bytes:
    plain, sealed = tmp_path / "plain", tmp_path / "sealed"
    plain.write_bytes(data)
    sealed.unlink(missing_ok=True)
    return sealed_copy(plain, key, sealed).read_bytes()


def encrypted_share(world: LinksWorld, tmp_path: Path, **options: object) -> dict[str, Any]:
    made = world.owner.post("/api/v1/shares", json={"encrypted": True, **options})
    assert made.status_code == 201, made.text
    share_id = made.json()["id"]
    for stored, data in zip(encrypted_names(list(FILES), KEY), FILES.values(), strict=True):
        sealed = _sealed(tmp_path, data)
        code = tus_upload(world.owner, "/api/v1/uploads/", sealed, share=share_id, path=stored)
        assert code == 204
    answer: dict[str, Any] = world.owner.get(f"/api/v1/shares/{share_id}").json()
    return answer


def test_the_page_lists_only_ciphertext_names_and_loads_the_decryptor(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = encrypted_share(world, tmp_path)
    assert share["encrypted"] is True and "zip_url" not in share
    page = world.stranger().get(share["url"])
    assert page.status_code == 200
    assert '<script src="/static/share-crypto.js" defer></script>' in page.text
    assert '<script src="/static/share-decrypt.js" defer></script>' in page.text
    assert "'unsafe-eval'" not in page.headers["content-security-policy"]
    for name in ("set list", "take 1", "Gig night", "empty notes"):
        assert name not in page.text
    assert page.text.count("data-file=") == len(FILES)
    for name in ("share-crypto.js", "share-decrypt.js"):
        script = world.stranger().get(f"/static/{name}")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_the_page_shows_decrypted_sizes_and_their_total_not_the_ciphertexts(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = encrypted_share(world, tmp_path)
    page = world.stranger().get(share["url"]).text
    plain = sorted(len(data) for data in FILES.values())
    stored = sorted(f["size"] for f in share["files"])
    assert all(s > p for s, p in zip(stored, plain, strict=True))  # header and tags
    shown = [format_bytes(size) for size in plain]
    for size in shown:
        assert f'<span class="muted">{size}</span>' in page
    assert f'<p id="share-total">3 files, {format_bytes(sum(plain))} in all</p>' in page


def test_a_file_that_is_not_well_formed_shows_its_stored_size_marked(
    world: LinksWorld, tmp_path: Path
) -> None:
    made = world.owner.post("/api/v1/shares", json={"encrypted": True}).json()
    name = encrypted_names(["odd.bin"], KEY)[0]
    code = tus_upload(world.owner, "/api/v1/uploads/", b"not sealed", share=made["id"], path=name)
    assert code == 204
    page = world.stranger().get(made["url"]).text
    assert "10 B stored (not a well-formed encrypted file)" in page


def test_the_password_page_of_an_encrypted_share_carries_the_key_over(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = encrypted_share(world, tmp_path, password="pw")
    page = world.stranger().get(share["url"])
    assert 'method="post"' in page.text and "/static/share-decrypt.js" in page.text
    plain = world.owner.post("/api/v1/shares", json={"password": "pw"}).json()
    assert "/static/share-decrypt.js" not in world.stranger().get(plain["url"]).text


def test_a_zip_of_ciphertext_is_refused_with_a_reason(world: LinksWorld, tmp_path: Path) -> None:
    share = encrypted_share(world, tmp_path)
    answer = world.stranger().get(f"{share['url']}/zip")
    assert answer.status_code == 409
    assert "file by file" in answer.text


def test_storage_holds_neither_plaintext_nor_key_nor_names(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = encrypted_share(world, tmp_path, title="")
    assert world.stranger().get(share["files"][0]["download_url"]).status_code == 200
    data_dir = tmp_path / "data"
    stored = b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    assert len(stored) > sum(map(len, FILES.values()))  # the scan did see the blobs
    raw_key = KEY.reveal()
    secrets = [
        raw_key,
        raw_key.hex().encode(),
        base64.b64encode(raw_key).rstrip(b"="),
        key_fragment(KEY).encode().split(b"=", 1)[1],
    ]
    for secret in secrets:
        assert secret not in stored
    for path, data in FILES.items():
        if data:
            assert data[1000:1064] not in stored
        for part in path.split("/"):  # all 9 bytes or more: no chance match in ciphertext
            assert part.encode() not in stored


def test_one_visit_fetching_every_file_counts_as_one_download(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = encrypted_share(world, tmp_path, max_downloads=1)
    first = world.stranger()
    for file in share["files"]:
        assert first.get(file["download_url"]).status_code == 200
    assert world.owner.get(f"/api/v1/shares/{share['id']}").json()["downloads"] == 1
    second = world.stranger()
    assert second.get(share["files"][0]["download_url"]).status_code == 410
    forged = world.stranger()
    forged.cookies.set(f"sxo_dl_{share['id']}", f"{world.clock.now}.{'0' * 32}")
    assert forged.get(share["files"][0]["download_url"]).status_code == 410
    world.clock.now += 7 * 3600  # the visit is over: the next fetch is a new download
    assert first.get(share["files"][0]["download_url"]).status_code == 410


def test_plain_shares_still_say_they_are_not_encrypted(world: LinksWorld) -> None:
    made = world.owner.post("/api/v1/shares", json={"title": "Plain"}).json()
    assert made["encrypted"] is False and "zip_url" in made


def _run_decryptor(cases: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps({"files": [], "names": [], "fragments": [], **cases}))
    done = subprocess.run(
        ["node", str(CHECK), str(DECRYPTOR), str(cases_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


@needs_node
@pytest.mark.live  # runs the page's decryptor in Node
def test_the_page_decryptor_opens_the_known_answer_vectors(tmp_path: Path) -> None:
    files = load_cases("file_v1.json")
    names = [c for c in load_cases("names_v1.json") if c["expected"]["sidecar"] is None]
    cases = {
        "files": [
            {"master": c["master"], "ciphertext": c["expected"]["ciphertext"]} for c in files
        ],
        "names": [
            {
                "names_key": c["names_key"],
                "directory": c["directory"],
                "stored": c["expected"]["stored"],
            }
            for c in names
        ],
    }
    results = _run_decryptor(cases, tmp_path)
    assert results == [{"plaintext": c["plaintext"]} for c in files] + [
        {"name": c["name"]} for c in names
    ]


@needs_node
@pytest.mark.live  # runs the page's decryptor in Node
def test_the_page_decryptor_reads_python_shares_and_names_every_failure(tmp_path: Path) -> None:
    data = os.urandom(300_000)  # five 64 KiB chunks: crosses the fetch pieces and a batch
    sealed = _sealed(tmp_path, data)
    tampered = bytearray(sealed)
    tampered[150_000] ^= 1
    boundary = 116 + (64 * 1024 + 16) * 2  # cut after chunk 1: chunk 1 was sealed "not last"
    other_key = SecretBytes(os.urandom(32))
    path = "Gig/audio/Ünïcødé take ✓.wav"
    [stored_path] = encrypted_names([path], KEY)
    cases = {
        "files": [
            {"master": KEY.reveal().hex(), "ciphertext": sealed.hex(), "piece": 70_001},
            {"master": KEY.reveal().hex(), "ciphertext": bytes(tampered).hex()},
            {"master": KEY.reveal().hex(), "ciphertext": sealed[:boundary].hex()},
            {"master": other_key.reveal().hex(), "ciphertext": sealed.hex()},
            {"master": KEY.reveal().hex(), "ciphertext": b"PK\x03\x04".hex() * 40},
            {"master": KEY.reveal().hex(), "ciphertext": sealed.hex(), "break_at": 200_001},
        ],
        "names": [
            {"share_key": KEY.reveal().hex(), "stored": stored_path},
            {"share_key": other_key.reveal().hex(), "stored": stored_path},
        ],
        "fragments": [f"#{key_fragment(KEY)}", "#", "#k=abc", "#x=1&k=" + "A" * 43],
    }
    results = _run_decryptor(cases, tmp_path)
    assert results[0] == {"plaintext": data.hex()}
    assert results[1]["error"] == "tampered" and results[1]["wrote"] < len(data)
    assert results[2]["error"] == "truncated"
    assert results[3] == {"error": "wrong-key", "wrote": 0}
    assert results[4] == {"error": "foreign", "wrote": 0}
    assert results[5] == {"plaintext": data.hex(), "reopened": [200_001]}  # resumed, not redone
    assert results[6:8] == [{"name": path}, {"error": "wrong-key"}]
    assert results[8] == {"key": KEY.reveal().hex()}
    assert results[9:11] == [{"error": "no-key"}, {"error": "no-key"}]
    assert results[11] == {"key": "00" * 32}
