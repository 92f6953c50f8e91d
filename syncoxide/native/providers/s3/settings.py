"""Settings of an S3 remote, and the aiobotocore client they make.

aiobotocore is imported only when a client is made: a sync served by the lean requests
(``lean.py``) never makes one, and importing it costs about 0.3 s of CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syncoxide.errors import UsageError

if TYPE_CHECKING:
    from syncoxide.native.net.address_guard import AddressGuard

MiB = 1024 * 1024

#: What a remote or a server connection may set its tuning options to (``part_size=...``),
#: and what each means, for the refusal. Parts are S3's own limits (5 MiB to 5 GiB). No slots
#: for parts would stall every upload for ever. A part memory below one smallest part would
#: only mean one part at a time, which 5 MiB says already; 16 GiB is far more than the parts
#: in flight at the highest concurrency and default part size.
TUNING_BOUNDS: dict[str, tuple[int, int, str]] = {
    "part_size": (5 * MiB, 5 * 1024 * MiB, "bytes in one part of an upload"),
    "upload_concurrency": (1, 64, "parts sent at once"),
    "part_memory": (5 * MiB, 16 * 1024 * MiB, "bytes of parts held in memory at once"),
}


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    region: str = "us-east-1"
    part_size: int = 8 * MiB
    #: Multipart parts in flight across the whole provider (memory: this x part_size).
    upload_concurrency: int = 8
    #: Bytes of parts of copies in parts held at once (s3/part_buffers.py): 3 parts of 8 MiB.
    part_memory: int = 24 * MiB
    head_concurrency: int = 32
    #: Listings of different prefixes in flight at once (rclone's --checkers default).
    list_concurrency: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 3
    #: 1 s, not 1 ns, on purpose: a server that loses our metadata (rclone serve s3 keeps it
    #: in memory only) falls back to LastModified, which HTTP rounds to whole seconds; with a
    #: 1 ns precision every object would then look changed and be copied again.
    mtime_precision_ns: int = 10**9


def check_tuning(options: dict[str, Any]) -> None:
    """A clear ``UsageError`` for a tuning option (already a number) outside its bounds."""
    for name, (low, high, meaning) in TUNING_BOUNDS.items():
        value = options.get(name)
        if value is not None and not low <= value <= high:
            raise UsageError(
                f"Option {name} must be between {low} and {high}; {value} is not.",
                hint=f"It is the {meaning}; nothing was sent with this value.",
            )


def create_client(s: S3Settings, guard: AddressGuard | None = None) -> Any:
    """An aiobotocore client context for ``s`` (enter it to get the client); ``guard`` (if
    given) checks every address it connects to."""
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    from syncoxide.native.net.guarded_resolver import GuardedResolver

    resolver = GuardedResolver(guard) if guard is not None else None
    config = AioConfig(
        connector_args={"resolver": resolver} if resolver is not None else None,
        signature_version="s3v4",
        s3={"addressing_style": "path" if s.endpoint_url else "auto"},
        retries={"max_attempts": s.max_attempts, "mode": "standard"},
        connect_timeout=s.connect_timeout,
        read_timeout=s.read_timeout,
        max_pool_connections=max(s.head_concurrency, s.upload_concurrency) + 2,
        # Newer botocore adds CRC checksums that many S3-compatible servers reject.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return get_session().create_client(
        "s3",
        endpoint_url=s.endpoint_url,
        region_name=s.region,
        aws_access_key_id=s.access_key_id,
        aws_secret_access_key=s.secret_access_key,
        config=config,
    )
