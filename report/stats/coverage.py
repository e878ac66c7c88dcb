"""The interval of a coverage: the share of reference images whose ball holds at least one generated image.

The scoreboard ranks generators by face coverage (`report.results.scoreboard`). Its estimate
varies for two reasons, and the interval takes both:

- the decodes are a sample of the generator. Coverage is not a smooth statistic of them (a
  reference counts once whether one decode or ten reach it), and a plain bootstrap over decodes is
  biased downward: a resample with duplicate draws holds fewer distinct decodes, so it reaches
  fewer references. The delete-d jackknife with d = n / 2 (Shao & Wu, "A general theory for
  jackknife variance estimation", Annals of Statistics 17, 1989), which resamples half of the
  decodes without replacement, is consistent for such statistics; its variance is
  (n - d) / d times the variance of the half-sample estimates (a factor of 1 for even n).
- the reference images are a sample of the real faces: the binomial variance p (1 - p) / R.

The two add. The interval is Wilson's score interval at the effective sample size R / deff,
where deff is the total variance over the binomial one (the design effect of survey sampling,
Kish 1965; Korn & Graubard 1998 use the same device for exact intervals), so it stays inside
[0, 1], is asymmetric near 0 and is not empty for a coverage of 0. On simulated generators whose
true coverage is known in closed form it covers the truth at about the nominal rate, where either
variance alone falls well short (tests/test_coverage_interval.py).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats

__all__ = ["coverage_estimate", "coverage_interval", "coverage_variances"]


def _reached(reached: np.ndarray) -> np.ndarray:
    reached = np.asarray(reached, dtype=bool)
    if reached.ndim != 2 or reached.shape[0] == 0:
        raise ValueError(f"reached must be a boolean matrix (n_reference, n_generated), got shape {reached.shape}")
    return reached


def coverage_estimate(reached: np.ndarray) -> float:
    """Share of references (rows) reached by at least one generated image (column)."""
    return float(_reached(reached).any(axis=1).mean())


def coverage_variances(reached: np.ndarray, n_resamples: int = 1000,
                       rng: np.random.Generator | None = None) -> tuple[float, float]:
    """The two variances of a coverage estimate: (over the generated images, over the references).

    Args:
        reached: bool ndarray (n_reference, n_generated); [r, d] is True when generated image d
            counts (a face) and lies in reference r's ball.
        n_resamples: half-samples of the generated images for the delete-d jackknife.
        rng: numpy Generator choosing the half-samples.

    Returns:
        (delete-d jackknife variance with d = n // 2, binomial variance p (1 - p) / n_reference).
    """
    reached = _reached(reached)
    n_reference, n = reached.shape
    p = coverage_estimate(reached)
    reference_variance = p * (1 - p) / n_reference
    rows = reached[reached.any(axis=1)]  # references no image reaches stay unreached in every half-sample
    deleted = n // 2
    if not len(rows) or deleted == 0:
        return 0.0, reference_variance
    rng = np.random.default_rng(0) if rng is None else rng
    kept = n - deleted
    chosen = rng.random((n_resamples, n)).argsort(axis=1)[:, :kept]
    masks = np.zeros((n, n_resamples), dtype=np.float32)
    np.put_along_axis(masks.T, chosen, 1.0, axis=1)
    # hits[r, s]: images of half-sample s reaching reference r. Few images reach any one reference,
    # so a sparse product costs (reaches x resamples), whatever the matrix's size.
    hits = sparse.csr_matrix(rows, dtype=np.float32) @ masks
    half_estimates = (hits > 0).sum(axis=0) / n_reference
    decode_variance = kept / deleted * float(half_estimates.var())
    return decode_variance, reference_variance


def coverage_interval(reached: np.ndarray, confidence: float = 0.95, n_resamples: int = 1000,
                      rng: np.random.Generator | None = None) -> tuple[float, float]:
    """Interval of a coverage at `confidence`, over both the generated images and the references.

    Args:
        reached: bool ndarray (n_reference, n_generated), see `coverage_variances`.
        confidence: in (0, 1), the run's `analysis.uncertainty.confidence_level`.
        n_resamples: half-samples for the jackknife (the run's `analysis.uncertainty.bootstrap_resamples`).
        rng: numpy Generator choosing the half-samples.

    Returns:
        (low, high) inside [0, 1], holding the estimate.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    reached = _reached(reached)
    n_reference = reached.shape[0]
    p = coverage_estimate(reached)
    decode_variance, reference_variance = coverage_variances(reached, n_resamples, rng)
    total = decode_variance + reference_variance
    # Effective sample size: as many references as would give the total variance binomially.
    n_effective = n_reference if total <= 0 or reference_variance <= 0 else reference_variance * n_reference / total
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    shrink = 1 + z * z / n_effective
    centre = (p + z * z / (2 * n_effective)) / shrink
    half = z * np.sqrt(p * (1 - p) / n_effective + z * z / (4 * n_effective ** 2)) / shrink
    return float(max(0.0, min(p, centre - half))), float(min(1.0, max(p, centre + half)))
