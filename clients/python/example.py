"""Sign in with an API token, list your share links, and upload a file into your storage.

    pip install ./clients/python/syncoxide-api-client
    python clients/python/example.py https://files.example.org "$TOKEN" report.pdf docs/report.pdf

Small calls go through the generated client. The upload speaks tus 1.0.0 (resumable, any size)
over the client's own HTTP connection, then names the finished upload with the generated
``commit_storage_upload``, which checks the SHA-1 computed here.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import httpx
from syncoxide_api_client import AuthenticatedClient
from syncoxide_api_client.api.default import commit_storage_upload, list_shares, me
from syncoxide_api_client.models import CommitStorageUploadBody, Error

TUS = {"Tus-Resumable": "1.0.0"}
PART = 8 << 20  # bytes per PATCH; a broken upload resumes from the server's offset


def main(url: str, token: str, local: Path, remote: str) -> int:
    client = AuthenticatedClient(base_url=url, token=token, raise_on_unexpected_status=True)
    with client as api:
        who = me.sync(client=api)
        if who is None or isinstance(who, Error):
            print(f"sign-in refused: {who}", file=sys.stderr)
            return 1
        print(f"signed in as {who.user.name}")
        shares = list_shares.sync(client=api)
        if shares is None or isinstance(shares, Error):
            print(f"could not list shares: {shares}", file=sys.stderr)
            return 1
        print(f"{len(shares.links)} share links")
        upload_id = tus_upload(api.get_httpx_client(), local)
        body = CommitStorageUploadBody(upload=upload_id, path=remote, sha1=sha1_of(local))
        stored = commit_storage_upload.sync(client=api, body=body)
        if stored is None or isinstance(stored, Error):
            print(f"the server refused the upload: {stored}", file=sys.stderr)
            return 1
        print(f"stored {stored.path} ({stored.size} bytes, sha256 {stored.sha256})")
    return 0


def tus_upload(http: httpx.Client, local: Path) -> str:
    size = local.stat().st_size
    created = http.post("/api/v1/storage/uploads/", headers={**TUS, "Upload-Length": str(size)})
    created.raise_for_status()
    location = created.headers["Location"]
    offset = 0
    with local.open("rb") as source:
        while offset < size:
            source.seek(offset)
            part = source.read(PART)
            sent = http.patch(
                location,
                content=part,
                headers={
                    **TUS,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            sent.raise_for_status()
            offset = int(sent.headers["Upload-Offset"])
    return location.rstrip("/").rsplit("/", 1)[-1]


def sha1_of(local: Path) -> str:
    digest = hashlib.sha1()  # noqa: S324  (the storage API names files by SHA-1, as providers do)
    with local.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: example.py SERVER_URL TOKEN LOCAL_FILE REMOTE_PATH")
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]))
