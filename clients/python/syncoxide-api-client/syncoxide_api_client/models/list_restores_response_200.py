from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_restores_response_200_restores_item import ListRestoresResponse200RestoresItem


T = TypeVar("T", bound="ListRestoresResponse200")


@_attrs_define
class ListRestoresResponse200:
    """
    Attributes:
        restores (list[ListRestoresResponse200RestoresItem]):
    """

    restores: list[ListRestoresResponse200RestoresItem]

    def to_dict(self) -> dict[str, Any]:
        restores = []
        for restores_item_data in self.restores:
            restores_item = restores_item_data.to_dict()
            restores.append(restores_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "restores": restores,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_restores_response_200_restores_item import ListRestoresResponse200RestoresItem  # noqa: PLC0415

        d = dict(src_dict)
        restores = []
        _restores = d.pop("restores")
        for restores_item_data in _restores:
            restores_item = ListRestoresResponse200RestoresItem.from_dict(restores_item_data)

            restores.append(restores_item)

        list_restores_response_200 = cls(
            restores=restores,
        )

        return list_restores_response_200
