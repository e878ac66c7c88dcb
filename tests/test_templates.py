"""Templates print words that the findings chose; they hold no numeric comparison and no threshold."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_ROOT

from report.pipeline.steps import STEPS
from report.render.environment import listing, percent_range, plural

TEMPLATES = sorted((PROJECT_ROOT / "templates").rglob("*.html"))
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'")
FORMAT_DIGITS = re.compile(r"\b(num|percent|percent_range|sig)\(\s*\d+\s*\)")
COMPARISON = re.compile(r"<|>|[=!]=\s*-?\d|\d\s*[=!]=")
NUMBER_TESTS = re.compile(r"\bis\s+(not\s+)?(ge|gt|le|lt|greaterthan|lessthan|eq|ne|divisibleby)\b"
                          r"|[\"'](ge|gt|le|lt|greaterthan|lessthan|eq|ne|divisibleby|[<>]=?|[=!]=)[\"']")
NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?(?![\w])")


def _expressions(path):
    for match in JINJA.finditer(path.read_text(encoding="utf-8")):
        line = path.read_text(encoding="utf-8").count("\n", 0, match.start()) + 1
        yield line, match.group(0), STRINGS.sub('""', FORMAT_DIGITS.sub(r"\1()", match.group(0)))


def _problem(raw: str, code: str) -> bool:
    inner = code[2:-2]
    return bool(COMPARISON.search(inner) or NUMBER.search(inner) or NUMBER_TESTS.search(raw))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT / "templates")))
def test_no_numeric_comparison_or_threshold_in_a_template(path):
    problems = []
    for line, raw, code in _expressions(path):
        if _problem(raw, code):
            problems.append(f"line {line}: {raw.strip()[:100]}")
    assert not problems, "\n".join(problems)


def test_the_checker_catches_what_it_should(tmp_path):
    bad = tmp_path / "bad.html"
    for text in ('{% if x >= 0.9 %}', '{{ rows[:40] }}', '{% if n == 1 %}', '{{ d | selectattr("s", "ge", y) }}',
                 '{% if a < b %}', '{% if n is gt limit %}'):
        bad.write_text(text)
        assert any(_problem(raw, code) for _, raw, code in _expressions(bad)), text
    bad.write_text('{{ value | num(2) }} {{ share | percent(1) }} {% if f.coverage == "most" %} {{ x | plural("y,ies") }}')
    assert not any(_problem(raw, code) for _, raw, code in _expressions(bad))


def test_every_step_has_its_part_of_a_post_named_after_it():
    for step in STEPS:
        assert (PROJECT_ROOT / "templates" / "steps" / f"{step.name}.html").is_file(), step.name
        assert (PROJECT_ROOT / "report" / "results" / f"{step.name}.py").is_file(), step.name
        assert step.notebook.is_file(), step.name


def test_plural_endings():
    assert [plural(n) for n in (0, 1, 2)] == ["s", "", "s"]
    assert plural([1], "y,ies") == "y" and plural([1, 2], "y,ies") == "ies"


def test_listing_joins_words_as_prose():
    assert [listing(words) for words in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]


def test_percent_range_prints_the_sign_once():
    assert percent_range((0.281, 0.3364)) == "28.1–33.6 %"
    assert percent_range((0.0, 0.0132), 2) == "0.00–1.32 %" and percent_range(None) == "–"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT / "templates")))
def test_every_filter_and_test_a_template_names_exists(path):
    """A filter or test that does not exist fails only when its branch renders: find them all without rendering.

    Covers `x | name`, `x is name`, and the names given as strings to map, select, reject, selectattr and rejectattr.
    """
    from jinja2 import nodes

    from report.render.environment import environment

    env = environment()
    tree = env.parse(path.read_text(encoding="utf-8"))
    unknown = []
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        known = env.filters if isinstance(node, nodes.Filter) else env.tests
        if node.name not in known:
            unknown.append(node.name)
        if not isinstance(node, nodes.Filter) or node.name not in ("map", "select", "reject", "selectattr", "rejectattr"):
            continue
        position = 1 if node.name in ("selectattr", "rejectattr") else 0
        named = node.args[position] if len(node.args) > position else None
        if isinstance(named, nodes.Const) and isinstance(named.value, str):
            if node.name == "map" and named.value not in env.filters:
                unknown.append(named.value)
            if node.name != "map" and named.value not in env.tests:
                unknown.append(named.value)
    assert not unknown, f"{path.name}: no filter or test named {', '.join(sorted(set(unknown)))}"
