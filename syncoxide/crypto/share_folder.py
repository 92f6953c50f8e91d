"""The layout of an encrypted account share's folder, and the share keys one member holds.

::

    .syncoxide-keyring          the grants (``share_grant.py``): each generation's share key
                                wrapped to each member, the owner included
    g1/<encrypted path>         files written under generation 1: file format v1 with the
    g2/<encrypted path>         share key as master key, names encrypted component by component
    ...                         under ``names_key(share key)`` (``share_key.encrypt_path``)

A generation is a share key. Revoking a member adds a generation wrapped only to the members
left; from then on every write uses it, so the revoked member, even given the ciphertext, cannot
read what is written after. Older files stay readable by whoever held their generation. Writing
a path removes its copies under older generations, so each path has one current file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from syncoxide.crypto.backend import RecipientBackend
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.names import NameCipher
from syncoxide.crypto.share_grant import Grant, open_grant, party_id
from syncoxide.crypto.share_key import decrypt_path, encrypt_path, path_cipher
from syncoxide.errors import NotFoundError, PermissionDeniedError

_PREFIX = "g"


def generation_folder(generation: int) -> str:
    return f"{_PREFIX}{generation}"


def generation_of(stored: str) -> int | None:
    """The generation of a stored path ``gN/...``; None for anything else (the keyring)."""
    head, slash, rest = stored.partition("/")
    digits = head[len(_PREFIX) :]
    if not slash or not rest or not head.startswith(_PREFIX) or not digits.isdecimal():
        return None
    return int(digits)


@dataclass
class ShareKeys:
    """The share keys a member could open, by generation, and the newest in the keyring."""

    keys: dict[int, SecretBytes]
    newest: int
    ring_id: bytes
    _ciphers: dict[int, NameCipher] = field(default_factory=dict)

    def current(self) -> tuple[int, SecretBytes]:
        """The generation new writes use; refused to a member who was revoked."""
        if self.newest not in self.keys:
            raise PermissionDeniedError(
                "You were removed from this share: you hold no key for new files.",
                hint="Nothing was written. Ask the owner to share it with you again.",
            )
        return self.newest, self.keys[self.newest]

    def key(self, generation: int) -> SecretBytes:
        if generation not in self.keys:
            raise PermissionDeniedError(
                f"This file was written under a share key you do not hold (generation "
                f"{generation}): it is newer than your access to the share.",
                hint="Nothing was decrypted. Ask the owner to share it with you again.",
            )
        return self.keys[generation]

    def cipher(self, backend: RecipientBackend, generation: int) -> NameCipher:
        if generation not in self._ciphers:
            self._ciphers[generation] = path_cipher(backend, self.key(generation))
        return self._ciphers[generation]

    async def stored_path(self, backend: RecipientBackend, generation: int, path: str) -> str:
        encrypted = await encrypt_path(self.cipher(backend, generation), path)
        return f"{generation_folder(generation)}/{encrypted}"

    async def plain_path(self, backend: RecipientBackend, stored: str) -> str:
        generation = generation_of(stored)
        if generation is None:
            raise NotFoundError(f"{stored!r} is not a file of an encrypted share.")
        return await decrypt_path(self.cipher(backend, generation), stored.partition("/")[2])


async def open_keys(
    backend: RecipientBackend,
    grants: list[Grant],
    *,
    my_private: SecretBytes,
    owner_public: bytes,
) -> ShareKeys:
    """Every share key of the keyring wrapped to me by the owner (each grant authenticated)."""
    mine = party_id(await backend.x25519_public(my_private))
    owner = party_id(owner_public)
    keys: dict[int, SecretBytes] = {}
    for grant in grants:
        # A grant naming another sender cannot be the owner's: a member with write access may
        # add such lines, and they are passed over. One naming the owner must authenticate.
        if grant.recipient_id == mine and grant.sender_id == owner and grant.generation not in keys:
            keys[grant.generation] = await open_grant(
                backend, grant, recipient_private=my_private, sender_public=owner_public
            )
    if not keys:
        raise PermissionDeniedError(
            "This share's keyring holds no key for your account key.",
            hint="Nothing was decrypted. If you made a new key since, ask the owner to share "
            "again; else compare fingerprints with `syncoxide keys show`.",
        )
    newest = max(grant.generation for grant in grants)
    return ShareKeys(keys, newest, grants[0].ring_id)
