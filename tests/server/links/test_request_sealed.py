"""End-to-end encrypted request links in-process: only sealed files and names get stored."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from pathlib import Path
from typing import Any

import pytest

from syncoxide.crypto import recipient
from syncoxide.crypto.keys import SecretBytes
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.system import SystemRandom
from tests.server.links.links_world import LinksWorld, make_world, tus_upload

DROP = "/api/v1/drop/"
BACKEND = CryptographyBackend()
OWNER_KEY = SecretBytes(os.urandom(32))
OWNER_PUBLIC = asyncio.run(BACKEND.x25519_public(OWNER_KEY))


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def sealed_file(path: str, data: bytes, public: bytes = OWNER_PUBLIC) -> bytes:
    async def seal() -> bytes:
        sealer = await recipient.seal_to(BACKEND, public, path, SystemRandom())
        parts: list[bytes] = [sealer.header.encode()]
        last = -(-len(data) // sealer.header.chunk_size) - 1
        pieces = [data[i : i + 65536] for i in range(0, len(data), 65536)] or [b""]
        for index, piece in enumerate(pieces):
            parts.append(await sealer.seal_chunk(piece, last=index >= last))
        return b"".join(parts)

    return asyncio.run(seal())


def opened(ciphertext: bytes) -> tuple[str, bytes]:
    async def open_all() -> tuple[str, bytes]:
        header = recipient.parse_header(ciphertext)
        path, opener = await recipient.open_from(BACKEND, OWNER_KEY, header)
        body = ciphertext[header.size :]
        layout = opener.layout
        count = layout.chunk_count(len(ciphertext))
        records = [
            body[i * layout.record_size : (i + 1) * layout.record_size] for i in range(count)
        ]
        return path, b"".join(await opener.open_chunks(0, records, last=True))

    return asyncio.run(open_all())


def encrypted_request(world: LinksWorld, **options: Any) -> dict[str, Any]:
    body = {"title": "Secret drop", "public_key": base64.b64encode(OWNER_PUBLIC).decode()}
    made = world.owner.post("/api/v1/requests", json={**body, **options})
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def drop(world: LinksWorld, link: dict[str, Any], data: bytes, **meta: str) -> int:
    return tus_upload(world.stranger(), DROP, data, {"Syncoxide-Link": link["id"]}, **meta)


def stored_bytes(data_dir: Path) -> bytes:
    """Everything the server keeps on disk: database, its WAL, blobs, unfinished uploads."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


def test_storage_never_holds_a_plaintext_name_content_or_key(
    world: LinksWorld, tmp_path: Path
) -> None:
    link = encrypted_request(world)
    public = world.stranger().get(f"/api/v1/requests/{link['id']}").json()
    assert base64.b64decode(public["public_key"]) == OWNER_PUBLIC
    page = world.stranger().get(link["url"]).text
    assert f'data-public-key="{public["public_key"]}"' in page and "request-seal.js" in page
    tree = {
        "Confidential/salaries-2026.csv": b"name,salary\nAda Lovelace,123456\n" * 5000,
        "Confidential/deep/passport scan.txt": b"PASSPORT-NUMBER-X1234567",
    }
    for path, data in tree.items():
        status = drop(world, link, sealed_file(path, data), path=f"{secrets.token_hex(16)}.sxor")
        assert status == 204
    arrivals = world.owner.get(f"/api/v1/requests/{link['id']}/arrivals").json()["files"]
    got = dict(opened(world.owner.get(f["download_url"]).content) for f in arrivals)
    assert got == tree
    disk = stored_bytes(tmp_path / "data")
    for secret in (
        b"Ada Lovelace",
        b"PASSPORT-NUMBER-X1234567",
        b"salaries-2026",
        b"passport scan",
        b"Confidential",
        OWNER_KEY.reveal(),
        base64.b64encode(OWNER_KEY.reveal()),
    ):
        assert secret not in disk


@pytest.mark.parametrize(
    "meta",
    [
        {"path": "Confidential/salaries.csv"},  # a plain name would sit on the server
        {"path": f"{'a' * 32}.sxor", "filename": "salaries.csv"},  # so would a second one
        {"path": "../" + "a" * 32 + ".sxor"},
    ],
)
def test_an_encrypted_request_refuses_plaintext_names(
    world: LinksWorld, meta: dict[str, str]
) -> None:
    link = encrypted_request(world)
    assert drop(world, link, b"x" * 100, **meta) == 400
    listed = world.owner.get(f"/api/v1/requests/{link['id']}/arrivals").json()
    assert listed["files"] == []


def test_plaintext_under_a_sealed_name_is_refused_and_not_kept(
    world: LinksWorld, tmp_path: Path
) -> None:
    link = encrypted_request(world)
    plain = b"Quarterly numbers, not sealed" * 100
    assert drop(world, link, plain, path=f"{secrets.token_hex(16)}.sxor") == 415
    listed = world.owner.get(f"/api/v1/requests/{link['id']}/arrivals").json()
    assert listed["files"] == []
    assert b"Quarterly numbers" not in stored_bytes(tmp_path / "data")


@pytest.mark.parametrize("key", ["short", "A" * 44, base64.b64encode(b"x" * 33).decode()])
def test_a_malformed_public_key_is_refused(world: LinksWorld, key: str) -> None:
    made = world.owner.post("/api/v1/requests", json={"title": "t", "public_key": key})
    # The body check enforces the spec's key pattern: the same 422 as any other malformed field.
    assert made.status_code == 422 and "public_key" in made.json()["message"]


def test_type_limits_need_names_so_they_do_not_mix_with_encryption(world: LinksWorld) -> None:
    public = base64.b64encode(OWNER_PUBLIC).decode()
    body = {"title": "t", "public_key": public, "allowed_types": ".pdf"}
    made = world.owner.post("/api/v1/requests", json=body)
    assert made.status_code == 400 and "names" in made.json()["message"]


def test_a_plain_request_says_it_is_not_encrypted(world: LinksWorld) -> None:
    made = world.owner.post("/api/v1/requests", json={"title": "plain"}).json()
    assert made["public_key"] == ""
    page = world.stranger().get(made["url"]).text
    assert "data-public-key" not in page and "request-seal.js" not in page
