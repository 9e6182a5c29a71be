"""LazyRule builds every URL the app can build exactly as werkzeug's own Rule does, compiled on first use."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from mockserver.web.app import create_app
from mockserver.web.routing import LazyRule


def _values(rule: Rule) -> dict[str, str]:
    return {name: f"v-{name}" for name in sorted(rule.arguments)}


def test_every_rule_of_the_app_builds_the_same_url_as_a_plain_rule() -> None:
    app = create_app()
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, LazyRule) for rule in rules)
    plain = Map(
        [Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods) for rule in rules],
        converters=app.url_map.converters,
    )
    twins = {(r.rule, r.endpoint): r for r in plain.iter_rules()}
    for rule in rules:
        twin = twins[(rule.rule, rule.endpoint)]
        for append_unknown in (False, True):
            values = {**_values(rule), "extra": "a b"}
            # twice: the first call compiles and replaces the builder, the second uses the compiled one
            for _ in range(2):
                assert rule.build(values, append_unknown) == twin.build(values, append_unknown), rule.rule


def test_url_for_and_redirects_work_through_lazy_rules() -> None:
    app = create_app()
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="x.js").endswith("/x.js")
    client = app.test_client()
    answer = client.get("/api/text_generator")  # the documented paths end in a slash: a JSON redirect
    assert answer.status_code in (301, 308), answer.status_code
    assert answer.headers["Location"].endswith("/api/text_generator/")
