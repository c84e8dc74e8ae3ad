"""The client's IP address, the one way every part of the site reads it.

Rate limits, audit rows, login records, devices and consents all key on this address.
Without ``TRUSTED_PROXIES`` it is ``REMOTE_ADDR``, the peer of the TCP connection, and
``X-Forwarded-For`` is ignored: anyone can write that header. Behind a reverse proxy
(``HTTPS=true`` implies one that terminates TLS) the peer is the proxy, so every member
would share its address; then ``TRUSTED_PROXIES`` lists the proxies (IPs or CIDR
networks) and the client is the right-most address of ``X-Forwarded-For`` + the peer
that is not one of them.

Why not ``ipware.get_client_ip(request, proxy_trusted_ips=...)`` alone: django-ipware
never checks who sent the header (a client connecting straight to the app would choose
its own address), its trusted list is positional (one entry per hop, matched against
the tail of the header) and, without a list or count, it takes the first public entry
of the header, which the client writes. So the trust decision is made here, from
the peer inward, and python-ipware (django-ipware's engine) parses the header: ports,
brackets, IPv6 zones, IPv4-mapped and NAT64 addresses, malformed tokens. Only
``X-Forwarded-For`` is read (what nginx, HAProxy, Caddy and cloud balancers set).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware.modern.parsers import IpAddressType, parse_ip, split_proxy_chain

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(proxy_network_parse(entry) for entry in entries)


def proxy_network_parse(entry: str) -> Network:
    """One ``TRUSTED_PROXIES`` entry ("10.0.0.5", "10.0.0.0/8", "fd00::/8") as a network.

    Raises ``ValueError`` for anything else; settings.py calls it at start-up so a typo
    stops the server instead of trusting the wrong peers.
    """
    text = entry.strip()
    if not text:
        raise ValueError("entrada vacía")
    network = ipaddress.ip_network(text, strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = ipaddress.IPv6Network("::ffff:0:0/96")
        if network.subnet_of(mapped):  # parse_ip unwraps ::ffff:a.b.c.d to IPv4
            return ipaddress.IPv4Network(
                (int(network.network_address) & 0xFFFFFFFF, network.prefixlen - 96)
            )
    return network


def _trusted(address: IpAddressType, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client behind the request (None when the server gave none)."""
    peer = parse_ip(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        # A direct client: whatever X-Forwarded-For it sent is its own invention.
        return str(peer)
    # Not strict: a malformed token can only come from the client's side of the header
    # (our proxies append valid addresses), so skipping it moves nobody's position.
    hops = split_proxy_chain(request.META.get("HTTP_X_FORWARDED_FOR", ""), strict=False) or []
    if not hops:
        return str(peer)
    chain = [*hops, peer]
    # Walk from our side outwards: each trusted proxy vouches for the hop before it;
    # the first address that is not a trusted proxy is the client. Anything further
    # left was written by that client and proves nothing.
    for address in reversed(chain):
        if not _trusted(address, networks):
            return str(address)
    return str(chain[0])  # every hop is a proxy of ours: the outermost one


def client_ip_key(request: HttpRequest) -> str:
    """``client_ip`` for django-ratelimit (``RATELIMIT_IP_META_KEY``), which needs a string."""
    # Requests without any address share one counter (a key, not an address to bind).
    return client_ip(request) or "0.0.0.0"  # noqa: S104
