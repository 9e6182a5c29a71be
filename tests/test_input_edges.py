"""Inputs that used to slip through: a host that is no address, a rule position that is no number, an ids
filter holding a control character."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, Client

ROOT = Path(__file__).resolve().parent.parent
RULE = {"match": {"model_name": "m"}, "outcome": {"status": "failed"}}


@pytest.mark.slow  # starts the CLI in a subprocess
@pytest.mark.parametrize("host", ["999.1.1.1", "not a host"])
def test_a_host_that_is_no_address_is_a_one_line_error(host: str) -> None:
    proc = subprocess.run(
        # --allow-open-admin: past the non-loopback refusal (tests/test_admin_safety.py), to the listen error
        [sys.executable, "-m", "mockserver", "serve", "--host", host, "--port", "0", "--allow-open-admin"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"creatify-mock: cannot listen on {host}:0: not an address this machine has"
    )


@pytest.mark.parametrize("position", ["abc", "-1", "1.5", " 2", "٣"])
def test_a_rule_position_must_be_a_whole_number(mock: MockServer, position: str) -> None:
    requests.post(f"{mock.url}/__admin/scenarios", json={"name": "keep", **RULE}, timeout=TIMEOUT)
    answer = requests.post(
        f"{mock.url}/__admin/scenarios", params={"position": position}, json=RULE, timeout=TIMEOUT
    )
    assert answer.status_code == 400 and "whole number" in answer.json()["position"][0]
    assert [r["id"] for r in mock.service.rules()] == ["keep"]  # nothing was added


def test_position_zero_still_inserts_first(mock: MockServer) -> None:
    requests.post(f"{mock.url}/__admin/scenarios", json={"name": "b", **RULE}, timeout=TIMEOUT)
    answer = requests.post(
        f"{mock.url}/__admin/scenarios", params={"position": "0"}, json={"name": "a", **RULE}, timeout=TIMEOUT
    )
    assert answer.status_code == 201 and [r["id"] for r in mock.service.rules()] == ["a", "b"]


@pytest.mark.parametrize("raw", ["%1E", "%1C", "%C2%85", "%0B", "%0C", "%C2%A0"])
def test_ids_with_a_control_character_are_a_400_as_the_openapi_says(client: Client, raw: str) -> None:
    answer = client.get(f"{API}?ids={raw}")
    assert answer.status_code == 400 and list(answer.json()) == ["ids"]


def test_ids_blanks_are_spaces_tabs_and_line_breaks(client: Client) -> None:
    job = client.create()
    listed = client.get(params={"ids": f" {job['id']}\t,\r\n ,\n"}).json()
    assert [j["id"] for j in listed] == [job["id"]]
