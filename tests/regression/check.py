"""The regression check: a run's key statistics against the expected ones, within tolerance.

It uses `report.compare.compare_stats`, the code behind `latent-report compare`, with the expected
values as run A, so a failure names each statistic as `compare` would.
"""

from __future__ import annotations

import json
from pathlib import Path

from report.compare import compare_stats

EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
PROJECT_ROOT = EXPECTED_DIR.parents[2]
REFRESH = ".venv/bin/python -m tests.regression.refresh"


def expected_path(variant: str) -> Path:
    return EXPECTED_DIR / f"{variant}.json"


def load_expected(variant: str) -> dict[str, float]:
    return json.loads(expected_path(variant).read_text(encoding="utf-8"))


def assert_matches(actual: dict[str, float], expected: dict[str, float], variant: str) -> None:
    """Fail with one line per statistic that drifted, went missing or is new.

    Raises:
        AssertionError: Naming each such statistic with its expected and its new value.
    """
    problems = compare_stats(expected, actual).problems("expected", "new")
    if problems:
        raise AssertionError(
            f"{variant}: {len(problems)} key statistic(s) differ from {expected_path(variant).name} "
            "beyond tolerance:\n  " + "\n  ".join(problems)
            + f"\nIf the change is intended, refresh the expectations: {REFRESH} {variant}"
        )
