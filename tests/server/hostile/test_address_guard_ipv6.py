"""Finding 10: IPv6 forms that carry an internal IPv4 address are internal too.

The old guard took ``::7f00:1`` (127.0.0.1, IPv4-compatible), ``::ffff:0:7f00:1`` (translated),
``64:ff9b::7f00:1`` (NAT64), ``2002:7f00:1::`` (6to4), ``64:ff9b:1::/48`` and ``fec0::/10`` for
public addresses, and its refusal named what an internal host name resolves to.
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from syncoxide.errors import PermissionDeniedError
from syncoxide.native.net.address_guard import AddressGuard, AddressPolicy

DISGUISED_INTERNAL = [
    "::7f00:1",
    "::a9fe:a9fe",  # 169.254.169.254, the cloud metadata service
    "::ffff:0:7f00:1",
    "::ffff:0:a00:1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "2002:c0a8:101::1",
    "64:ff9b:1::808:808",
    "fec0::1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1
]
STILL_PUBLIC = ["2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", DISGUISED_INTERNAL)
def test_ipv4_inside_ipv6_is_judged_by_the_ipv4(address: str) -> None:
    assert not AddressPolicy().permits("h", ipaddress.ip_address(address))


@pytest.mark.parametrize("address", STILL_PUBLIC)
def test_public_ipv4_inside_ipv6_still_passes(address: str) -> None:
    assert AddressPolicy().permits("h", ipaddress.ip_address(address))


def test_a_refusal_does_not_say_what_a_name_resolves_to() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["2606:4700::1111", "::ffff:0:a00:5"]

    guard = AddressGuard(AddressPolicy(), resolve)
    with pytest.raises(PermissionDeniedError) as refused:
        asyncio.run(guard.addresses("db.internal.example", 5432))
    message = str(refused.value)
    assert "db.internal.example" in message
    assert "a00" not in message and "10.0.0.5" not in message and "2606" not in message
