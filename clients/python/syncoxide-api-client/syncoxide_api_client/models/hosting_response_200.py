from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.hosting_response_200_settings import HostingResponse200Settings


T = TypeVar("T", bound="HostingResponse200")


@_attrs_define
class HostingResponse200:
    """
    Attributes:
        area (str):
        settings (HostingResponse200Settings):
        ssh_host (str):
        ssh_login (str):
        ssh_port (int):
        ssh_ready (bool):
    """

    area: str
    settings: HostingResponse200Settings
    ssh_host: str
    ssh_login: str
    ssh_port: int
    ssh_ready: bool

    def to_dict(self) -> dict[str, Any]:
        area = self.area

        settings = self.settings.to_dict()

        ssh_host = self.ssh_host

        ssh_login = self.ssh_login

        ssh_port = self.ssh_port

        ssh_ready = self.ssh_ready

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "area": area,
                "settings": settings,
                "ssh_host": ssh_host,
                "ssh_login": ssh_login,
                "ssh_port": ssh_port,
                "ssh_ready": ssh_ready,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.hosting_response_200_settings import HostingResponse200Settings  # noqa: PLC0415

        d = dict(src_dict)
        area = d.pop("area")

        settings = HostingResponse200Settings.from_dict(d.pop("settings"))

        ssh_host = d.pop("ssh_host")

        ssh_login = d.pop("ssh_login")

        ssh_port = d.pop("ssh_port")

        ssh_ready = d.pop("ssh_ready")

        hosting_response_200 = cls(
            area=area,
            settings=settings,
            ssh_host=ssh_host,
            ssh_login=ssh_login,
            ssh_port=ssh_port,
            ssh_ready=ssh_ready,
        )

        return hosting_response_200
