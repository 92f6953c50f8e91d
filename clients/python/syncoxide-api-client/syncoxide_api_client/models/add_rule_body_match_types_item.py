from enum import StrEnum


class AddRuleBodyMatchTypesItem(StrEnum):
    ARCHIVE = "archive"
    IMAGE = "image"
    MEDIA = "media"
    OFFICE = "office"
    PDF = "pdf"

    def __str__(self) -> str:
        return str(self.value)
