"""The interval of a coverage: the share of reference images whose ball holds at least one generated image.

The scoreboard ranks generators by face coverage (`report.results.scoreboard`). Its estimate
varies for two reasons, and the interval takes both:

- the decodes are a sample of the generator. Coverage is not a smooth statistic of them (a
  reference counts once whether one decode or ten reach it). A plain bootstrap over decodes is
  biased downward: a resample with duplicate draws holds fewer distinct decodes, so it reaches
  fewer references. The half-sample (delete-n/2) jackknife avoids the duplicates but measures
  the spread of coverage at n/2 decodes, which is not the spread at n: on generators of known
  coverage, and on repeated draws of the default build's generators, it fell short by about a
  third of the standard deviation. The delete-1 jackknife is used instead: leaving decode i out
  loses exactly the references only it reaches, u_i of them, so its variance is
  (n - 1) / n * sum_i (u_i - mean u)^2 / R^2, computed in one pass. By the Efron-Stein inequality
  (Efron & Stein, "The jackknife estimate of variance", Annals of Statistics 9, 1981) its
  expectation is never below the true variance, for any statistic symmetric in the decodes.
- the reference images are a sample of the real faces: the binomial variance p (1 - p) / R,
  itself an upper bound of the variance of the expected coverage over reference samples.

The two add, so the interval errs on the wide side. It is Wilson's score interval at the
effective sample size R / deff, where deff is the total variance over the binomial one (the
design effect of survey sampling, Kish 1965; Korn & Graubard 1998 use the same device for exact
intervals), so it stays inside [0, 1], is asymmetric near 0 and is not empty for a coverage of 0.
On simulated generators whose true coverage is known in closed form it covers the truth at or a
little above the nominal rate (tests/test_coverage_interval.py).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["coverage_estimate", "coverage_interval", "coverage_variances"]


def _reached(reached: np.ndarray) -> np.ndarray:
    reached = np.asarray(reached, dtype=bool)
    if reached.ndim != 2 or reached.shape[0] == 0:
        raise ValueError(f"reached must be a boolean matrix (n_reference, n_generated), got shape {reached.shape}")
    return reached


def coverage_estimate(reached: np.ndarray) -> float:
    """Share of references (rows) reached by at least one generated image (column)."""
    return float(_reached(reached).any(axis=1).mean())


def coverage_variances(reached: np.ndarray) -> tuple[float, float]:
    """The two variances of a coverage estimate: (over the generated images, over the references).

    Args:
        reached: bool ndarray (n_reference, n_generated); [r, d] is True when generated image d
            counts (a face) and lies in reference r's ball.

    Returns:
        (delete-1 jackknife variance over the generated images, binomial variance p (1 - p) / n_reference).
    """
    reached = _reached(reached)
    n_reference, n = reached.shape
    p = coverage_estimate(reached)
    reference_variance = p * (1 - p) / n_reference
    if n < 2:
        return 0.0, reference_variance
    only_by = reached[reached.sum(axis=1) == 1].sum(axis=0)  # per image: references no other image reaches
    decode_variance = (n - 1) / n * float(((only_by - only_by.mean()) ** 2).sum()) / n_reference ** 2
    return decode_variance, reference_variance


def coverage_interval(reached: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Interval of a coverage at `confidence`, over both the generated images and the references.

    Args:
        reached: bool ndarray (n_reference, n_generated), see `coverage_variances`.
        confidence: in (0, 1), the run's `analysis.uncertainty.confidence_level`.

    Returns:
        (low, high) inside [0, 1], holding the estimate.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    reached = _reached(reached)
    n_reference = reached.shape[0]
    p = coverage_estimate(reached)
    decode_variance, reference_variance = coverage_variances(reached)
    total = decode_variance + reference_variance
    # Effective sample size: as many references as would give the total variance binomially.
    n_effective = n_reference if total <= 0 or reference_variance <= 0 else reference_variance * n_reference / total
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    shrink = 1 + z * z / n_effective
    centre = (p + z * z / (2 * n_effective)) / shrink
    half = z * np.sqrt(p * (1 - p) / n_effective + z * z / (4 * n_effective ** 2)) / shrink
    return float(max(0.0, min(p, centre - half))), float(min(1.0, max(p, centre + half)))
