"""The interval of a coverage against generators whose true coverage is known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from report.stats.coverage import coverage_estimate, coverage_interval, coverage_variances
from report.stats.uncertainty import intervals_overlap, wilson_interval

# A ring of cells. References sit in cells drawn uniformly; a generated image is a face with
# probability FACE and sits in a cell drawn from a bump over part of the ring; it reaches every
# reference within REACH cells. A reference in cell c is then covered by n images with
# probability 1 - (1 - FACE * g(c))^n, g(c) the bump's mass within REACH of c, so the expected
# coverage is the mean of that over the cells.
CELLS, REACH, FACE = 400, 1, 0.8


def _bump(width: float) -> np.ndarray:
    x = np.arange(CELLS)
    mass = np.exp(-0.5 * ((x - CELLS / 2) / width) ** 2)
    return mass / mass.sum()


def _true_coverage(bump: np.ndarray, n: int) -> float:
    near = sum(np.roll(bump, shift) for shift in range(-REACH, REACH + 1))
    return float(np.mean(1 - (1 - FACE * near) ** n))


def _reached(bump: np.ndarray, n_reference: int, n: int, rng: np.random.Generator) -> np.ndarray:
    reference_cells = rng.integers(0, CELLS, n_reference)
    image_cells = rng.choice(CELLS, n, p=bump)
    face = rng.random(n) < FACE
    apart = np.abs(reference_cells[:, None] - image_cells[None, :])
    return (np.minimum(apart, CELLS - apart) <= REACH) & face[None, :]


def test_interval_covers_the_true_coverage_at_about_the_nominal_rate():
    rng = np.random.default_rng(5)
    bump, n_reference, n = _bump(50.0), 400, 100
    truth = _true_coverage(bump, n)
    trials = 160
    covered = 0
    for _ in range(trials):
        low, high = coverage_interval(_reached(bump, n_reference, n, rng), 0.95, 100, rng)
        covered += low <= truth <= high
    # Either variance alone covers 74-89 % of the time on this model (measured); the sum about 95 %.
    assert 0.9 <= covered / trials <= 0.99


def test_interval_is_wider_than_the_references_alone_say():
    rng = np.random.default_rng(2)
    reached = _reached(_bump(50.0), 400, 100, rng)
    decode_variance, reference_variance = coverage_variances(reached, 300, rng)
    assert decode_variance > 0 and reference_variance > 0
    p = coverage_estimate(reached)
    assert reference_variance == pytest.approx(p * (1 - p) / 400)
    low, high = coverage_interval(reached, 0.95, 300, rng)
    binomial = wilson_interval(int(round(p * 400)), 400)
    assert low <= p <= high and high - low > binomial[1] - binomial[0]


def test_half_samples_hold_distinct_images_unlike_a_bootstrap_over_decodes():
    # Each image reaches a reference of its own. Every half-sample holds exactly n / 2 distinct
    # images, so it reaches exactly n / 2 references: no variance. A bootstrap resample would hold
    # about 63 % of the images, fewer each time, and vary.
    n = 200
    reached = np.zeros((2 * n, n), dtype=bool)
    reached[np.arange(n), np.arange(n)] = True
    decode_variance, _ = coverage_variances(reached, 500, np.random.default_rng(0))
    assert decode_variance == pytest.approx(0.0, abs=1e-15)


def test_equal_generators_overlap_and_distant_ones_do_not():
    rng = np.random.default_rng(9)
    wide, narrow = _bump(60.0), _bump(6.0)
    first = coverage_interval(_reached(wide, 400, 100, rng), 0.95, 200, rng)
    again = coverage_interval(_reached(wide, 400, 100, rng), 0.95, 200, rng)
    collapsed = coverage_interval(_reached(narrow, 400, 100, rng), 0.95, 200, rng)
    assert intervals_overlap(first, again)
    assert not intervals_overlap(first, collapsed) and collapsed[1] < first[0]


def test_no_coverage_still_has_an_upper_bound_and_full_coverage_a_lower_one():
    low, high = coverage_interval(np.zeros((500, 50), dtype=bool))
    assert low == 0.0 and 0 < high < 0.01
    low, high = coverage_interval(np.ones((500, 50), dtype=bool))
    assert 0.99 < low < 1 and high == 1.0


def test_interval_is_refused_for_a_bad_matrix_or_level():
    with pytest.raises(ValueError):
        coverage_interval(np.zeros(5, dtype=bool))
    with pytest.raises(ValueError):
        coverage_interval(np.zeros((5, 5), dtype=bool), confidence=1.0)
