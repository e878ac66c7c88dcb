"""Intrinsic dimension of a point cloud from its nearest-neighbour distances.

- `knn_distances(x, k)`: the distances of every point to its k nearest other points, ascending.
- `levina_bickel_terms(distances, k)`: per point, (1/(k-1)) sum_{j<k} log(T_k / T_j), an unbiased
  estimate of 1/m for points spread locally uniformly on an m-dimensional manifold (Levina and
  Bickel 2004).
- `levina_bickel(distances, k)`: the dimension with MacKay and Ghahramani's averaging (2005): the
  inverse of the mean of those per-point terms, not the mean of their inverses (which is biased
  upwards and dominated by a few points with nearly equal distances).
- `two_nn(distances)`: TwoNN (Facco et al. 2017): mu = T_2 / T_1 follows the Pareto law
  F(mu) = 1 - mu^-d; d is the slope of -log(1 - F) against log(mu) through the origin, fitted on
  the smallest (1 - discard) share of the mu.

Points with a zero distance to a neighbour (exact duplicates) carry no scale and are left out.
Arrays in, numbers out; no I/O.
"""

from __future__ import annotations

import numpy as np

from report.stats._common import limited_threads


def knn_distances(x: np.ndarray, k: int, *, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distances (n, k) to the k nearest other points, ascending, and their row indices (n, k)."""
    from sklearn.neighbors import NearestNeighbors

    x = np.asarray(x, dtype=np.float64)
    if len(x) <= k:
        raise ValueError(f"need more than k = {k} points, got {len(x)}")
    with limited_threads(threads):
        model = NearestNeighbors(n_neighbors=k).fit(x)
        distances, indices = model.kneighbors()  # without X: each point's own row is left out
    return distances, indices


def _usable(distances: np.ndarray, k: int) -> np.ndarray:
    d = np.asarray(distances, dtype=np.float64)[:, :k]
    if d.shape[1] < k or k < 2:
        raise ValueError(f"need k >= 2 neighbour distances per point, got k = {k} of {d.shape[1]}")
    return d[d[:, 0] > 0]


def levina_bickel_terms(distances: np.ndarray, k: int) -> np.ndarray:
    """Per point: (1/(k-1)) sum_{j=1}^{k-1} log(T_k / T_j), from ascending neighbour distances (n, >= k)."""
    d = _usable(distances, k)
    return np.log(d[:, k - 1 : k]).ravel() - np.log(d[:, : k - 1]).mean(axis=1)


def levina_bickel(distances: np.ndarray, k: int) -> float:
    """Levina-Bickel dimension with MacKay-Ghahramani averaging: 1 / mean of the per-point terms."""
    terms = levina_bickel_terms(distances, k)
    mean = float(terms.mean()) if len(terms) else 0.0
    return 1.0 / mean if mean > 0 else float("inf")


def two_nn(distances: np.ndarray, discard: float = 0.1) -> float:
    """TwoNN dimension from each point's two nearest distances (n, >= 2), the largest `discard` share of
    mu = T_2 / T_1 left out of the fit."""
    d = _usable(distances, 2)
    mu = np.sort(d[:, 1] / d[:, 0])
    n = len(mu)
    if n < 3:
        raise ValueError("TwoNN needs at least three points with distinct neighbours")
    empirical = np.arange(1, n + 1) / n
    keep = max(2, int(np.floor(n * (1.0 - discard))))
    keep = min(keep, n - 1)  # F = 1 at the last point: -log(0)
    x, y = np.log(mu[:keep]), -np.log(1.0 - empirical[:keep])
    denominator = float(x @ x)
    return float(x @ y / denominator) if denominator > 0 else float("inf")


def subsample_sizes(n: int, steps: int, smallest: int) -> list[int]:
    """n, n/2, n/4, ... (`steps` sizes at most, none below `smallest`), largest first."""
    sizes = []
    size = int(n)
    while len(sizes) < steps and size >= smallest:
        sizes.append(size)
        size //= 2
    return sizes or [int(n)]
