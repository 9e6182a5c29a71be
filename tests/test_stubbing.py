"""Stubbing from Python (``add_rule``, ``rule``, ``rules``, ``clear_rules``), the fixtures' scoping (options per
directory in any order, ``creatify_mock_factory``, rules removed after a test) and advance on an instant job."""

from __future__ import annotations

import pytest
import requests

from mockserver.testing import JobConflict, MockServer, ScenarioError

from .conftest import API, TIMEOUT, valid_body

pytestmark = pytest.mark.slow  # many mocks and pytester suites: `make test` runs it

pytest_plugins = ["pytester"]

FAIL = {
    "name": "blocked",
    "match": {"message": "(?i)weapon"},
    "outcome": {"status": "failed", "failed_reason": "No."},
}


def _create(mock: MockServer, content: str = "Hi") -> dict[str, object]:
    body = valid_body(messages=[{"role": "user", "content": content}])
    response = requests.post(mock.url + API, json=body, headers=mock.headers, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    job = requests.get(
        f"{mock.url}{API}{response.json()['id']}/", headers=mock.headers, timeout=TIMEOUT
    ).json()
    return job


def test_add_rule_shows_in_rules_and_in_the_admin_api() -> None:
    with MockServer(timing="instant") as mock:
        added = mock.add_rule(FAIL)
        assert added == {"id": "blocked", "remaining": None, "applied": 0, "rule": FAIL}
        assert _create(mock, "a weapon")["failed_reason"] == "No."
        assert _create(mock, "a poem")["status"] == "done"
        assert mock.rules() == [{**added, "applied": 1}]
        assert requests.get(f"{mock.url}/__admin/scenarios", timeout=TIMEOUT).json() == mock.rules()
        first = mock.add_rule(
            {"name": "first", "outcome": {"status": "done", "response_text": "stub"}}, position=0
        )
        assert [r["id"] for r in mock.rules()] == [first["id"], "blocked"]
        assert _create(mock, "a weapon")["response_text"] == "stub"
        assert mock.remove_rule("first") and not mock.remove_rule("first")
        mock.clear_rules()
        assert mock.rules() == []


def test_rule_as_a_context_manager_is_removed_on_exit_even_after_an_error() -> None:
    with MockServer(timing="instant") as mock:
        with mock.rule({"match": {"operation": "read"}, "http": {"status": 503}}) as added:
            assert added["id"] and len(mock.rules()) == 1
            job = requests.post(
                mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT
            ).json()
            read = requests.get(f"{mock.url}{API}{job['id']}/", headers=mock.headers, timeout=TIMEOUT)
            assert read.status_code == 503
        assert mock.rules() == []
        with pytest.raises(KeyError), mock.rule(FAIL):
            raise KeyError("the test failed")
        assert mock.rules() == []


def test_bad_rules_raise_the_admin_apis_error() -> None:
    with MockServer(timing="instant") as mock:
        bad = {"match": {"modle_name": "x"}}
        answer = requests.post(f"{mock.url}/__admin/scenarios", json=bad, timeout=TIMEOUT)
        assert answer.status_code == 400
        with pytest.raises(ScenarioError) as raised:
            mock.add_rule(bad)
        assert str(raised.value) == answer.json()["detail"]
        assert "modle_name" in str(raised.value)
        mock.add_rule(FAIL)
        with pytest.raises(ScenarioError, match="exists already"):
            mock.add_rule(FAIL)
        assert len(mock.rules()) == 1


def test_advance_on_an_instant_job_says_why_and_what_to_do_instead() -> None:
    with MockServer(timing="instant") as mock:
        job = requests.post(mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT).json()
        with pytest.raises(JobConflict, match="timing 'manual'") as raised:
            mock.advance(job["id"], "failed")
        assert "is done" in str(raised.value)
        answer = requests.post(f"{mock.url}/__admin/jobs/{job['id']}/advance", json={}, timeout=TIMEOUT)
        assert answer.status_code == 409 and "timing 'manual'" in answer.json()["detail"]
    with MockServer(timing="manual") as mock:
        job = requests.post(mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT).json()
        mock.advance(job["id"], "done")
        with pytest.raises(JobConflict) as raised:
            mock.advance(job["id"])
        assert "timing 'manual'" not in str(raised.value)


CONFTEST_ROOT = """
import pytest
"""

USES_DEFAULT = """
import requests

def test_default(creatify_mock):
    assert creatify_mock.settings.timing == "instant"
"""

MANUAL_CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def creatify_mock_options():
    return {"timing": "manual", "seed": 3}
"""

USES_MANUAL = """
def test_manual(creatify_mock):
    assert creatify_mock.settings.timing == "manual" and creatify_mock.settings.seed == 3
"""


@pytest.mark.parametrize("order", [("a_default", "b_manual"), ("b_default", "a_manual")])
def test_a_sub_directory_override_applies_whatever_ran_first(
    pytester: pytest.Pytester, order: tuple[str, str]
) -> None:
    default_dir, manual_dir = order
    pytester.makeconftest(CONFTEST_ROOT)
    (pytester.path / default_dir).mkdir()
    (pytester.path / default_dir / "test_default.py").write_text(USES_DEFAULT)
    (pytester.path / manual_dir).mkdir()
    (pytester.path / manual_dir / "conftest.py").write_text(MANUAL_CONFTEST)
    (pytester.path / manual_dir / "test_manual.py").write_text(USES_MANUAL)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)


def test_the_session_server_fixture_fails_loudly_when_its_options_differ(pytester: pytest.Pytester) -> None:
    (pytester.path / "a").mkdir()
    (pytester.path / "a" / "test_a.py").write_text("def test_a(creatify_mock_server):\n    pass\n")
    (pytester.path / "b").mkdir()
    (pytester.path / "b" / "conftest.py").write_text(MANUAL_CONFTEST)
    (pytester.path / "b" / "test_b.py").write_text(
        "def test_b(creatify_mock_server, creatify_mock):\n    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*creatify_mock_server was started with other options*"])


RULES_REMOVED = """
import requests

BODY = {"model_name": "m", "messages": [{"role": "user", "content": "Hi"}]}

def test_1_adds_a_rule(creatify_mock):
    creatify_mock.add_rule({"name": "stub", "outcome": {"status": "done", "response_text": "stubbed"}})

def test_2_does_not_see_it(creatify_mock):
    assert creatify_mock.rules() == []
    url = creatify_mock.url + "/api/text_generator/"
    job = requests.post(url, json=BODY, headers=creatify_mock.headers, timeout=5).json()
    done = requests.get(url + job["id"] + "/", headers=creatify_mock.headers, timeout=5).json()
    assert done["response_text"] != "stubbed"

def test_3_the_factory_gives_its_own_options(creatify_mock_factory, creatify_mock):
    manual = creatify_mock_factory(timing="manual")
    other = creatify_mock_factory(timing="realtime", pending_seconds=7)
    assert manual.settings.timing == "manual" and other.settings.pending_seconds == 7
    assert len({manual.url, other.url, creatify_mock.url}) == 3
    pytest_manual_url.append(manual.url)

def test_4_factory_mocks_are_stopped_after_their_test():
    import pytest, requests
    with pytest.raises(requests.ConnectionError):
        requests.get(pytest_manual_url[0] + "/__admin/health", timeout=5)

pytest_manual_url = []
"""


def test_rules_a_test_added_are_gone_after_it_and_factory_mocks_stop(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_rules=RULES_REMOVED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4)
