from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.create_connection_body_kind import CreateConnectionBodyKind

if TYPE_CHECKING:
    from ..models.create_connection_body_options import CreateConnectionBodyOptions


T = TypeVar("T", bound="CreateConnectionBody")


@_attrs_define
class CreateConnectionBody:
    """
    Attributes:
        kind (CreateConnectionBodyKind):
        name (str):
        options (CreateConnectionBodyOptions):
    """

    kind: CreateConnectionBodyKind
    name: str
    options: CreateConnectionBodyOptions

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
        from ..models.create_connection_body_options import CreateConnectionBodyOptions  # noqa: PLC0415

        d = dict(src_dict)
        kind = CreateConnectionBodyKind(d.pop("kind"))

        name = d.pop("name")

        options = CreateConnectionBodyOptions.from_dict(d.pop("options"))

        create_connection_body = cls(
            kind=kind,
            name=name,
            options=options,
        )

        return create_connection_body
