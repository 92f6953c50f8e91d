from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.add_rule_body_match_types_item import AddRuleBodyMatchTypesItem
from ..models.add_rule_body_original import AddRuleBodyOriginal
from ..models.add_rule_body_source_kind import AddRuleBodySourceKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.add_rule_body_options import AddRuleBodyOptions


T = TypeVar("T", bound="AddRuleBody")


@_attrs_define
class AddRuleBody:
    """
    Attributes:
        name (str):
        output (str):
        source (str):
        source_kind (AddRuleBodySourceKind):
        combine (bool | Unset):
        match_name (str | Unset):
        match_types (list[AddRuleBodyMatchTypesItem] | Unset):
        max_bytes (int | Unset):
        options (AddRuleBodyOptions | Unset):
        original (AddRuleBodyOriginal | Unset):
        target_folder (str | Unset):
    """

    name: str
    output: str
    source: str
    source_kind: AddRuleBodySourceKind
    combine: bool | Unset = UNSET
    match_name: str | Unset = UNSET
    match_types: list[AddRuleBodyMatchTypesItem] | Unset = UNSET
    max_bytes: int | Unset = UNSET
    options: AddRuleBodyOptions | Unset = UNSET
    original: AddRuleBodyOriginal | Unset = UNSET
    target_folder: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        output = self.output

        source = self.source

        source_kind = self.source_kind.value

        combine = self.combine

        match_name = self.match_name

        match_types: list[str] | Unset = UNSET
        if not isinstance(self.match_types, Unset):
            match_types = []
            for match_types_item_data in self.match_types:
                match_types_item = match_types_item_data.value
                match_types.append(match_types_item)

        max_bytes = self.max_bytes

        options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = self.options.to_dict()

        original: str | Unset = UNSET
        if not isinstance(self.original, Unset):
            original = self.original.value

        target_folder = self.target_folder

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "output": output,
                "source": source,
                "source_kind": source_kind,
            }
        )
        if combine is not UNSET:
            field_dict["combine"] = combine
        if match_name is not UNSET:
            field_dict["match_name"] = match_name
        if match_types is not UNSET:
            field_dict["match_types"] = match_types
        if max_bytes is not UNSET:
            field_dict["max_bytes"] = max_bytes
        if options is not UNSET:
            field_dict["options"] = options
        if original is not UNSET:
            field_dict["original"] = original
        if target_folder is not UNSET:
            field_dict["target_folder"] = target_folder

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.add_rule_body_options import AddRuleBodyOptions  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        output = d.pop("output")

        source = d.pop("source")

        source_kind = AddRuleBodySourceKind(d.pop("source_kind"))

        combine = d.pop("combine", UNSET)

        match_name = d.pop("match_name", UNSET)

        _match_types = d.pop("match_types", UNSET)
        match_types: list[AddRuleBodyMatchTypesItem] | Unset = UNSET
        if _match_types is not UNSET:
            match_types = []
            for match_types_item_data in _match_types:
                match_types_item = AddRuleBodyMatchTypesItem(match_types_item_data)

                match_types.append(match_types_item)

        max_bytes = d.pop("max_bytes", UNSET)

        _options = d.pop("options", UNSET)
        options: AddRuleBodyOptions | Unset
        if isinstance(_options, Unset):
            options = UNSET
        else:
            options = AddRuleBodyOptions.from_dict(_options)

        _original = d.pop("original", UNSET)
        original: AddRuleBodyOriginal | Unset
        if isinstance(_original, Unset):
            original = UNSET
        else:
            original = AddRuleBodyOriginal(_original)

        target_folder = d.pop("target_folder", UNSET)

        add_rule_body = cls(
            name=name,
            output=output,
            source=source,
            source_kind=source_kind,
            combine=combine,
            match_name=match_name,
            match_types=match_types,
            max_bytes=max_bytes,
            options=options,
            original=original,
            target_folder=target_folder,
        )

        return add_rule_body
