"""Key statistics of fresh builds against tests/regression/expected/<variant>.json.

`tiny` runs with every test run (it reuses the session's tiny build); the CPU-sized variants with
expectations run only when asked: `.venv/bin/python -m pytest -m variant`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from report import keystats
from report.build import build_variant

from .check import EXPECTED_DIR, PROJECT_ROOT, assert_matches, expected_path, load_expected

QUIET = dict(progress=False, echo=lambda line: None)


def _key_stats(run_dir: Path) -> dict[str, float]:
    return json.loads((run_dir / "results" / keystats.KEY_STATS_FILE).read_text(encoding="utf-8"))


def test_tiny_key_statistics_match_the_expected_ones(tiny_build):
    root, _ = tiny_build
    assert_matches(_key_stats(root / "tiny"), load_expected("tiny"), "tiny")


def test_an_expected_value_moved_beyond_tolerance_fails_naming_that_statistic(tiny_build):
    root, _ = tiny_build
    actual = _key_stats(root / "tiny")
    expected = load_expected("tiny")
    key = "distributions.radius.mean"
    stat = keystats.definition(key)
    moved = dict(expected, **{key: expected[key] * (1 + 2 * stat.rtol) + 2 * stat.atol})

    with pytest.raises(AssertionError) as failure:
        assert_matches(actual, moved, "tiny")
    message = str(failure.value)
    problems = [line.strip() for line in message.splitlines() if line.startswith("  ")]
    assert len(problems) == 1, message  # that statistic and no other
    assert problems[0].startswith(f"{key}: expected {moved[key]:.6g}, new {actual[key]:.6g}")
    assert "tests.regression.refresh tiny" in message

    assert_matches(actual, expected, "tiny")  # restored, it passes


def test_a_count_moved_beyond_its_absolute_tolerance_fails(tiny_build):
    root, _ = tiny_build
    actual = _key_stats(root / "tiny")
    key = "data.pca_components_90"
    stat = keystats.definition(key)
    assert (stat.atol, stat.rtol) == (1, 0)
    with pytest.raises(AssertionError, match=key.replace(".", r"\.")):
        assert_matches(actual, dict(actual, **{key: actual[key] + 2}), "tiny")
    assert_matches(actual, dict(actual, **{key: actual[key] + 1}), "tiny")


def test_a_missing_or_new_statistic_fails(tiny_build):
    root, _ = tiny_build
    actual = _key_stats(root / "tiny")
    with pytest.raises(AssertionError, match=r"train\.final_loss: expected .*, missing from new"):
        assert_matches({k: v for k, v in actual.items() if k != "train.final_loss"}, actual, "tiny")
    with pytest.raises(AssertionError, match=r"train\.final_loss: new .*, not in expected"):
        assert_matches(actual, {k: v for k, v in actual.items() if k != "train.final_loss"}, "tiny")


def test_same_parameters_and_seed_give_identical_key_statistics(tiny_build, tmp_path_factory, no_render):
    """Every random choice derives from `seed`: a second build elsewhere gives the same numbers exactly
    (its site is not rendered: the key statistics are written before)."""
    root, _ = tiny_build
    second = tmp_path_factory.mktemp("tiny-again") / "build"
    build_variant(PROJECT_ROOT / "parameters" / "tiny.yaml", build_root=second, **QUIET)
    first_stats, second_stats = _key_stats(root / "tiny"), _key_stats(second / "tiny")
    differing = {key: (first_stats.get(key), second_stats.get(key))
                 for key in set(first_stats) | set(second_stats) if first_stats.get(key) != second_stats.get(key)}
    assert differing == {}
    assert len(first_stats) >= 30


VARIANTS = sorted(path.stem for path in EXPECTED_DIR.glob("*.json") if path.stem != "tiny")


@pytest.mark.variant
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_key_statistics_match_the_expected_ones(variant, tmp_path_factory):
    """A full build of a CPU-sized variant (minutes); run with `pytest -m variant`."""
    root = tmp_path_factory.mktemp(variant) / "build"
    outcome = build_variant(PROJECT_ROOT / "parameters" / f"{variant}.yaml", build_root=root, **QUIET)
    assert expected_path(variant).is_file()
    assert_matches(_key_stats(outcome.run_dir), load_expected(variant), variant)
