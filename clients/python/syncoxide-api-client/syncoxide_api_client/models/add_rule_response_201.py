from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.add_rule_response_201_options import AddRuleResponse201Options


T = TypeVar("T", bound="AddRuleResponse201")


@_attrs_define
class AddRuleResponse201:
    """
    Attributes:
        combine (bool):
        connection_id (int | None):
        created_at (int):
        enabled (bool):
        id (int):
        match_name (str):
        match_types (list[str]):
        max_bytes (int):
        name (str):
        options (AddRuleResponse201Options):
        original (str):
        output (str):
        place (str):
        source (str):
        source_kind (str):
        target_folder (str):
        watching_since (float | None):
    """

    combine: bool
    connection_id: int | None
    created_at: int
    enabled: bool
    id: int
    match_name: str
    match_types: list[str]
    max_bytes: int
    name: str
    options: AddRuleResponse201Options
    original: str
    output: str
    place: str
    source: str
    source_kind: str
    target_folder: str
    watching_since: float | None

    def to_dict(self) -> dict[str, Any]:
        combine = self.combine

        connection_id: int | None
        connection_id = self.connection_id

        created_at = self.created_at

        enabled = self.enabled

        id = self.id

        match_name = self.match_name

        match_types = self.match_types

        max_bytes = self.max_bytes

        name = self.name

        options = self.options.to_dict()

        original = self.original

        output = self.output

        place = self.place

        source = self.source

        source_kind = self.source_kind

        target_folder = self.target_folder

        watching_since: float | None
        watching_since = self.watching_since

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "combine": combine,
                "connection_id": connection_id,
                "created_at": created_at,
                "enabled": enabled,
                "id": id,
                "match_name": match_name,
                "match_types": match_types,
                "max_bytes": max_bytes,
                "name": name,
                "options": options,
                "original": original,
                "output": output,
                "place": place,
                "source": source,
                "source_kind": source_kind,
                "target_folder": target_folder,
                "watching_since": watching_since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.add_rule_response_201_options import AddRuleResponse201Options  # noqa: PLC0415

        d = dict(src_dict)
        combine = d.pop("combine")

        def _parse_connection_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        connection_id = _parse_connection_id(d.pop("connection_id"))

        created_at = d.pop("created_at")

        enabled = d.pop("enabled")

        id = d.pop("id")

        match_name = d.pop("match_name")

        match_types = cast(list[str], d.pop("match_types"))

        max_bytes = d.pop("max_bytes")

        name = d.pop("name")

        options = AddRuleResponse201Options.from_dict(d.pop("options"))

        original = d.pop("original")

        output = d.pop("output")

        place = d.pop("place")

        source = d.pop("source")

        source_kind = d.pop("source_kind")

        target_folder = d.pop("target_folder")

        def _parse_watching_since(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        watching_since = _parse_watching_since(d.pop("watching_since"))

        add_rule_response_201 = cls(
            combine=combine,
            connection_id=connection_id,
            created_at=created_at,
            enabled=enabled,
            id=id,
            match_name=match_name,
            match_types=match_types,
            max_bytes=max_bytes,
            name=name,
            options=options,
            original=original,
            output=output,
            place=place,
            source=source,
            source_kind=source_kind,
            target_folder=target_folder,
            watching_since=watching_since,
        )

        return add_rule_response_201
