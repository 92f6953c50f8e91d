from enum import StrEnum


class CreateConnectionBodyKind(StrEnum):
    DROPBOX = "dropbox"
    GDRIVE = "gdrive"
    HOME = "home"
    S3 = "s3"
    SFTP = "sftp"
    WEBDAV = "webdav"

    def __str__(self) -> str:
        return str(self.value)
