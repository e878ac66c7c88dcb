"""Post IV: slices around the origin; post V: where artificial vectors lie.

A slice keeps the points whose every component, except the two plotted, lies in [-t, t]; for
independent Gaussian components the kept fraction is known exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr

from report.stats._common import CHUNK_ROWS, check_z, sample_rows
from report.stats.principal import RELATIVE_FLOOR, Whitening, mahalanobis, principal_axes, whitening


def slice_mask(
    z: np.ndarray, keep: tuple[int, int], half_width_t: float, *, chunk_rows: int = 4 * CHUNK_ROWS
) -> np.ndarray:
    """Rows whose every component except the two in `keep` lies in [-t, t].

    Args:
        z: ndarray of shape (n_points, z_dim).
        keep: The two plotted components, left free.
        half_width_t: t >= 0.

    Returns:
        bool ndarray of shape (n_points,).
    """
    check_z(z)
    mask = np.empty(z.shape[0], dtype=bool)
    for start in range(0, z.shape[0], chunk_rows):
        inside = np.abs(z[start : start + chunk_rows]) <= half_width_t
        inside[:, list(keep)] = True
        mask[start : start + len(inside)] = inside.all(axis=1)
    return mask


def slice_counts(
    z: np.ndarray,
    keep: tuple[int, int],
    t: float,
    sample_size: int,
    rng: np.random.Generator,
    uniform: np.ndarray | None = None,
    *,
    rows: np.ndarray | None = None,
) -> dict:
    """Post IV's slice counts: survivors in a random sample, in all points and among uniform points.

    Args:
        z: ndarray of shape (n_points, z_dim).
        keep: The pair (i, j) left free.
        t: Slice half width.
        sample_size: Rows drawn without replacement (all if >= n_points).
        rng: Random generator for the sample.
        uniform: Optional artificial vectors of shape (n_uniform, z_dim).
        rows: Optional sample rows to use instead of drawing sample_size rows with rng (so the
            counts match a figure drawn from the same sample).

    Returns:
        {"pair": [i, j], "t": float, "sample_size": int, "sample_kept": int,
         "n_points": int, "all_kept": int, "n_uniform": int, "uniform_kept": int}
    """
    mask = slice_mask(z, keep, t)
    if rows is None:
        rows = sample_rows(z.shape[0], sample_size, rng)
    n_uniform = 0 if uniform is None else len(uniform)
    uniform_kept = 0 if uniform is None or n_uniform == 0 else int(slice_mask(uniform, keep, t).sum())
    return {
        "pair": [int(keep[0]), int(keep[1])],
        "t": float(t),
        "sample_size": len(rows),
        "sample_kept": int(mask[rows].sum()),
        "n_points": int(z.shape[0]),
        "all_kept": int(mask.sum()),
        "n_uniform": int(n_uniform),
        "uniform_kept": uniform_kept,
    }


def expected_slice_fraction(stds: Sequence[float], keep: tuple[int, int], t: float,
                            means: Sequence[float] | None = None) -> float:
    """Kept fraction of a slice for independent Gaussian components.

    prod over j not in keep of P(|x_j| <= t) for x_j ~ N(mean_j, std_j^2): erf(t / (std_j sqrt 2))
    for zero means, Phi((t - mean_j) / std_j) - Phi((-t - mean_j) / std_j) in general. A zero std
    counts as a point mass at mean_j.

    Args:
        stds: Standard deviations, shape (z_dim,).
        keep: The two free components.
        t: Slice half width.
        means: Component means, shape (z_dim,); None for zero means.

    Returns:
        The kept fraction, a float in [0, 1].
    """
    stds = np.asarray(stds, dtype=np.float64)
    means = np.zeros_like(stds) if means is None else np.asarray(means, dtype=np.float64)
    others = np.ones(len(stds), dtype=bool)
    others[list(keep)] = False
    sigma, mu = stds[others], means[others]
    safe = np.where(sigma > 0, sigma, 1.0)
    inside = ndtr((t - mu) / safe) - ndtr((-t - mu) / safe)
    p = np.where(sigma > 0, inside, (np.abs(mu) <= t).astype(float))
    return float(np.prod(p))


def share_inside_ranges(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Mean share of components that lie inside [low_j, high_j].

    Args:
        points: ndarray of shape (n_points, z_dim).
        low, high: Per-component bounds, shape (z_dim,).

    Returns:
        The share over all points and components, a float in [0, 1].
    """
    points = np.asarray(points)
    return float(np.mean((points >= low) & (points <= high)))


def origin_position(z: np.ndarray, centre: np.ndarray, *, chunk_rows: int = CHUNK_ROWS) -> dict:
    """Where the origin lies relative to the cloud: its distance from the centre against the data's.

    Args:
        z: ndarray of shape (n_points, z_dim).
        centre: ndarray of shape (z_dim,), usually the component means.

    Returns:
        {"origin_distance": ||centre||, "share_farther": share of points farther from the centre
        than the origin, "nearest_point_radius": the smallest ||z|| of any point}. A share near 0
        puts the origin at the border of the cloud or outside it.
    """
    check_z(z)
    centre = np.asarray(centre, dtype=np.float64)
    origin_distance = float(np.linalg.norm(centre))
    farther = 0
    nearest = np.inf
    centre32 = centre.astype(np.float32)
    for start in range(0, z.shape[0], chunk_rows):
        chunk = np.asarray(z[start : start + chunk_rows], dtype=np.float32)
        shifted = chunk - centre32
        farther += int((np.einsum("ij,ij->i", shifted, shifted, dtype=np.float64) > origin_distance**2).sum())
        nearest = min(nearest, float(np.sqrt(np.einsum("ij,ij->i", chunk, chunk, dtype=np.float64).min())))
    return {"origin_distance": origin_distance, "share_farther": farther / z.shape[0],
            "nearest_point_radius": nearest}


def mahalanobis_distances(points: np.ndarray, centre: np.ndarray, covariance: np.ndarray, *,
                          rule: str = "drop", relative_floor: float = RELATIVE_FLOOR) -> np.ndarray:
    """Mahalanobis distance of each point from the centre of a cloud with the given covariance.

    A correlated cloud is a thin, tilted ellipsoid; a point at a modest Euclidean distance from the
    centre can still lie far outside it. A near-singular covariance is regularised by the stated
    rule (`principal.whitening`: eigenvalues below relative_floor x the largest dropped or floored),
    so directions that carry only round-off do not blow up the distances.

    Args:
        points: ndarray of shape (n, z_dim).
        centre: ndarray of shape (z_dim,).
        covariance: ndarray of shape (z_dim, z_dim).

    Returns:
        float64 ndarray of shape (n,).
    """
    return mahalanobis(points, _whiten(centre, covariance, rule, relative_floor))


def _whiten(centre: np.ndarray, covariance: np.ndarray, rule: str, relative_floor: float) -> Whitening:
    return whitening(principal_axes(centre, covariance), rule=rule, relative_floor=relative_floor)


def mahalanobis_position(z: np.ndarray, centre: np.ndarray, covariance: np.ndarray, *,
                         rule: str = "drop", relative_floor: float = RELATIVE_FLOOR) -> dict:
    """Where the origin lies once the cloud's shape counts (see mahalanobis_distances).

    Args:
        z: ndarray of shape (n_points, z_dim).
        centre: ndarray of shape (z_dim,).
        covariance: ndarray of shape (z_dim, z_dim), the covariance of z.

    Returns:
        {"origin": the origin's distance, "data_mean": mean distance of the points, "data_max",
        "share_farther": share of points farther from the centre than the origin, "rank": directions kept}.
    """
    check_z(z)
    whiten = _whiten(centre, covariance, rule, relative_floor)
    origin = float(mahalanobis(np.zeros((1, z.shape[1])), whiten)[0])
    data = mahalanobis(z, whiten)
    return {"origin": origin, "data_mean": float(data.mean()), "data_max": float(data.max()),
            "share_farther": float(np.mean(data > origin)), "rank": whiten.dof}
