"""Which network addresses an outgoing request (a feed fetch, an alert webhook) may reach.

One home for the SSRF rule, shared by ``ingest.fetch`` and ``alerts.deliver``: standard
library only. Callers resolve the host with ``resolve_host``, check every address with
``is_blocked_address``, and connect to the checked address so DNS cannot change its answer
in between.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

__all__ = ["is_blocked_address", "resolve_host"]

# RFC 6598 shared address space (carrier-grade NAT); not "private" to ipaddress.
_SHARED_NET = ipaddress.ip_network("100.64.0.0/10")


def is_blocked_address(address: str) -> bool:
    """True for any address a request must not reach unless private networks are allowed.

    Private, loopback, link-local, multicast, unspecified, reserved, 100.64/10 and anything
    else not globally routable; IPv4-mapped IPv6 is judged as the IPv4 address it carries;
    text that is not an address is blocked.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or (ip.version == 4 and ip in _SHARED_NET)
        or not ip.is_global
    )


def resolve_host(host: str, port: int, timeout: float) -> list[str]:
    """Addresses for ``host`` in resolver order (an IP literal is its own answer).

    Raises ``TimeoutError`` when the lookup takes longer than ``timeout`` seconds and
    ``OSError`` (or ``UnicodeError`` for a bad name) when it fails or finds nothing.
    """
    literal = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(literal.split("%", 1)[0]))]
    except ValueError:
        pass
    box: dict[str, object] = {}
    done = threading.Event()

    def lookup() -> None:
        try:
            box["result"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc
        finally:
            done.set()

    # getaddrinfo has no timeout of its own; a daemon thread keeps the deadline honest.
    threading.Thread(target=lookup, name="netguard-dns", daemon=True).start()
    if not done.wait(timeout):
        raise TimeoutError(f"looking up {host} took longer than {timeout:g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in box["result"]:  # type: ignore[union-attr]
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    if not seen:
        raise OSError(f"no addresses for {host}")
    return seen
