"""Principal axes of the latent cloud (post IX) and the samplers built on them (post X).

Post IX rotates the centred cloud onto the eigenvectors of its covariance: the principal
coordinates are uncorrelated, their variances are the eigenvalues, and a multivariate normal
becomes a product of independent one-dimensional normals with axis-aligned ellipses. Post X
draws vectors in that frame, from N(0, lambda_k) or inside a chosen Mahalanobis shell, and maps
them back with z = mean + V diag(sqrt(lambda)) w.

The regularisation of a near-singular covariance lives here too (`whitening`), because it is a
rule on the eigenvalues; post VIII's Mahalanobis distances and post X's shells share it, so a
shell sample's distance is exactly the radius it was drawn with.

Arrays in, numbers, arrays or JSON-ready dicts out; anything random takes
`rng: numpy.random.Generator`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from report.stats._common import CHUNK_ROWS, limited_threads

#: Eigenvalues below this fraction of the largest count as numerically zero (see `whitening`).
RELATIVE_FLOOR = 1e-6


def blas_threads(n: int | None) -> contextlib.AbstractContextManager:
    """Limit BLAS and OpenMP threads to n inside a `with` block (None: leave them alone).

    One thread is the default of the streaming functions: a (chunk_rows x 256) product gains
    little from more, and multi-threaded OpenBLAS slows down many-fold (30x measured for
    GaussianMixture) when other processes share the cores.
    """
    return limited_threads(n)


@dataclass(frozen=True)
class PrincipalAxes:
    """Eigen-decomposition of a covariance matrix, largest eigenvalue first.

    Attributes:
        mean: ndarray of shape (z_dim,), the cloud's centre.
        eigenvalues: ndarray of shape (z_dim,), descending, negative round-off clipped to 0.
        eigenvectors: ndarray of shape (z_dim, z_dim); column k is principal axis k, signed so
            that its largest-magnitude entry is positive (a reproducible orientation).
    """

    mean: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray


@dataclass(frozen=True)
class Whitening:
    """Map from z to whitened principal coordinates: w = (z - mean) @ axes / scales.

    Attributes:
        mean: ndarray of shape (z_dim,).
        axes: ndarray of shape (z_dim, dof), the principal axes kept.
        scales: ndarray of shape (dof,), square roots of the (possibly floored) eigenvalues.
        rule: "drop" or "floor" (see `whitening`).
        relative_floor: the fraction of the largest eigenvalue used as threshold.
        n_regularised: eigenvalues below the threshold (dropped or raised to it).
    """

    mean: np.ndarray
    axes: np.ndarray
    scales: np.ndarray
    rule: str
    relative_floor: float
    n_regularised: int

    @property
    def dof(self) -> int:
        """Dimensions of the whitened space: the degrees of freedom of the chi law to compare."""
        return int(self.axes.shape[1])

    def summary(self) -> dict:
        """JSON-ready statement of what was done, for the post's text."""
        return {
            "rule": self.rule,
            "relative_floor": self.relative_floor,
            "n_regularised": self.n_regularised,
            "dof": self.dof,
        }


def principal_axes(mean: np.ndarray, covariance: np.ndarray, *, threads: int | None = 1) -> PrincipalAxes:
    """Eigenvalues (descending) and eigenvectors of a symmetric covariance matrix.

    Args:
        mean: ndarray of shape (z_dim,).
        covariance: ndarray of shape (z_dim, z_dim), symmetric positive semi-definite.
        threads: BLAS threads (default 1, see `blas_threads`).
    """
    covariance = np.asarray(covariance, dtype=np.float64)
    with blas_threads(threads):
        values, vectors = np.linalg.eigh((covariance + covariance.T) / 2)
    values, vectors = values[::-1], vectors[:, ::-1]
    # eigh's signs are arbitrary; fix them so figures and coordinates are reproducible
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])])
    vectors = vectors * np.where(signs == 0, 1.0, signs)
    return PrincipalAxes(np.asarray(mean, dtype=np.float64), np.clip(values, 0.0, None), vectors)


def explained_variance(eigenvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the total variance per axis and their cumulative sum, each of shape (z_dim,)."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    ratio = eigenvalues / eigenvalues.sum()
    return ratio, np.cumsum(ratio)


def components_for(eigenvalues: np.ndarray, shares: tuple[float, ...] = (0.9, 0.99)) -> dict[str, int]:
    """Smallest number of leading axes whose eigenvalues carry at least each share of the variance.

    Returns:
        e.g. {"0.9": 12, "0.99": 40}.
    """
    _, cumulative = explained_variance(eigenvalues)
    # a hair of slack so that a share reached exactly is not missed by round-off
    return {f"{s:g}": int(np.searchsorted(cumulative, s - 1e-12) + 1) for s in shares}


def whitening(axes: PrincipalAxes, *, rule: str = "drop", relative_floor: float = RELATIVE_FLOOR) -> Whitening:
    """Regularised inverse square root of the covariance, stated as a rule on the eigenvalues.

    A latent cloud can be near-singular (dead or duplicated components); its plain inverse then
    blows up the distances along directions that carry only round-off. Eigenvalues below
    relative_floor x the largest are:
      - "drop": left out, so distances live in the principal subspace of the others and follow
        a chi law with `dof` = that subspace's dimension (a pseudo-inverse);
      - "floor": raised to relative_floor x the largest; `dof` stays z_dim, and floored
        directions contribute less than a chi law expects.

    Args:
        axes: from `principal_axes`.
        rule: "drop" (default) or "floor".
        relative_floor: threshold as a fraction of the largest eigenvalue; default 1e-6, far
            above the ~1e-14 that float32 round-off leaves in an empty direction.
    """
    if rule not in ("drop", "floor"):
        raise ValueError(f"rule must be 'drop' or 'floor', got {rule!r}")
    values = axes.eigenvalues
    threshold = relative_floor * values[0]
    small = values < threshold
    if values[0] <= 0:
        raise ValueError("covariance is zero: every point is the centre")
    if rule == "drop":
        kept = ~small
        return Whitening(axes.mean, axes.eigenvectors[:, kept], np.sqrt(values[kept]), rule, relative_floor,
                         int(small.sum()))
    return Whitening(axes.mean, axes.eigenvectors, np.sqrt(np.maximum(values, threshold)), rule, relative_floor,
                     int(small.sum()))


def regularisation_summary(whiten: Whitening, axes: PrincipalAxes) -> dict:
    """What a post says about its Mahalanobis distances: the rule, what it touched, and the spread of
    the eigenvalues that made it necessary (largest, smallest, and their ratio)."""
    largest, smallest = float(axes.eigenvalues[0]), float(axes.eigenvalues[-1])
    return {**whiten.summary(), "largest_eigenvalue": largest, "smallest_eigenvalue": smallest,
            "condition": largest / smallest if smallest > 0 else None}


def mahalanobis_sq(points: np.ndarray, whiten: Whitening, *, dtype=np.float64, chunk_rows: int = CHUNK_ROWS,
                   threads: int | None = 1) -> np.ndarray:
    """Squared Mahalanobis distances from the centre, under the whitening's regularisation.

    Args:
        points: ndarray of shape (n, z_dim).
        whiten: from `whitening`.
        dtype: precision of the products; float32 halves the cost of a large cloud and is ample for
            distances, float64 (default) for tails compared with a chi-square law.
        threads: BLAS threads (default 1).

    Returns:
        float64 ndarray of shape (n,).
    """
    transform = (whiten.axes / whiten.scales).astype(dtype)
    mean = whiten.mean.astype(dtype)
    out = np.empty(len(points))
    with blas_threads(threads):
        for start in range(0, len(points), chunk_rows):
            w = (np.asarray(points[start : start + chunk_rows], dtype=dtype) - mean) @ transform
            out[start : start + len(w)] = np.einsum("ij,ij->i", w, w, dtype=np.float64)
    return out


def mahalanobis(points: np.ndarray, whiten: Whitening, *, threads: int | None = 1) -> np.ndarray:
    """Mahalanobis distances from the centre (float32 products), float64 ndarray of shape (n,)."""
    return np.sqrt(mahalanobis_sq(points, whiten, dtype=np.float32, threads=threads))


def principal_coordinates(z: np.ndarray, axes: PrincipalAxes, *, n_axes: int | None = None,
                          chunk_rows: int = CHUNK_ROWS, threads: int | None = 1) -> np.ndarray:
    """Coordinates of the points along the principal axes: (z - mean) @ V, in row chunks.

    Args:
        z: ndarray of shape (n_points, z_dim).
        n_axes: keep only the first n_axes coordinates (default: all).
        threads: BLAS threads (default 1, see `blas_threads`).

    Returns:
        float32 ndarray of shape (n_points, n_axes); float32 like the data, so the result is
        no bigger than z.
    """
    vectors = axes.eigenvectors[:, :n_axes]
    out = np.empty((len(z), vectors.shape[1]), dtype=np.float32)
    with blas_threads(threads):
        for start in range(0, len(z), chunk_rows):
            chunk = np.asarray(z[start : start + chunk_rows], dtype=np.float64) - axes.mean
            out[start : start + len(chunk)] = chunk @ vectors
    return out


def origin_in_frame(whiten: Whitening, axes: PrincipalAxes, distances: np.ndarray | None = None, *,
                    n_top: int = 5) -> dict:
    """Where the origin z = 0 lies in the principal frame centred on the cloud's mean.

    The centre sits at 0 in this frame by construction; the origin sits at -V^T mean.

    Args:
        whiten: the regularisation used for the distances.
        axes: from `principal_axes`.
        distances: Mahalanobis distances of all points (optional), for the share farther out.
        n_top: how many axes to list along which the origin is farthest in standard deviations
            (among the axes the regularisation keeps, in its scales: an empty direction has none).

    Returns:
        {"coordinates": list (z_dim,), "euclidean": |mean|, "mahalanobis": distance of the origin,
         "share_farther": share of points farther from the centre than the origin (None without
         distances), "top_axes": [{"axis", "coordinate", "sigmas"}, ...]}.
    """
    coords = -(axes.eigenvectors.T @ axes.mean)
    # the regularisation keeps a prefix of the axes (eigenvalues descend), so kept axis k is principal axis k
    sigmas = -(whiten.mean @ whiten.axes) / whiten.scales
    d_origin = float(np.sqrt(sigmas @ sigmas))
    order = np.argsort(-np.abs(sigmas), kind="stable")[:n_top]
    return {
        "coordinates": coords.tolist(),
        "euclidean": float(np.linalg.norm(axes.mean)),
        "mahalanobis": d_origin,
        "share_farther": None if distances is None else float(np.mean(np.asarray(distances) > d_origin)),
        "top_axes": [{"axis": int(k), "coordinate": float(coords[k]), "sigmas": float(sigmas[k])} for k in order],
    }


def sample_principal(axes: PrincipalAxes, n: int, rng: np.random.Generator, *,
                     n_axes: int | None = None) -> np.ndarray:
    """Vectors drawn from N(0, lambda_k) along each principal axis and mapped back to z.

    With all axes this is N(mean, covariance); with n_axes = m only the first m coordinates
    vary and the rest stay at 0 (the points lie in the principal m-plane through the centre).

    Returns:
        float64 ndarray of shape (n, z_dim).
    """
    m = len(axes.eigenvalues) if n_axes is None else int(n_axes)
    w = rng.standard_normal((n, m)) * np.sqrt(axes.eigenvalues[:m])
    return axes.mean + w @ axes.eigenvectors[:, :m].T


def chi_log_density(r: np.ndarray, dof: int) -> np.ndarray:
    """Log density of the chi law with dof degrees of freedom at r > 0."""
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return (dof - 1) * np.log(r) - r**2 / 2 - (dof / 2 - 1) * np.log(2.0) - gammaln(dof / 2)


def _truncated_chi(n: int, dof: int, low: float, high: float, rng: np.random.Generator,
                   grid: int) -> np.ndarray:
    """Radii from the chi law restricted to [low, high), by inverting its CDF on a grid.

    The density is tabulated in log space, so shells far inside the bulk (where the chi CDF of
    256 degrees of freedom underflows) are sampled as well as the bulk itself.
    """
    if not np.isfinite(high):
        # the chi law's mass beyond its mode + 40 is below e^-800: nothing is lost
        high = max(low, np.sqrt(dof)) + 40.0
    r = np.linspace(low, high, grid + 1)
    logf = chi_log_density(np.maximum(r, 1e-300), dof)
    f = np.exp(logf - logf.max())
    cdf = np.concatenate([[0.0], np.cumsum((f[1:] + f[:-1]) / 2)])
    cdf /= cdf[-1]
    u = rng.random(n)
    return np.interp(u, cdf, r)


def sample_shell(whiten: Whitening, n: int, rng: np.random.Generator, *, r_low: float, r_high: float,
                 radius: str = "chi", grid: int = 4096) -> np.ndarray:
    """Vectors whose Mahalanobis distance from the centre lies in [r_low, r_high).

    In the whitened frame, a direction is drawn uniformly on the unit sphere (a normalised
    standard normal) and a radius r in the shell, then z = mean + V diag(sqrt(lambda)) (r u).
    radius="chi" draws r from the chi law with `dof` degrees of freedom truncated to the shell,
    so the points are N(mean, covariance) conditioned on the shell; radius="uniform" draws r
    uniformly in [r_low, r_high) (more points near the inner edge than the normal would have).

    Args:
        whiten: from `whitening`; its dof sets the sphere's dimension.
        r_low, r_high: shell bounds in Mahalanobis units; r_high may be inf for radius="chi".
        radius: "chi" (default) or "uniform".
        grid: steps of the tabulated chi CDF (default 4096).

    Returns:
        float64 ndarray of shape (n, z_dim).
    """
    if not 0 <= r_low < r_high:
        raise ValueError(f"need 0 <= r_low < r_high, got [{r_low}, {r_high})")
    if radius == "chi":
        r = _truncated_chi(n, whiten.dof, r_low, r_high, rng, grid)
    elif radius == "uniform":
        if not np.isfinite(r_high):
            raise ValueError("radius='uniform' needs a finite r_high")
        r = rng.uniform(r_low, r_high, n)
    else:
        raise ValueError(f"radius must be 'chi' or 'uniform', got {radius!r}")
    u = rng.standard_normal((n, whiten.dof))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return whiten.mean + (u * r[:, None] * whiten.scales) @ whiten.axes.T
