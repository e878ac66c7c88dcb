"""Post II: number distributions of the components and radii of the latent vectors.

Histograms of every component on one grid, mean, std and full width at half maximum (FWHM,
named `half_width`), dominant components, radii of the data and of uniform vectors in [-b, b]
against the analytic mean b sqrt(N / 3).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from report.stats._common import CHUNK_ROWS, check_z, row_chunks


def component_histograms(
    z: np.ndarray, bin_width: float, *, chunk_rows: int = CHUNK_ROWS
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram every component on one common grid of multiples of bin_width.

    Bins are half-open [edge_k, edge_k+1); the grid runs from floor(min / bin_width) to
    floor(max / bin_width) + 1 multiples of bin_width, so every value of z is counted.

    Args:
        z: ndarray of shape (n_points, z_dim), finite values.
        bin_width: Positive width of every bin.
        chunk_rows: Rows processed at a time (bounds memory).

    Returns:
        edges: float64 ndarray of shape (n_bins + 1,).
        counts: int64 ndarray of shape (z_dim, n_bins); counts[j] is component j's histogram.
    """
    check_z(z)
    if not bin_width > 0:
        raise ValueError(f"bin_width must be positive, got {bin_width}")
    low, high = float(z.min()), float(z.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError("z holds NaN or infinite values")
    k_low = int(np.floor(low / bin_width))
    n_bins = int(np.floor(high / bin_width)) + 1 - k_low
    z_dim = z.shape[1]
    # One flat bincount over (component, bin) pairs replaces z_dim separate histograms.
    offsets = np.arange(z_dim, dtype=np.intp) * n_bins - k_low
    counts = np.zeros(z_dim * n_bins, dtype=np.int64)
    for chunk in row_chunks(z, chunk_rows):
        chunk /= bin_width
        index = np.floor(chunk, out=chunk).astype(np.intp)
        index += offsets
        counts += np.bincount(index.ravel(), minlength=z_dim * n_bins)
    edges = (k_low + np.arange(n_bins + 1)) * float(bin_width)
    return edges, counts.reshape(z_dim, n_bins)


def half_widths(edges: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Full width at half maximum (FWHM) of each component's number distribution.

    The half-maximum level is crossed, going outwards, between the outermost bins that reach
    it and their neighbours; the crossing is placed by linear interpolation between bin centres
    (beyond the grid the count is zero). A Gaussian gives 2 sqrt(2 ln 2) sigma = 2.3548 sigma.

    Args:
        edges: ndarray of shape (n_bins + 1,), equally spaced.
        counts: ndarray of shape (z_dim, n_bins) or (n_bins,).

    Returns:
        float64 ndarray of shape (z_dim,), or one float64 for 1-D counts; NaN for an empty row.
    """
    counts = np.asarray(counts, dtype=np.float64)
    single = counts.ndim == 1
    counts = np.atleast_2d(counts)
    width = float(edges[1] - edges[0])
    centres = (np.asarray(edges[:-1]) + np.asarray(edges[1:])) / 2
    centres = np.concatenate([[centres[0] - width], centres, [centres[-1] + width]])
    y = np.pad(counts, ((0, 0), (1, 1)))
    half = y.max(axis=1) / 2
    reaches = y >= half[:, None]
    rows = np.arange(y.shape[0])
    first = np.argmax(reaches, axis=1)
    last = y.shape[1] - 1 - np.argmax(reaches[:, ::-1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        y0, y1 = y[rows, first - 1], y[rows, first]
        left = centres[first - 1] + (half - y0) / (y1 - y0) * width
        # An empty row reaches "half" everywhere; keep its index in range, it becomes NaN below.
        y0, y1 = y[rows, last], y[rows, np.minimum(last + 1, y.shape[1] - 1)]
        right = centres[last] + (y0 - half) / (y0 - y1) * width
    result = np.where(half > 0, right - left, np.nan)
    return result[0] if single else result


def component_summary(z: np.ndarray, bin_width: float, *, resolution: float | None = None,
                      chunk_rows: int = CHUNK_ROWS) -> dict:
    """Mean, standard deviation and FWHM of every component (post II's table).

    Moments are accumulated in float64 per row chunk around the first chunk's mean, which keeps
    them accurate for data far from zero. std uses ddof=0, like numpy.std.

    Args:
        z: ndarray of shape (n_points, z_dim).
        bin_width: Histogram bin width for the half widths.
        resolution: If given, the half widths are measured on bins no wider than resolution x
            the median component std (bin_width if that is finer): bins as wide as the peak
            itself blur the half maximum and inflate the width.
        chunk_rows: Rows processed at a time.

    Returns:
        {"n_points": int, "z_dim": int, "bin_width": float, "half_width_bin": float,
         "components": [{"index": int, "mean": float, "std": float, "half_width": float}, ...]}
    """
    check_z(z)
    n_points, z_dim = z.shape
    shift = np.asarray(z[:chunk_rows], dtype=np.float64).mean(axis=0)
    s1 = np.zeros(z_dim)
    s2 = np.zeros(z_dim)
    for chunk in row_chunks(z, chunk_rows):
        chunk -= shift
        s1 += chunk.sum(axis=0)
        s2 += np.einsum("ij,ij->j", chunk, chunk)
    offset = s1 / n_points
    means = shift + offset
    stds = np.sqrt(np.maximum(s2 / n_points - offset**2, 0.0))
    width_bin = bin_width
    median_std = float(np.median(stds))
    if resolution is not None and median_std > 0:
        width_bin = min(bin_width, resolution * median_std)
    widths = half_widths(*component_histograms(z, width_bin, chunk_rows=chunk_rows))
    components = [
        {"index": j, "mean": float(means[j]), "std": float(stds[j]), "half_width": float(widths[j])}
        for j in range(z_dim)
    ]
    return {"n_points": int(n_points), "z_dim": int(z_dim), "bin_width": float(bin_width),
            "half_width_bin": float(width_bin), "components": components}


def dominant_components(
    means: Sequence[float], half_widths: Sequence[float], mean_factor: float, width_factor: float
) -> list[int]:
    """Components whose |mean| or width stands out against the median half width.

    Component j is dominant if |mean_j| >= mean_factor * m or half_width_j >= width_factor * m,
    with m the median half width of all components.

    Args:
        means: Shape (z_dim,).
        half_widths: Shape (z_dim,), e.g. from `half_widths`.
        mean_factor, width_factor: The thresholds as multiples of the median half width.

    Returns:
        Sorted list of component indices (python ints).
    """
    means = np.asarray(means, dtype=np.float64)
    widths = np.asarray(half_widths, dtype=np.float64)
    median = np.median(widths)
    dominant = (np.abs(means) >= mean_factor * median) | (widths >= width_factor * median)
    return [int(j) for j in np.flatnonzero(dominant)]


def radii(z: np.ndarray, *, chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
    """L2 norm of every latent vector.

    Args:
        z: ndarray of shape (n_points, z_dim).

    Returns:
        float64 ndarray of shape (n_points,).
    """
    check_z(z)
    out = np.empty(z.shape[0])
    start = 0
    for chunk in row_chunks(z, chunk_rows):
        out[start : start + len(chunk)] = np.sqrt(np.einsum("ij,ij->i", chunk, chunk))
        start += len(chunk)
    return out


def radius_summary(r: np.ndarray, bins: int) -> dict:
    """Mean, std (ddof=0) and peak of a set of radii.

    The peak is the centre of the fullest bin of a plain histogram with `bins` equal bins over
    [min(r), max(r)] (the first such bin on ties); no smoothing, so its resolution is one bin.

    Args:
        r: ndarray of shape (n_points,).
        bins: Number of histogram bins.

    Returns:
        {"mean": float, "std": float, "peak": float}
    """
    r = np.asarray(r, dtype=np.float64)
    counts, edges = np.histogram(r, bins=bins)
    k = int(np.argmax(counts))
    return {"mean": float(r.mean()), "std": float(r.std()), "peak": float((edges[k] + edges[k + 1]) / 2)}


def uniform_vectors(n: int, z_dim: int, b: float, rng: np.random.Generator) -> np.ndarray:
    """Post II/V's naive generator: every component uniform in [-b, b].

    Returns:
        float32 ndarray of shape (n, z_dim).
    """
    out = rng.random((n, z_dim), dtype=np.float32)
    out *= 2 * b
    out -= b
    return out


def uniform_radius_comparison(
    z_dim: int,
    b_values: Sequence[float],
    n_vectors: int,
    rng: np.random.Generator,
    data_radii: np.ndarray | None = None,
) -> list[dict]:
    """Radii of uniform vectors for several b, against the analytic mean b sqrt(z_dim / 3).

    Args:
        z_dim: Latent dimension N.
        b_values: Half ranges b to try.
        n_vectors: Uniform vectors drawn per b.
        rng: Random generator.
        data_radii: Optional radii of the real latent vectors, shape (n_points,). When given,
            each entry also holds "share_in_data_range": the share of uniform radii inside the
            1st to 99th percentile of data_radii.

    Returns:
        One dict per b, in the given order: {"b", "expected_mean", "measured_mean",
        "measured_std"[, "share_in_data_range"]}, all python floats.
    """
    if data_radii is not None:
        low, high = np.percentile(np.asarray(data_radii, dtype=np.float64), [1, 99])
    rows = []
    for b in b_values:
        r = radii(uniform_vectors(n_vectors, z_dim, b, rng))
        row = {
            "b": float(b),
            "expected_mean": float(b * np.sqrt(z_dim / 3)),
            "measured_mean": float(r.mean()),
            "measured_std": float(r.std()),
        }
        if data_radii is not None:
            row["share_in_data_range"] = float(np.mean((r >= low) & (r <= high)))
        rows.append(row)
    return rows


def best_uniform_b(data_radius_mean: float, z_dim: int) -> float:
    """The b whose uniform vectors have mean radius data_radius_mean: R sqrt(3 / N)."""
    return float(data_radius_mean * np.sqrt(3 / z_dim))


def closest_uniform_b(comparison: Sequence[dict], data_radius_mean: float) -> float:
    """The b of a `uniform_radius_comparison` row whose measured mean is nearest data_radius_mean."""
    best = min(comparison, key=lambda row: abs(row["measured_mean"] - data_radius_mean))
    return float(best["b"])


def component_overview(
    means: Sequence[float], stds: Sequence[float], half_widths: Sequence[float], mean_factor: float, width_factor: float
) -> dict:
    """Post II's figures about all components together: medians, extremes, the dominant rule, the centre.

    Args:
        means, stds, half_widths: Shape (z_dim,), one value per component.
        mean_factor, width_factor: The dominant rule's factors (see `dominant_components`).

    Returns:
        {"dominant_rule": {"mean_factor", "width_factor", "median_half_width", "mean_threshold",
         "width_threshold"}, "median_std", "max_abs_mean": {"index", "value"} (the signed mean
         farthest off 0), "max_half_width": {"index", "value"}, "share_covering_origin" (share of
         components with |mean| <= half_width / 2: 0 inside their half-maximum range),
         "centre_radius" (length of the vector of all means)}.
    """
    means = np.asarray(means, dtype=np.float64)
    stds = np.asarray(stds, dtype=np.float64)
    widths = np.asarray(half_widths, dtype=np.float64)
    median_half_width = float(np.median(widths))
    farthest = int(np.argmax(np.abs(means)))
    return {
        "dominant_rule": {
            "mean_factor": mean_factor,
            "width_factor": width_factor,
            "median_half_width": median_half_width,
            "mean_threshold": mean_factor * median_half_width,
            "width_threshold": width_factor * median_half_width,
        },
        "median_std": float(np.median(stds)),
        "max_abs_mean": {"index": farthest, "value": float(means[farthest])},
        "max_half_width": {"index": int(np.argmax(widths)), "value": float(widths.max())},
        "share_covering_origin": float(np.mean(np.abs(means) <= widths / 2)),
        "centre_radius": float(np.linalg.norm(means)),
    }


def widest_components(half_widths: Sequence[float], n: int, among: Sequence[int] | None = None) -> list[int]:
    """The n components with the largest half widths (of `among`, or of all), in ascending index order.

    Ties keep the order of `among`; post II draws these components apart.
    """
    widths = np.asarray(half_widths, dtype=np.float64)
    candidates = range(len(widths)) if among is None else among
    return sorted(int(k) for k in sorted(candidates, key=lambda k: -widths[k])[:n])
