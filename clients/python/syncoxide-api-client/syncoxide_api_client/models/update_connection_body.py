from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_connection_body_options import UpdateConnectionBodyOptions


T = TypeVar("T", bound="UpdateConnectionBody")


@_attrs_define
class UpdateConnectionBody:
    """
    Attributes:
        options (UpdateConnectionBodyOptions | Unset):
    """

    options: UpdateConnectionBodyOptions | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = self.options.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if options is not UNSET:
            field_dict["options"] = options

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.update_connection_body_options import UpdateConnectionBodyOptions  # noqa: PLC0415

        d = dict(src_dict)
        _options = d.pop("options", UNSET)
        options: UpdateConnectionBodyOptions | Unset
        if isinstance(_options, Unset):
            options = UNSET
        else:
            options = UpdateConnectionBodyOptions.from_dict(_options)

        update_connection_body = cls(
            options=options,
        )

        return update_connection_body
