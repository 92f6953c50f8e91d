"""Which network addresses a connection may reach, for a server that connects for its users.

A user's S3 endpoint, SFTP host or WebDAV URL must not make the server a way into its own
network (server-side request forgery): the cloud metadata service at 169.254.169.254, services
on 127.0.0.1, the private ranges around it. The guard resolves a host when a connection is
made and refuses it when any address the name resolves to is not public (loopback, link-local,
private, unique-local, carrier-grade NAT, unspecified, multicast, reserved), unless the
server's allow-list names the host or a network holding the address. The clients then connect
to the very addresses that were checked (``guarded_clients``), not to a second lookup, so a
name that resolves elsewhere a moment later cannot slip past.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from syncoxide.errors import ConfigError, PermissionDeniedError, ProviderUnavailableError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses pass; others only when their host name or network is allowed."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str], where: str) -> AddressPolicy:
        """From host names, addresses and CIDRs (``nas.lan``, ``10.0.0.0/8``, ``::1``)."""
        hosts: set[str] = set()
        networks: list[Network] = []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if "/" in entry or not all(part for part in entry.rstrip(".").split(".")):
                    raise ConfigError(
                        f"{entry!r} in {where} is neither a host name nor an address or CIDR.",
                        hint="Write entries like nas.lan, 192.168.1.20 or 10.0.0.0/8.",
                    ) from None
                hosts.add(_host_key(entry))
        return cls(frozenset(hosts), tuple(networks))

    def permits(self, host: str, address: Address) -> bool:
        if is_public(address):
            return True
        if _host_key(host) in self.allowed_hosts:
            return True
        return any(address in network for network in self.allowed_networks)


# IPv6 forms that carry an IPv4 address in their last 32 bits, so "::7f00:1" is 127.0.0.1:
# IPv4-compatible (::/96, deprecated), IPv4-translated (::ffff:0:0:0/96, RFC 2765) and the
# NAT64 well-known prefix (64:ff9b::/96, RFC 6052). (IPv4-mapped, 6to4 and Teredo have their
# own properties in ipaddress.)
_LAST_32_BITS_IPV4 = (
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)
# Never public, whatever Python's table says: NAT64 local use (RFC 8215), where the IPv4 part
# sits at an operator-chosen offset, and the deprecated site-local fec0::/10.
_NEVER_PUBLIC_IPV6 = (ipaddress.IPv6Network("64:ff9b:1::/48"), ipaddress.IPv6Network("fec0::/10"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address stands for (none for a plain IPv6 address)."""
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if any(address in network for network in _LAST_32_BITS_IPV4) and int(address) > 1:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [v4 for v4 in found if v4 is not None]


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the public internet, IPv4 inside IPv6 included."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in _NEVER_PUBLIC_IPV6):
            return False
        inner = embedded_ipv4(address)
        if inner:
            return all(is_public(v4) for v4 in inner)
        if address.is_reserved or address.is_site_local:
            return False
    return address.is_global and not address.is_multicast


@runtime_checkable
class GuardsAddresses(Protocol):
    """A provider that connects only to addresses ``guard`` lets through."""

    def guard_addresses(self, guard: AddressGuard) -> None: ...


class AddressGuard:
    def __init__(self, policy: AddressPolicy, resolve: Resolve | None = None) -> None:
        self.policy = policy
        self._resolve = resolve or _system_resolve

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``; ``PermissionDeniedError`` if any is internal
        and not allowed (one bad answer refuses the name: its other answers are not trusted)."""
        try:
            literal: Address | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        found = [str(literal)] if literal is not None else await self._resolve(host, port)
        self.check(host, found)
        return found

    def check(self, host: str, found: list[str]) -> None:
        # The message never names the addresses: it would tell a stranger what an internal
        # name resolves to.
        if any(not self.policy.permits(host, ipaddress.ip_address(a)) for a in found):
            raise PermissionDeniedError(
                f"{host} is, or resolves to, an internal address this server does not connect "
                "to for its users. Nothing was changed.",
                hint="If this host is meant to be reached, the server's operator can allow it "
                "with SYNCOXIDE_CONNECTIONS_ALLOW or [connections] allow in settings.toml.",
            )


async def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise ProviderUnavailableError(f"{host} could not be resolved ({error}).") from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _host_key(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()
