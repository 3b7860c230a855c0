"""What a request's forwarding headers are worth: only a trusted reverse proxy
(AMARCORD_TRUSTED_PROXIES) may tell us the client's address, the scheme or the user."""

from __future__ import annotations

from ipaddress import ip_address

from quart import request

from amarcord.api.context import settings


def is_trusted(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings().trusted_proxies)


def from_trusted_proxy() -> bool:
    return is_trusted(request.remote_addr)


def client_address() -> str:
    """The peer, or behind trusted proxies the nearest X-Forwarded-For hop that is not one
    of them (hops further left could be made up by the client)."""
    peer = request.remote_addr or ""
    if not is_trusted(peer):
        return peer
    forwarded = ",".join(request.headers.getlist("X-Forwarded-For"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop
    return hops[0] if hops else peer


def is_https() -> bool:
    if request.scheme == "https":
        return True
    if not from_trusted_proxy():
        return False
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0]
    return proto.strip().lower() == "https"
