from enum import StrEnum


class StartConsentBodyKind(StrEnum):
    DROPBOX = "dropbox"
    GDRIVE = "gdrive"

    def __str__(self) -> str:
        return str(self.value)
