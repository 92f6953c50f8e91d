"""An S3 connection's tuning options through the API, against a real S3 server (rclone): the
part memory (``part_memory``) is taken on create and changed alone on update like ``part_size``
and ``upload_concurrency`` (tuning keeps the saved secret), and out-of-range or non-numeric
values are refused with a clear message and nothing kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.rules.rules_world import connect, rules_client
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

MiB = 1024 * 1024


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with rules_client(tmp_path / "data") as signed_in:
        yield signed_in


def s3_options(s3: S3Server, **tuning: str) -> dict[str, str]:
    return {"endpoint": s3.endpoint, "bucket": s3.bucket, "access_key_id": ACCESS_KEY,
            "secret_access_key": SECRET_KEY, **tuning}  # fmt: skip


def connections(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/connections").json()["connections"])


@pytest.mark.parametrize("option", ["part_memory", "part_size", "upload_concurrency"])
def test_a_tuning_option_is_taken_and_changed_alone_keeping_the_secret(
    client: TestClient, rclone_s3: S3Server, option: str
) -> None:
    first, second = {"part_memory": (16 * MiB, 48 * MiB), "part_size": (16 * MiB, 6 * MiB),
                     "upload_concurrency": (4, 2)}[option]  # fmt: skip
    made = connect(client, "box", "s3", **s3_options(rclone_s3, **{option: str(first)}))
    assert made["options"][option] == str(first) and made["secrets"] == ["secret_access_key"]
    changed = client.put(
        f"/api/v1/connections/{made['id']}", json={"options": {option: str(second)}}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["options"][option] == str(second)
    assert changed.json()["secrets"] == ["secret_access_key"]  # kept: it still points there
    assert changed.json()["state"] == "ok"


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("part_memory", "lots", "part_memory='lots' must be a number"),
        ("part_memory", "0", "part_memory must be between"),
        ("part_memory", "-8388608", "part_memory must be between"),
        ("part_memory", str(64 * 1024 * MiB), "part_memory must be between"),
        ("part_size", "1024", "part_size must be between"),
        ("upload_concurrency", "0", "upload_concurrency must be between"),
    ],
)
def test_a_bad_tuning_value_is_refused_and_nothing_is_kept(
    client: TestClient, rclone_s3: S3Server, option: str, value: str, says: str
) -> None:
    refused = client.post(
        "/api/v1/connections",
        json={"name": "box", "kind": "s3", "options": s3_options(rclone_s3, **{option: value})},
    )
    assert refused.status_code == 400, refused.text
    assert says in refused.json()["message"]
    assert connections(client) == []

    made = connect(client, "box", "s3", **s3_options(rclone_s3))
    updated = client.put(f"/api/v1/connections/{made['id']}", json={"options": {option: value}})
    assert updated.status_code == 400, updated.text
    assert says in updated.json()["message"]
    [kept] = connections(client)
    assert option not in kept["options"] and kept["state"] == "ok"
