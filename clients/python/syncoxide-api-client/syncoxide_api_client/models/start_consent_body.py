from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.start_consent_body_kind import StartConsentBodyKind

if TYPE_CHECKING:
    from ..models.start_consent_body_options import StartConsentBodyOptions


T = TypeVar("T", bound="StartConsentBody")


@_attrs_define
class StartConsentBody:
    """
    Attributes:
        kind (StartConsentBodyKind):
        name (str):
        options (StartConsentBodyOptions):
    """

    kind: StartConsentBodyKind
    name: str
    options: StartConsentBodyOptions

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        name = self.name

        options = self.options.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "name": name,
                "options": options,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.start_consent_body_options import StartConsentBodyOptions  # noqa: PLC0415

        d = dict(src_dict)
        kind = StartConsentBodyKind(d.pop("kind"))

        name = d.pop("name")

        options = StartConsentBodyOptions.from_dict(d.pop("options"))

        start_consent_body = cls(
            kind=kind,
            name=name,
            options=options,
        )

        return start_consent_body
