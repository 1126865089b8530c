"""The client's real address behind the portal's own proxies (issue 16).

Behind nginx every request comes from the proxy: REMOTE_ADDR is nginx's address and the
client is in X-Forwarded-For, which anyone can also send. Only the proxies listed in
PORTAL_TRUSTED_PROXIES (addresses or CIDR networks, comma-separated) are believed: the list
is read from the right, each entry having been appended by the hop to its right, and the first
address that is not a trusted proxy is the client. A request whose REMOTE_ADDR is not a
trusted proxy is answered by its REMOTE_ADDR, whatever X-Forwarded-For says.

Used by django-axes (AXES_CLIENT_IP_CALLABLE: lockout per user name and real address), the
audit log (zaitaku_portal.audit.address_of) and the login records (zaitaku_portal.signals)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values) -> tuple[Network, ...]:
    """The trusted networks; a wrong entry stops the start with a message naming it."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"PORTAL_TRUSTED_PROXIES の「{value}」はIPアドレスまたはCIDRではありません。 / "
                f"PORTAL_TRUSTED_PROXIES entry {value!r} is not an address or CIDR network."
            ) from error
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks_of(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_networks() -> tuple[Network, ...]:
    return _networks_of(tuple(getattr(settings, "PORTAL_TRUSTED_PROXIES", ())))


def parse_address(value: str) -> Address | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or
    `[2001:db8::1]:5678`; an IPv4-mapped IPv6 address as its IPv4 form. None for anything
    else."""
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address | None, networks: tuple[Network, ...] | None = None) -> bool:
    if address is None:
        return False
    return any(address in network for network in networks or trusted_networks())


def from_trusted_proxy(meta) -> bool:
    """Whether the request came straight from one of our proxies (its X-Forwarded-* headers
    may then be believed)."""
    networks = trusted_networks()
    return bool(networks) and is_trusted(parse_address(meta.get("REMOTE_ADDR", "")), networks)


def client_ip_from_meta(meta) -> str:
    remote = meta.get("REMOTE_ADDR", "")
    networks = trusted_networks()
    remote_address = parse_address(remote)
    if not networks or not is_trusted(remote_address, networks):
        return remote
    client = str(remote_address)
    hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:  # not written by a proxy of ours: stop at the last one we trust
            break
        client = str(address)
        if not is_trusted(address, networks):
            break
    return client


def client_ip(request) -> str:
    """The client's address for `request` ("" without a request)."""
    if request is None:
        return ""
    return client_ip_from_meta(request.META)
