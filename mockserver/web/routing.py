"""``LazyRule``: URL rules whose URL builders are compiled on first use, not when the app is made.

werkzeug compiles two Python functions per rule (``exec`` of a generated AST) so that ``url_for`` can build the
rule's URL. The mock builds a URL for a handful of rules (redirects, the dashboard), yet the tests make hundreds of
apps: compiling every builder up front was two thirds of ``create_app`` (35 ms, measured with pyinstrument). Matching
is untouched; only building waits until a URL is first built from the rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

Builder = Callable[..., tuple[str, str]]


class LazyRule(Rule):
    """A werkzeug ``Rule`` that compiles each URL builder the first time it is called."""

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            built: Builder = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, built)  # later calls go straight to the compiled builder
            return built(**values)

        return build_on_first_use
