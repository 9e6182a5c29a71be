"""The egress policy: loopback by default, names checked before any lookup, the connected address checked after.

Nothing here resolves or contacts a non-loopback name: refusals are of names the policy refuses before
resolution, and the DNS-rebinding case replaces ``socket.getaddrinfo`` with a fake answer.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from mockserver.testing import MockServer
from mockserver.webhooks.egress import EgressPolicy, EgressRefused

from .conftest import Client, valid_body
from .receiver import Receiver


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "LOCALHOST."])
def test_loopback_is_allowed_by_default(host: str) -> None:
    assert EgressPolicy.parse("").refuse_host(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "10.0.0.1",
        "169.254.169.254",
        "fe80::1",
        "0.0.0.0",
        "2130706433",
        "localhost.example.com",
    ],
)
def test_anything_else_is_refused_by_default_before_resolution(host: str) -> None:
    reason = EgressPolicy.parse("").refuse_host(host)
    assert reason is not None and "--webhook-allow-hosts" in reason


def test_allow_lists_name_hosts_suffixes_or_anything() -> None:
    listed = EgressPolicy.parse("hooks.test, *.ci.test")
    assert listed.refuse_host("hooks.test") is None and listed.refuse_host("a.b.ci.test") is None
    assert listed.refuse_host("ci.test.evil") is not None and listed.refuse_host("other.test") is not None
    assert listed.refuse_host("127.0.0.1") is not None  # a list given is the whole list
    anything = EgressPolicy.parse("*")
    assert anything.refuse_host("example.org") is None and anything.refuse_host("10.1.2.3") is None


@pytest.mark.parametrize(
    "host",
    ["169.254.169.254", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254", "metadata.google.internal"],
)
def test_metadata_and_link_local_are_refused_even_with_star_unless_named(host: str) -> None:
    assert EgressPolicy.parse("*").refuse_host(host) is not None
    assert EgressPolicy.parse("*.internal,*").refuse_host(host) is not None
    assert EgressPolicy.parse(f"*,{host}").refuse_host(host) is None


def test_the_resolved_address_is_checked_and_is_the_one_connected_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: an allowed name that resolves to a metadata address is refused, and no socket is opened."""
    opened: list[Any] = []

    def fake_lookup(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "rebind.test"  # the only lookup, of the name the URL gave
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_lookup)
    monkeypatch.setattr(socket, "socket", lambda *a, **k: opened.append(a))
    with pytest.raises(EgressRefused, match=r"169\.254\.169\.254"):
        EgressPolicy.parse("*").connect("rebind.test", 80, 1.0)
    assert opened == []
    # Loopback only: "localhost" answered with another machine's address is refused too.
    assert "not loopback" in (EgressPolicy.parse("").refuse_address("localhost", "10.0.0.7") or "")
    assert EgressPolicy.parse("rebind.test").refuse_address("rebind.test", "10.0.0.7") is None


def test_connect_reaches_a_loopback_receiver() -> None:
    with Receiver() as receiver:
        port = int(receiver.url().rsplit(":", 1)[1].split("/")[0])
        sock = EgressPolicy.parse("").connect("localhost", port, 2.0)
        try:
            assert sock.getpeername()[0] in ("127.0.0.1", "::1")
        finally:
            sock.close()


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        ("", "http://example.com/hook"),
        ("*", "http://169.254.169.254/latest/meta-data/"),
        ("*", "http://metadata.google.internal/computeMetadata/v1/"),
        ("*", "https://[fe80::1]:8443/"),
    ],
)
def test_refused_events_are_abandoned_with_the_reason_and_never_retried(allow: str, url: str) -> None:
    with MockServer(timing="instant", webhook_allow_hosts=allow, webhook_backoff=0.01) as mock:
        client = Client(mock)
        job = client.create(valid_body(webhook_url=url))
        client.job(job["id"])
        log = mock.wait_for_webhooks(job["id"], count=2, timeout=10)
    assert [e["state"] for e in log] == ["abandoned", "abandoned"]
    assert all(len(e["attempts"]) == 1 and "--webhook-allow-hosts" in e["error"] for e in log)


def test_embedded_mock_and_cli_default_say_where_webhooks_go() -> None:
    assert EgressPolicy.parse("").describe().startswith("loopback only")
    with MockServer() as mock:
        assert "127.0.0.1" in mock.service.webhook_egress()
