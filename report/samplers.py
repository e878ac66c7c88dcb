"""Generators of artificial latent vectors for posts VI and VII.

Post VI: straight paths from the origin to the centre c of the cloud, and straight paths through
c inside a coordinate plane (i, j), optionally rotated within that plane. Post VII: vectors whose
components are drawn independently and uniformly inside per-component intervals around c, and
the order of such vectors by growing distance from c. (Post II/V's uniform vectors in [-b, b]
are `report.stats.uniform_vectors`.)

Pure functions; anything random takes `rng: numpy.random.Generator`.
"""

from __future__ import annotations

import numpy as np


def interval_vectors(
    centre: np.ndarray, widths: np.ndarray, factor: float, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Post VII: component j uniform in [centre_j - factor |widths_j|, centre_j + factor |widths_j|].

    Args:
        centre: Shape (z_dim,), usually the component means.
        widths: Shape (z_dim,), e.g. each component's half_width (FWHM) or half of it.
        factor: The post's f.
        n: Number of vectors.
        rng: Random generator.

    Returns:
        float32 ndarray of shape (n, z_dim); bounds hold up to float32 rounding.
    """
    centre = np.asarray(centre, dtype=np.float64)
    reach = factor * np.abs(np.asarray(widths, dtype=np.float64))
    return rng.uniform(centre - reach, centre + reach, size=(n, centre.size)).astype(np.float32)


def straight_path(start: np.ndarray, end: np.ndarray, n_points: int) -> np.ndarray:
    """Equally spaced points on the segment from start to end, both ends included.

    Args:
        start, end: Shape (z_dim,).
        n_points: At least 2.

    Returns:
        float64 ndarray of shape (n_points, z_dim); row 0 is start and row -1 is end exactly.
    """
    if n_points < 2:
        raise ValueError(f"a path needs at least 2 points, got {n_points}")
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    t = np.linspace(0.0, 1.0, n_points)[:, None]
    # (1 - t) start + t end hits both ends exactly, unlike start + t (end - start).
    return (1 - t) * start + t * end


def plane_path(
    centre: np.ndarray,
    i: int,
    j: int,
    reach_i: float,
    reach_j: float,
    n_points: int,
    angle_deg: float = 0.0,
) -> np.ndarray:
    """Post VI: a straight path through centre inside the coordinate plane (i, j).

    The path runs from centre - d to centre + d, where d has components (reach_i, reach_j) in
    the plane, rotated by angle_deg (counter-clockwise from axis i towards axis j); every other
    component stays at its centre value. Rotation keeps |d| and the plane.

    Args:
        centre: Shape (z_dim,).
        i, j: Two different component indices.
        reach_i, reach_j: Half extent of the unrotated path along axes i and j.
        n_points: At least 2; for odd n_points the middle point is the centre.
        angle_deg: Rotation within the plane, in degrees.

    Returns:
        float64 ndarray of shape (n_points, z_dim).
    """
    centre = np.asarray(centre, dtype=np.float64)
    if i == j or not (0 <= i < centre.size and 0 <= j < centre.size):
        raise ValueError(f"plane ({i}, {j}) needs two different components of 0..{centre.size - 1}")
    if n_points < 2:
        raise ValueError(f"a path needs at least 2 points, got {n_points}")
    angle = np.deg2rad(angle_deg)
    cos, sin = np.cos(angle), np.sin(angle)
    # Offsets s d with s = -1 ... 1 from integer ratios leave the other components exactly at the
    # centre, the ends exactly at centre -/+ d and the middle point (odd n_points) exactly on it.
    s = (2 * np.arange(n_points) - (n_points - 1)) / (n_points - 1)
    path = np.tile(centre, (n_points, 1))
    path[:, i] += s * (cos * reach_i - sin * reach_j)
    path[:, j] += s * (sin * reach_i + cos * reach_j)
    return path


def order_by_distance(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Indices that sort points by growing Euclidean distance from centre (stable on ties).

    Args:
        points: Shape (n_points, z_dim).
        centre: Shape (z_dim,).

    Returns:
        int ndarray of shape (n_points,).
    """
    diff = np.asarray(points, dtype=np.float64) - np.asarray(centre, dtype=np.float64)
    return np.argsort(np.einsum("ij,ij->i", diff, diff), kind="stable")


def evenly_by_distance(points: np.ndarray, centre: np.ndarray, n: int) -> np.ndarray:
    """Indices of n points spread evenly over their ranking by distance from centre, nearest and farthest included.

    Args:
        points: Shape (n_points, z_dim).
        centre: Shape (z_dim,).
        n: How many to pick; all points if n >= n_points.

    Returns:
        int ndarray of shape (min(n, n_points),), ordered from the nearest to the farthest.
    """
    order = order_by_distance(points, centre)
    return order[np.linspace(0, len(order) - 1, min(n, len(order))).round().astype(int)]
