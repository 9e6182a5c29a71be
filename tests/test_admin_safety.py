"""The admin API belongs to the person running the mock (issue 21): no CORS for other origins, no state change
from a request a web page can send without a preflight, the token on every admin path but health, refusal to
serve an open admin API beyond loopback, and a webhook URL's secrets masked wherever they are shown or saved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.config.settings import Settings, is_loopback
from mockserver.config.values import SettingsError
from mockserver.core.secrets import MASK, MASKED_TARGET, mask_url
from mockserver.service.persistence import StateFile
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body
from .receiver import Receiver

pytestmark = pytest.mark.slow  # real servers and a subprocess

EVIL = "http://evil.example"
JSON = {"Content-Type": "application/json"}
SECRETS = ("hunter2-pass", "tok-9f8e7d", "sig-abcdef")


def _jobs(mock: MockServer) -> int:
    return int(requests.get(f"{mock.url}/__admin/health", timeout=TIMEOUT).json()["jobs"])


def test_another_origin_gets_no_cors_on_the_admin_api(mock: MockServer) -> None:
    state = requests.get(f"{mock.url}/__admin/state", headers={"Origin": EVIL}, timeout=TIMEOUT)
    assert state.status_code == 200 and "Access-Control-Allow-Origin" not in state.headers
    asks = {
        "Origin": EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    preflight = requests.options(f"{mock.url}/__admin/reset", headers=asks, timeout=TIMEOUT)
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Headers" not in preflight.headers
    api = requests.get(mock.url + API, headers={**mock.headers, "Origin": EVIL}, timeout=TIMEOUT)
    assert api.headers["Access-Control-Allow-Origin"] == "*"  # the API paths keep their CORS


def test_admin_cors_origins_lets_a_named_origin_in() -> None:
    dashboard = "http://localhost:5173"
    with MockServer(admin_cors_origins=dashboard) as mock:
        mine = requests.get(f"{mock.url}/__admin/state", headers={"Origin": dashboard}, timeout=TIMEOUT)
        assert mine.headers["Access-Control-Allow-Origin"] == dashboard
        assert "X-Next-Cursor" in mine.headers["Access-Control-Expose-Headers"]
        other = requests.get(f"{mock.url}/__admin/state", headers={"Origin": EVIL}, timeout=TIMEOUT)
        assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize(
    "headers, data",
    [
        ({"Origin": EVIL, "Content-Type": "text/plain"}, None),
        ({"Origin": EVIL, "Content-Type": "text/plain"}, b"{}"),
        ({"Origin": EVIL, "Content-Type": "application/x-www-form-urlencoded"}, b"a=1"),
        ({"Origin": EVIL, "Content-Type": "multipart/form-data; boundary=x"}, b"--x--"),
        ({"Origin": EVIL}, None),
    ],
)
def test_a_request_a_page_can_send_without_preflight_changes_nothing(
    mock: MockServer, headers: dict[str, str], data: bytes | None
) -> None:
    requests.post(mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT)
    answer = requests.post(f"{mock.url}/__admin/reset", headers=headers, data=data, timeout=TIMEOUT)
    assert answer.status_code == 415 and answer.headers["Content-Type"] == "application/json"
    assert "application/json" in answer.json()["detail"] and "X-Creatify-Mock" in answer.json()["detail"]
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert _jobs(mock) == 1
    for method, path in (("DELETE", "requests"), ("DELETE", "scenarios"), ("PUT", "accounts/a")):
        refused = requests.request(method, f"{mock.url}/__admin/{path}", headers=headers, timeout=TIMEOUT)
        assert refused.status_code == 415, (method, path)


def test_json_or_the_intent_header_is_what_our_clients_send(mock: MockServer) -> None:
    requests.post(mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT)
    assert requests.post(f"{mock.url}/__admin/reset", headers={"X-Creatify-Mock": "1"}, timeout=TIMEOUT).ok
    requests.post(mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT)
    assert requests.post(f"{mock.url}/__admin/reset", headers=JSON, timeout=TIMEOUT).ok  # empty body is fine
    assert _jobs(mock) == 0


@pytest.mark.parametrize("mock_options", [{"admin_token": "s3cret"}])
def test_the_admin_token_covers_every_admin_path_but_health(mock: MockServer) -> None:
    for path in ("openapi.json", "state", "requests", "webhooks", "jobs", "nowhere"):
        assert requests.get(f"{mock.url}/__admin/{path}", timeout=TIMEOUT).status_code == 401, path
    assert requests.get(f"{mock.url}/__admin/health", timeout=TIMEOUT).status_code == 200
    assert requests.get(f"{mock.url}/__admin/ui/app.js", timeout=TIMEOUT).status_code != 401  # no data there
    for scheme in ("Bearer", "bearer", "BEARER"):
        auth = {"Authorization": f"{scheme} s3cret"}
        assert requests.get(f"{mock.url}/__admin/openapi.json", headers=auth, timeout=TIMEOUT).ok, scheme
    refused = requests.post(
        f"{mock.url}/__admin/reset", headers={"Authorization": "Basic s3cret"}, timeout=TIMEOUT
    )
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_non_loopback_host_without_a_token_is_refused_at_startup() -> None:
    cli = [sys.executable, "-m", "mockserver", "serve", "--host", "0.0.0.0", "--port", "0"]
    proc = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "serving on" not in proc.stdout
    [line] = proc.stderr.strip().splitlines()
    assert "--admin-token" in line and "--allow-open-admin" in line and "0.0.0.0" in line
    with pytest.raises(SettingsError, match="--allow-open-admin"):
        MockServer(host="0.0.0.0").start()
    assert Settings(host="0.0.0.0", admin_token="t").open_admin_problem() is None
    assert Settings(host="0.0.0.0", allow_open_admin=True).open_admin_problem() is None
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "", "192.168.1.4", "example.com"))


def test_masking_keeps_what_is_not_secret() -> None:
    assert mask_url("http://u:p@127.0.0.1:9/cb?token=t&x=1&apiKey=k#f") == (
        f"http://{MASK}:{MASK}@127.0.0.1:9/cb?token={MASK}&x=1&apiKey={MASK}#f"
    )
    assert mask_url("http://127.0.0.1:9/cb?page=2") == "http://127.0.0.1:9/cb?page=2"


def _secret_url(receiver: Receiver) -> str:
    user, token, sig = SECRETS
    return receiver.url(f"/cb?token={token}&signature={sig}&keep=visible").replace(
        "://", f"://alice:{user}@", 1
    )


def _assert_masked(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} in clear in {where}"


def test_webhook_url_secrets_are_masked_everywhere_they_are_shown_or_saved(tmp_path: Path) -> None:
    with Receiver() as receiver, MockServer(timing="instant") as mock:
        state_file = tmp_path / "state.db"
        saver = StateFile(state_file, mock.service)  # as the CLI's --state-file does: every change is saved
        assert saver.load() is None  # a new file
        url = _secret_url(receiver)
        job = requests.post(
            mock.url + API, json=valid_body(webhook_url=url), headers=mock.headers, timeout=TIMEOUT
        ).json()
        form = {"model_name": "gemini-2.5-flash", "messages": "[]", "webhook_url": url}
        requests.post(mock.url + API, data=form, headers=mock.headers, timeout=TIMEOUT)  # a form body too
        assert "webhook_url" not in job  # the API never echoes it (the documented job has no such field)
        [call] = receiver.wait_for(1, timeout=10)[:1]
        assert SECRETS[1] in call.path  # the delivery used the real URL
        mock.service.webhooks.log.wait(job["id"], 1, timeout=10)
        shown: dict[str, Any] = {
            "/__admin/state": requests.get(f"{mock.url}/__admin/state", timeout=TIMEOUT).json(),
            "/__admin/requests": requests.get(f"{mock.url}/__admin/requests", timeout=TIMEOUT).json(),
            "/__admin/jobs/{id}": requests.get(
                f"{mock.url}/__admin/jobs/{job['id']}", timeout=TIMEOUT
            ).json(),
            "/__admin/webhooks": requests.get(f"{mock.url}/__admin/webhooks", timeout=TIMEOUT).json(),
        }
        saver.stop()  # commits what is left and closes the file
        for where, body in shown.items():
            _assert_masked(where, json.dumps(body))
        saved_bytes = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("state.db"))
        assert job["id"].encode() in saved_bytes  # the job was saved, so its URL could have leaked
        _assert_masked("the state file", saved_bytes.decode("latin-1"))
        [saved] = [j for j in shown["/__admin/state"]["jobs"] if j["id"] == job["id"]]
        assert saved["webhook_url"] == mask_url(url) and "keep=visible" in saved["webhook_url"]
        assert shown["/__admin/webhooks"][0]["target"] == mask_url(url)
        journal_bodies = [e["body"] for e in shown["/__admin/requests"] if e["method"] == "POST"]
        assert any(isinstance(b, dict) and b["webhook_url"] == mask_url(url) for b in journal_bodies)
        assert any(isinstance(b, str) and "keep%3Dvisible" in b for b in journal_bodies)  # the form body


def test_a_job_restored_with_a_masked_url_is_not_delivered_to_it() -> None:
    with Receiver() as receiver:
        with MockServer(timing="manual") as first:
            job = requests.post(
                first.url + API,
                json=valid_body(webhook_url=_secret_url(receiver)),
                headers=first.headers,
                timeout=TIMEOUT,
            ).json()
            state = first.export_state()
        with MockServer(timing="manual") as second:
            second.import_state(state)
            second.advance(job["id"], "done")
            [entry, *_] = second.service.webhooks.log.wait(job["id"], 1, timeout=10)
        assert entry["state"] == "abandoned" and entry["attempts"][-1]["error"] == MASKED_TARGET
        assert receiver.calls == []
