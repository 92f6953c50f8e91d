"""One tus upload's committed state, as both upload stores keep it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from syncoxide.server.tus.headers import TusRequestError
from syncoxide.units import counted

#: ``Upload.length`` of an upload created with ``Upload-Defer-Length: 1`` until a PATCH says it.
DEFERRED = -1
ID_BYTES = 24  # 192 bits: the upload URL is a capability, so it must be unguessable


@dataclass(frozen=True)
class Upload:
    id: str
    length: int
    offset: int
    scope: str
    created: float
    expires: float
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def deferred(self) -> bool:
        return self.length == DEFERRED

    @property
    def complete(self) -> bool:
        return self.offset == self.length


def is_upload_id(text: str) -> bool:
    """Whether ``text`` can be an id we made (URL-safe base64): anything else is refused
    before it reaches a file name or an object key."""
    return bool(text) and text.replace("-", "").replace("_", "").isalnum() and text.isascii()


def with_declared_length(upload: Upload, length: int) -> Upload:
    """``upload`` with its length fixed (``creation-defer-length``, once): unchanged when it was
    known already and agrees; refused when it changes or falls below the bytes held."""
    if not upload.deferred:
        if length != upload.length:
            raise TusRequestError(400, "Upload-Length cannot change once it is known.")
        return upload
    if length < upload.offset:
        raise TusRequestError(
            400, f"Upload-Length is below the {counted(upload.offset, 'byte')} held."
        )
    return replace(upload, length=length)


def too_long(upload: Upload) -> TusRequestError:
    """The refusal of a body that goes past what the upload may still take."""
    bound = "its room" if upload.deferred else f"Upload-Length ({upload.length})"
    return TusRequestError(413, f"The body goes past {bound}.")
