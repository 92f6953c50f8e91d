from enum import StrEnum


class CreateRepositoryBodyEncryption(StrEnum):
    AUTHENTICATED_BLAKE2 = "authenticated-blake2"
    KEYFILE = "keyfile"
    KEYFILE_BLAKE2 = "keyfile-blake2"
    REPOKEY = "repokey"
    REPOKEY_BLAKE2 = "repokey-blake2"

    def __str__(self) -> str:
        return str(self.value)
