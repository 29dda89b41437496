"""Which callback URLs the DCSA subscription service may call (server-side request forgery guard).

Why: a subscriber chooses the URL and the base's server makes the request. Without a guard, a
shipper's token could make the server POST to 127.0.0.1, the metadata service at 169.254.169.254 or
an office network behind the firewall. So private, loopback, link-local, multicast and reserved
addresses are refused — at subscription time when the host is written as an address or is
``localhost``, and again at delivery time after DNS resolution (a public name can resolve to a
private address, or change to one later; delivery connects to the very address it checked, so a
changing answer cannot slip past). Hosts a terminal really runs its listeners on can be
allowed with ``LANDBRIDGE_CALLBACK_ALLOWED_HOSTS``: a comma-separated list of host names, addresses
or networks (``hooks.internal, 10.20.0.0/16, 127.0.0.1``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

ALLOWED_HOSTS_ENV = "LANDBRIDGE_CALLBACK_ALLOWED_HOSTS"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _allowed() -> tuple[set[str], list[IpNetwork]]:
    """Host names and networks from the environment, read on every call so tests and ops can change it."""
    names: set[str] = set()
    networks: list[IpNetwork] = []
    for entry in os.environ.get(ALLOWED_HOSTS_ENV, "").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _is_internal(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _address_allowed(address: IpAddress, networks: list[IpNetwork]) -> bool:
    return not _is_internal(address) or any(address in network for network in networks)


def refusal_at_subscription(url: str) -> str | None:
    """Why this URL may not be subscribed, or None. No DNS lookup: the network may be offline."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL"
    host = parts.hostname.lower().rstrip(".")
    names, networks = _allowed()
    if host in names:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return (
                f"{host} is this server itself; callbacks may not target it "
                f"(allow it with {ALLOWED_HOSTS_ENV} if a listener really runs there)"
            )
        return None
    if not _address_allowed(address, networks):
        return (
            f"{host} is a private, loopback or reserved address; callbacks may not target it "
            f"(allow it with {ALLOWED_HOSTS_ENV} if a listener really runs there)"
        )
    return None


def _resolve_checked(url: str) -> tuple[str | None, list[str]]:
    """(why the URL is refused or None, the addresses to connect to). One DNS lookup."""
    reason = refusal_at_subscription(url)
    if reason is not None:
        return reason, []
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    names, networks = _allowed()
    infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if host not in names:
        for text in addresses:
            address = ipaddress.ip_address(text)
            if not _address_allowed(address, networks):
                return f"{host} resolves to {address}, a private, loopback or reserved address", []
    return None, addresses


def refusal_at_delivery(url: str) -> str | None:
    """Why the server must not call this URL now (after resolving its host), or None."""
    try:
        return _resolve_checked(url)[0]
    except OSError:
        return None  # unresolvable: the request itself fails and is retried like any network error


def delivery_address(url: str) -> str:
    """The one address a delivery connects to, resolved and checked once.

    Why once: if the check and the connection each asked DNS, a name with a zero TTL could answer
    a public address to the check and 127.0.0.1 to the connection (DNS rebinding). The caller
    connects to this address and keeps the URL's host name for the Host header and TLS.
    Raises PermissionError when the URL is refused, OSError when the host does not resolve.
    """
    reason, addresses = _resolve_checked(url)
    if reason is not None:
        raise PermissionError(f"callback refused: {reason}")
    if not addresses:
        raise OSError(f"{urlsplit(url).hostname} has no address")
    return addresses[0]
