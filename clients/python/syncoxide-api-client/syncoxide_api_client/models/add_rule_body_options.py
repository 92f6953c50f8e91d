from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AddRuleBodyOptions")


@_attrs_define
class AddRuleBodyOptions:
    """
    Attributes:
        max_size (int | Unset):
        quality (int | Unset):
        watermark (str | Unset):
        watermark_image (str | Unset):
    """

    max_size: int | Unset = UNSET
    quality: int | Unset = UNSET
    watermark: str | Unset = UNSET
    watermark_image: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        max_size = self.max_size

        quality = self.quality

        watermark = self.watermark

        watermark_image = self.watermark_image

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if max_size is not UNSET:
            field_dict["max_size"] = max_size
        if quality is not UNSET:
            field_dict["quality"] = quality
        if watermark is not UNSET:
            field_dict["watermark"] = watermark
        if watermark_image is not UNSET:
            field_dict["watermark_image"] = watermark_image

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        max_size = d.pop("max_size", UNSET)

        quality = d.pop("quality", UNSET)

        watermark = d.pop("watermark", UNSET)

        watermark_image = d.pop("watermark_image", UNSET)

        add_rule_body_options = cls(
            max_size=max_size,
            quality=quality,
            watermark=watermark,
            watermark_image=watermark_image,
        )

        return add_rule_body_options
