"""One tus upload's committed state, as both upload stores keep it."""

from __future__ import annotations

from dataclasses import dataclass, field

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
