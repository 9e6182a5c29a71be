"""Where webhooks may go: the egress policy, checked on the host name before any lookup and on the address
actually connected to after it.

A mock POSTs to whatever ``webhook_url`` a request carries, so by default it only calls this machine
(loopback), and a name outside ``--webhook-allow-hosts`` is never even resolved. Checking the resolved address
and then connecting to exactly that address (never resolving twice) means DNS rebinding cannot turn an allowed
name into a call to a metadata service or a link-local neighbour; those stay refused even under ``*`` unless
the allow list names them exactly.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Names that are this machine without asking any resolver (``/etc/hosts``, or literals).
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
#: Cloud metadata and similar host-local services: refused unless named exactly in the allow list.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server
        "192.0.0.192",  # Oracle Cloud (legacy)
    )
)
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"})


class EgressRefused(OSError):
    """A webhook target the policy does not allow; the message says why and which setting changes it."""


@dataclass(frozen=True)
class EgressPolicy:
    """Parsed ``--webhook-allow-hosts``: exact names or addresses, ``*.suffix`` patterns, or ``*`` for any.

    Empty means loopback only (``localhost``, ``127.0.0.0/8``, ``::1``); a list given is the whole list.
    """

    exact: frozenset[str]
    suffixes: tuple[str, ...]
    anything: bool

    @classmethod
    def parse(cls, spec: str) -> EgressPolicy:
        entries = [e.strip().lower().strip("[]").rstrip(".") for e in spec.replace(" ", ",").split(",")]
        entries = [e for e in entries if e]
        suffixes = tuple(e[1:] for e in entries if e.startswith("*.") and len(e) > 2)
        exact = frozenset(e for e in entries if not e.startswith("*"))
        return cls(exact, suffixes, "*" in entries)

    @property
    def loopback_only(self) -> bool:
        return not (self.exact or self.suffixes or self.anything)

    def describe(self) -> str:
        """For the startup line: where webhooks may go."""
        if self.loopback_only:
            return "loopback only (--webhook-allow-hosts to widen)"
        parts = (
            (["any host"] if self.anything else []) + sorted(self.exact) + [f"*{s}" for s in self.suffixes]
        )
        return ", ".join(parts) + " (never link-local or metadata addresses unless named)"

    # -- before any lookup ---------------------------------------------------------------------------------
    def refuse_host(self, host: str) -> str | None:
        """Why ``host`` (as written in the URL) may not be called, or None; decided without resolving it."""
        name = host.lower().strip("[]").rstrip(".")
        if not name:
            return "the webhook URL has no host"
        literal = _address(name)
        if name in self.exact:
            return None
        if literal is not None and _special(literal) and not self.loopback_only:
            return f"address {name} is link-local or a metadata service; name it in --webhook-allow-hosts to allow it"
        if name in METADATA_NAMES and not self.loopback_only:
            return f"host {name!r} is a metadata service; name it in --webhook-allow-hosts to allow it"
        if self.loopback_only:
            if _is_loopback_name(name, literal):
                return None
            return f"host {name!r} is not loopback: webhooks go only to this machine unless --webhook-allow-hosts names the host (or '*')"
        if self.anything or any(name.endswith(s) for s in self.suffixes):
            return None
        return f"host {name!r} is not in --webhook-allow-hosts"

    # -- after the lookup ----------------------------------------------------------------------------------
    def refuse_address(self, host: str, address: str) -> str | None:
        """Why the resolved ``address`` of ``host`` may not be connected to, or None."""
        ip = _address(address)
        if ip is None:
            return f"{host!r} resolved to {address!r}, which is not an IP address"
        name = host.lower().strip("[]").rstrip(".")
        if name in self.exact and (_address(name) is None or _address(name) == ip):
            return None  # named explicitly (a name's every address, or that very address)
        if str(ip) in self.exact:
            return None
        if _special(ip):
            return f"{host!r} resolved to {ip}, a link-local or metadata address; name it in --webhook-allow-hosts to allow it"
        if self.loopback_only and not ip.is_loopback:
            return f"{host!r} resolved to {ip}, which is not loopback"
        return None

    def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        """Resolve once, check every address, connect to the first allowed one: the address checked is the
        address used. EgressRefused when none is allowed; the OSError of the last try when none answers."""
        reason = self.refuse_host(host)
        if reason is not None:
            raise EgressRefused(reason)
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        refused: str | None = None
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            why = self.refuse_address(host, str(sockaddr[0]))
            if why is not None:
                refused = refused or why
                continue
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            return sock
        if error is not None:
            raise error
        raise EgressRefused(refused or f"{host!r} did not resolve to any address")


def _address(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
    return ip


def _is_loopback_name(name: str, literal: IPAddress | None) -> bool:
    return name in LOOPBACK_NAMES if literal is None else literal.is_loopback


def _special(ip: IPAddress) -> bool:
    """Addresses no webhook should reach by accident: link-local, metadata, unspecified, multicast."""
    return ip in METADATA_ADDRESSES or ip.is_link_local or ip.is_unspecified or ip.is_multicast
