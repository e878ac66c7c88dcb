"""Point patterns in a plane: is a projection as even as random points, or does it gather on lines?

- `in_window(points, centre, half_width)`: the points of a square window.
- `clark_evans(points, half_width)`: the Clark-Evans ratio R of a square window: the mean
  nearest-neighbour distance over its expectation for complete spatial randomness at the same
  density, with Donnelly's (1978) edge correction. R ~ 1 random, R < 1 clustered (points on
  lines or clumps), R > 1 regular.
- `quadrat_test(points, half_width, cells_per_side)`: counts in a grid of equal cells; the index of
  dispersion chi-square (sum (c - mean)^2 / mean, cells - 1 degrees of freedom) with its upper
  p-value, and the share of empty cells beside its Poisson expectation exp(-mean).
- `knn_preservation(high, low, k)`: the share of each point's k nearest neighbours in the
  high-dimensional space that are among its k nearest in the embedding.
- `empty_cell_share(points, cells_per_side)`: the share of empty cells of a grid over the points'
  bounding square, and its Poisson expectation.
- `ripley_l(points, half_width, radii)`: Ripley's L(r) = sqrt(K(r) / pi) of the points of a square
  window with the translation edge correction (Ohser 1983): L(r) - r ~ 0 random, above 0 clustered
  (more neighbours within r than random points have), below 0 regular.
- `thinned(points, most, rng)`: at most `most` of the points, drawn without replacement; independent
  thinning leaves K (and L) unchanged, so large windows can be measured on a subsample.
- `envelope(curves)`: the pointwise minimum and maximum of null curves (rows).
- `envelope_excursion(curve, low, high)`: the largest distance of a curve outside an envelope, signed
  (+ above, - below), and where.

Arrays in, numbers out; no I/O.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.spatial import cKDTree


def in_window(points: np.ndarray, centre: np.ndarray, half_width: float) -> np.ndarray:
    """Points (m, 2) of the square centre +- half_width, shifted so that the window's centre is 0."""
    shifted = np.asarray(points, dtype=np.float64) - np.asarray(centre, dtype=np.float64)
    return shifted[np.all(np.abs(shifted) <= half_width, axis=1)]


def clark_evans(points: np.ndarray, half_width: float) -> float | None:
    """Clark-Evans ratio of the points of the square [-h, h]^2 (Donnelly's edge correction); None below 3 points."""
    points = np.asarray(points, dtype=np.float64)
    n = len(points)
    if n < 3:
        return None
    distances, _ = cKDTree(points).query(points, k=2)
    observed = float(distances[:, 1].mean())
    area, perimeter = (2 * half_width) ** 2, 8 * half_width
    expected = 0.5 * math.sqrt(area / n) + (0.0514 + 0.041 / math.sqrt(n)) * perimeter / n
    return observed / expected


def grid_counts(points: np.ndarray, low: np.ndarray, high: np.ndarray, cells_per_side: int) -> np.ndarray:
    """Counts (cells_per_side^2,) of the points in an equal grid over the box [low, high]."""
    points = np.asarray(points, dtype=np.float64)
    span = np.maximum(np.asarray(high, dtype=np.float64) - low, np.finfo(float).tiny)
    cell = np.clip(((points - low) / span * cells_per_side).astype(int), 0, cells_per_side - 1)
    return np.bincount(cell[:, 0] * cells_per_side + cell[:, 1], minlength=cells_per_side**2)


def quadrat_test(points: np.ndarray, half_width: float, cells_per_side: int) -> dict:
    """Dispersion chi-square of the counts in a grid over [-h, h]^2, and the empty-cell share.

    Returns:
        {"cells", "mean_count", "chi2", "dof", "p_value", "empty_share", "expected_empty_share"};
        chi2 and p_value are None when the window holds no point.
    """
    counts = grid_counts(points, np.full(2, -half_width), np.full(2, half_width), cells_per_side)
    cells = len(counts)
    mean = counts.mean()
    chi2 = p_value = None
    if mean > 0:
        chi2 = float(((counts - mean) ** 2).sum() / mean)
        p_value = float(stats.chi2.sf(chi2, cells - 1))
    return {"cells": cells, "mean_count": float(mean), "chi2": chi2, "dof": cells - 1, "p_value": p_value,
            "empty_share": float(np.mean(counts == 0)), "expected_empty_share": float(math.exp(-mean))}


def cells_for(n: int, points_per_cell: float, max_cells_per_side: int) -> int:
    """Cells per side of a square grid with about `points_per_cell` points per cell (at least 2)."""
    return int(np.clip(math.floor(math.sqrt(max(n, 1) / points_per_cell)), 2, max_cells_per_side))


def knn_kept_shares(high: np.ndarray, low: np.ndarray, k: int) -> np.ndarray:
    """float (n,): for each point, the share of its k nearest neighbours in `high` (n, d) that are among its
    k nearest in `low` (n, 2)."""
    from report.stats.intrinsic import knn_distances

    _, near_high = knn_distances(high, k)
    _, near_low = knn_distances(low, k)
    shared = [len(np.intersect1d(a, b, assume_unique=True)) for a, b in zip(near_high, near_low, strict=True)]
    return np.asarray(shared, dtype=np.float64) / k


def knn_preservation(high: np.ndarray, low: np.ndarray, k: int) -> float:
    """Mean share of each point's k nearest neighbours in `high` (n, d) that are among its k nearest in
    `low` (n, 2)."""
    return float(knn_kept_shares(high, low, k).mean())


def empty_cell_share(points: np.ndarray, cells_per_side: int) -> tuple[float, float]:
    """Share of empty cells of an equal grid over the points' bounding square, and exp(-mean count),
    what randomly placed points would leave empty."""
    points = np.asarray(points, dtype=np.float64)
    centre = (points.max(axis=0) + points.min(axis=0)) / 2
    half = float(np.max(points.max(axis=0) - points.min(axis=0))) / 2
    counts = grid_counts(points, centre - half, centre + half, cells_per_side)
    return float(np.mean(counts == 0)), float(math.exp(-counts.mean()))


def ripley_l(points: np.ndarray, half_width: float, radii: np.ndarray) -> np.ndarray:
    """Ripley's L(r) (len(radii),) of the points (n, 2) of the square [-h, h]^2, translation-corrected.

    K(r) = A / (n (n - 1)) sum_{i != j} 1(d_ij <= r) A / ((W - |dx_ij|) (W - |dy_ij|)), W = 2h the side
    and A = W^2: each pair weighted by the inverse share of the window in which its difference vector
    fits, which makes K unbiased (pi r^2) for random points up to r < W. NaN below 2 points.
    """
    points = np.asarray(points, dtype=np.float64)
    radii = np.asarray(radii, dtype=np.float64)
    n = len(points)
    if n < 2:
        return np.full(len(radii), np.nan)
    side = 2.0 * half_width
    pairs = cKDTree(points).query_pairs(float(radii.max()), output_type="ndarray")
    difference = np.abs(points[pairs[:, 0]] - points[pairs[:, 1]])
    distance = np.hypot(difference[:, 0], difference[:, 1])
    overlap = np.clip(side - difference[:, 0], 0.0, None) * np.clip(side - difference[:, 1], 0.0, None)
    weight = side**2 / np.maximum(overlap, np.finfo(float).tiny)
    order = np.argsort(radii, kind="stable")
    first = np.searchsorted(radii[order], distance, side="left")  # the smallest radius each pair counts at
    within = np.empty(len(radii))
    within[order] = np.cumsum(np.bincount(first, weights=weight, minlength=len(radii) + 1)[: len(radii)])
    k = side**2 / (n * (n - 1)) * 2.0 * within  # every unordered pair counts for (i, j) and (j, i)
    return np.sqrt(k / math.pi)


def thinned(points: np.ndarray, most: int, rng: np.random.Generator) -> np.ndarray:
    """At most `most` rows of points, drawn without replacement (all of them, in order, when fewer)."""
    points = np.asarray(points)
    if len(points) <= most:
        return points
    return points[np.sort(rng.choice(len(points), size=most, replace=False))]


def envelope(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise minimum and maximum over the rows of curves (samples, radii), NaN rows left out."""
    curves = np.asarray(curves, dtype=np.float64)
    curves = curves[~np.all(np.isnan(curves), axis=1)]
    return np.nanmin(curves, axis=0), np.nanmax(curves, axis=0)


def envelope_excursion(curve: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[float, int | None]:
    """The curve's largest distance outside [low, high], signed (+ above high, - below low), and the
    index of the radius where it lies; (0.0, None) when the curve stays inside everywhere."""
    curve, low, high = (np.asarray(a, dtype=np.float64) for a in (curve, low, high))
    above = np.nan_to_num(curve - high, nan=0.0)
    below = np.nan_to_num(low - curve, nan=0.0)
    outside = np.maximum(np.maximum(above, below), 0.0)
    if not np.any(outside > 0):
        return 0.0, None
    index = int(np.argmax(outside))
    return float(outside[index] if above[index] > 0 else -outside[index]), index
