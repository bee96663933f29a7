"""Where webhooks may be sent: http(s) URLs of public hosts, and private networks only if allowed.

A partner chooses the URL our servers POST to, so without a check a partner could make
them call addresses inside our own network (a metadata service, an admin port). URLs are
checked when they are registered (the host as written) and again before every attempt
(the addresses the host resolves to then), and the attempt connects to an address that
passed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 2000
# Forms of IPv4 that resolvers accept besides dotted decimal: 2130706433, 0x7f.1, 0177.0.0.1.
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


def networks(values: Iterable[str]) -> list[Network]:
    """The allowed networks of a setting: addresses or CIDR blocks (127.0.0.1, 10.0.0.0/8)."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values]


def address_problem(address: Address, allowed: Sequence[Network]) -> str | None:
    """Why a webhook may not be sent to `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address.version == network.version and address in network for network in allowed):
        return None
    if address.is_global and not address.is_multicast:
        return None
    return (
        f"{address} is a loopback, private, link-local or reserved address: webhooks are sent "
        "to public hosts only."
    )


def _literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def url_problem(url: str, allowed: Sequence[Network]) -> str | None:
    """Why `url` may not be registered as a webhook, or None when it may.

    A host name is not resolved here (it may not exist yet, and a lookup would hold up the
    request); the deliverer checks what it resolves to before each attempt.
    """
    if len(url) > MAX_URL_LENGTH:
        return f"A webhook URL has at most {MAX_URL_LENGTH} characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError:
        return "Give an http:// or https:// URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give an http:// or https:// URL with a host."
    host = parts.hostname.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine: webhooks are sent to public hosts only."
    address = _literal_address(host)
    return None if address is None else address_problem(address, allowed)


@dataclass(frozen=True)
class Target:
    """Where one delivery attempt connects: an address that passed the check, reached
    under the host name the URL gives (its Host header, and its TLS server name)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


async def checked_target(url: str, allowed: Sequence[Network], timeout: float) -> Target | str:
    """Where a delivery to `url` connects now, or why it must not be attempted: every
    address the host resolves to must be allowed.

    The attempt then connects to the address checked here rather than looking the name up
    again, so a host whose DNS answer changes in between (DNS rebinding) cannot steer it
    to an address the check refused.
    """
    problem = url_problem(url, allowed)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _literal_address(host) is not None:
        return Target(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        # Bounded: a worker's claim on the delivery runs out, and a hung lookup would outlast it.
        async with asyncio.timeout(timeout):
            found = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
    except TimeoutError:
        return f"could not resolve {host} within {timeout:g} s"
    except OSError as error:
        return f"could not resolve {host}: {error}"
    addresses = [ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]) for *_, sockaddr in found]
    if not addresses:
        return f"could not resolve {host}: no addresses"
    for address in addresses:
        problem = address_problem(address, allowed)
        if problem is not None:
            return f"{host} resolves to {problem}"
    chosen = addresses[0]
    literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    userinfo, at, host_and_port = parts.netloc.rpartition("@")
    pinned = f"{userinfo}{at}{literal}:{port}"
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Target(urlunsplit(parts._replace(netloc=pinned)), {"Host": host_and_port}, extensions)
