"""params.substitute: ``${Name}`` placeholders filled from the substitutions, the names left
over reported in order; the same as the plain regular-expression replacement it stands for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam.params import substitute

_PLACEHOLDER = re.compile(r"\$\{([^${}]*)\}")


def _reference(text: str, subs: dict[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group(1) in subs:
            return subs[m.group(1)]
        missing.append(m.group(1))
        return m.group(0)

    return _PLACEHOLDER.sub(repl, text), missing


_texts = st.text(alphabet="${}ab:", max_size=30)
_subs = st.dictionaries(st.sampled_from(["", "a", "b", "ab", "a:b", "AWS::Region"]),
                        st.text(alphabet="${}xy", max_size=4), max_size=4)


@settings(max_examples=500, deadline=None)
@given(_texts, _subs)
def test_substitute_equals_the_regex_replacement(text: str, subs: dict[str, str]) -> None:
    assert substitute(text, subs) == _reference(text, subs)


def test_examples() -> None:
    assert substitute("arn:${P}:lambda:${R}:1:function:${F}", {"P": "aws", "R": "us-east-1"}) == (
        "arn:aws:lambda:us-east-1:1:function:${F}", ["F"])
    assert substitute("no placeholder", {"A": "b"}) == ("no placeholder", [])
    # a value holding a placeholder is not filled again
    assert substitute("${A}${B}", {"A": "${B}", "B": "x"}) == ("${B}x", [])
    assert substitute("${${A}}", {"A": "v"}) == ("${v}", [])


def test_a_long_run_of_openings_is_linear() -> None:
    """No quadratic scan: 200,000 "${" and no closing brace are read at once."""
    text = "${" * 200_000
    assert substitute(text, {"A": "b"}) == (text, [])


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="${}a", max_size=40))
def test_split_placeholders_equals_the_regex_split(text: str) -> None:
    from sfn_iam.params import split_placeholders, static_prefix, without_placeholders

    assert split_placeholders(text) == _PLACEHOLDER.split(text)
    m = _PLACEHOLDER.search(text)
    assert static_prefix(text) == (text if m is None else text[: m.start()])
    assert without_placeholders(text) == _PLACEHOLDER.sub("", text)


def test_split_placeholders_is_linear_on_hostile_runs() -> None:
    """Runs of "${" with a "}" far away, or "{" / "$" between: each read a bounded number of
    times (a search to the far "}" for every "${" would take minutes here)."""
    from sfn_iam.params import split_placeholders

    for text in ("${" * 300_000 + "}", "${a{" * 200_000 + "}", "${$" * 200_000 + "}",
                 "${a" * 200_000 + "}"):
        assert split_placeholders(text) == _PLACEHOLDER.split(text)
