"""Post III: Pearson correlations between components.

One streaming pass over row chunks gives the full matrix; pairs are counted above thresholds,
listed above a level, and chosen for the scatter plots of posts IV and VI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from report.stats._common import CHUNK_ROWS, centred_gram, check_z


def streaming_correlation(z: np.ndarray, *, chunk_rows: int = CHUNK_ROWS, blas_threads: int | None = 1) -> np.ndarray:
    """Pearson correlation matrix of the components in one pass over row chunks.

    Sums and the Gram matrix are accumulated in float64 around the first chunk's mean, so the
    result matches numpy.corrcoef to ~1e-12 even for float32 data far from zero, with memory
    O(chunk_rows * z_dim + z_dim**2).

    Args:
        z: ndarray of shape (n_points, z_dim), n_points >= 2.
        chunk_rows: Rows processed at a time.
        blas_threads: BLAS threads for the Gram products, None for the library's default. One
            thread by default: a (chunk_rows x 256) product gains little from more, and
            multi-threaded OpenBLAS slows down several-fold when other processes share the cores.

    Returns:
        float64 ndarray of shape (z_dim, z_dim), symmetric, ones on the diagonal; rows and
        columns of constant components are NaN (as in numpy.corrcoef).
    """
    check_z(z)
    n_points = z.shape[0]
    _, sums, gram = centred_gram(z, chunk_rows, blas_threads, user_api="blas")
    mean = sums / n_points
    cov = gram / n_points - np.outer(mean, mean)
    std = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.outer(std, std)
    r = np.clip((r + r.T) / 2, -1.0, 1.0)
    np.fill_diagonal(r, np.where(std > 0, 1.0, np.nan))
    return r


def pairs_above(r: np.ndarray, thresholds: Sequence[float]) -> dict[str, int]:
    """Count component pairs i < j with |r_ij| strictly above each threshold.

    Args:
        r: Correlation matrix of shape (z_dim, z_dim).
        thresholds: Floats; each becomes a key formatted with "{t:g}", e.g. "0.1".

    Returns:
        {"0.1": int, ...}; NaN entries count nowhere.
    """
    upper = np.abs(r[np.triu_indices_from(r, k=1)])
    return {f"{t:g}": int(np.count_nonzero(upper > t)) for t in thresholds}


def correlated_pairs(r: np.ndarray, threshold: float) -> list[dict]:
    """Pairs i < j with |r_ij| > threshold, strongest first.

    Returns:
        [{"i": int, "j": int, "r": float}, ...] sorted by |r| descending, then by (i, j).
    """
    i, j = np.triu_indices_from(r, k=1)
    values = r[i, j]
    keep = np.abs(values) > threshold
    i, j, values = i[keep], j[keep], values[keep]
    order = np.lexsort((j, i, -np.abs(values)))
    return [{"i": int(i[k]), "j": int(j[k]), "r": float(values[k])} for k in order]


def choose_pairs(r: np.ndarray, dominant: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Default component pairs for the scatter plots of posts IV and VI.

    Pairs of two dominant components come first, then pairs with one dominant component, then
    the rest; within each tier the strongest |r| first (NaN counts as 0), ties by (i, j).

    Args:
        r: Correlation matrix of shape (z_dim, z_dim), z_dim >= 2.
        dominant: Indices of dominant components (may be empty).
        n: Number of pairs wanted.

    Returns:
        Up to n distinct pairs (i, j) with i < j, as tuples of python ints.
    """
    i, j = np.triu_indices_from(r, k=1)
    strength = np.nan_to_num(np.abs(r[i, j]), nan=0.0)
    is_dominant = np.zeros(r.shape[0], dtype=bool)
    is_dominant[list(dominant)] = True
    tier = 2 - is_dominant[i].astype(int) - is_dominant[j].astype(int)
    order = np.lexsort((j, i, -strength, tier))[:n]
    return [(int(i[k]), int(j[k])) for k in order]


def covariance_from_correlation(r: np.ndarray, stds: np.ndarray) -> np.ndarray:
    """Covariance matrix from a Pearson matrix and the component stds (NaN entries count as 0).

    Args:
        r: ndarray of shape (z_dim, z_dim); NaN where a component is constant.
        stds: ndarray of shape (z_dim,).
    """
    stds = np.asarray(stds, dtype=np.float64)
    return np.nan_to_num(np.asarray(r, dtype=np.float64)) * np.outer(stds, stds)


def abs_r_summary(r: np.ndarray) -> tuple[float, float]:
    """Largest and mean |r| over the pairs i < j; NaN pairs (constant components) are ignored.

    Args:
        r: Correlation matrix of shape (z_dim, z_dim).

    Returns:
        (max |r|, mean |r|), both 0.0 when no pair has a finite r.
    """
    upper = np.abs(r[np.triu_indices_from(r, k=1)])
    if not np.isfinite(upper).any():
        return 0.0, 0.0
    return float(np.nanmax(upper)), float(np.nanmean(upper))


def pairs_touching(pairs: Sequence[dict], components: Sequence[int]) -> int:
    """How many pairs {"i", "j", ...} have at least one of their components in `components`."""
    chosen = set(components)
    return sum(1 for p in pairs if p["i"] in chosen or p["j"] in chosen)


def heatmap_components(dominant: Sequence[int], pairs: Sequence[dict], z_dim: int, n_pairs: int,
                       n_fallback: int) -> list[int]:
    """The components of post III's heatmap.

    The dominant components when there are at least two; else those of the `n_pairs` strongest
    listed pairs, sorted; else the first `n_fallback` components (at most z_dim).
    """
    block = list(dominant) if len(dominant) >= 2 else sorted({k for p in pairs[:n_pairs] for k in (p["i"], p["j"])})
    if len(block) < 2:
        block = list(range(min(z_dim, n_fallback)))
    return block


def independent_sd(n_points: int) -> float:
    """The standard deviation of Pearson r estimated from n_points pairs of independent variables, 1/sqrt(n)."""
    return 1 / np.sqrt(n_points)
