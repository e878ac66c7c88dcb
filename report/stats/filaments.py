"""Filaments or a normal cloud? Null samples, a two-sample test and the rules of the verdict.

- `normal_null(axes, n, rng)`: n points of the fitted N(mu, Sigma) (post VIII's fit).
- `permuted_null(z, axes, rng)`: the principal scores of the points with each column permuted on
  its own, mapped back to z: every principal marginal kept, every dependence between them destroyed.
- `plane_normal(variances, n, rng)`: n points of the fitted normal projected on a principal plane:
  independent normal coordinates with the two axes' variances, centred at 0.
- `plane_normal_window(variances, n, half_width, most, rng)`: the points of such a draw that fall into
  the square [-h, h]^2, at most `most` of them drawn at random, without drawing the rest.
- `knn_two_sample(x, y, k, permutations, rng)`: Schilling's (1986) k-nearest-neighbour test (Henze
  1988): the share of neighbour pairs in the pooled sample whose two points come from the same
  sample; its p-value is the share of label permutations giving a share at least as high.
- `axis_ks(a, b)`: two-sample Kolmogorov-Smirnov test of every column.
- `window_half_widths(largest, smallest, n)`: n square windows from the cloud's width down to the
  smallest, in equal ratios.
- `verdict_size(data, null)`: the sample size whose data-to-normal dimension ratio is lowest, the scale
  the verdict reads (noise below the neighbour distances of a subsample does not raise its dimension).
- `verdict(...)`: "filaments", "thin-manifold" or "like-normal" from the stated rules.

Arrays in, numbers out; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from scipy import special, stats

from report.stats.intrinsic import knn_distances
from report.stats.principal import PrincipalAxes, sample_principal

Verdict = Literal["filaments", "thin-manifold", "like-normal"]


def normal_null(axes: PrincipalAxes, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points (n, z_dim) drawn from N(mean, covariance) of the principal axes."""
    return sample_principal(axes, n, rng)


def permuted_null(z: np.ndarray, axes: PrincipalAxes, rng: np.random.Generator) -> np.ndarray:
    """The points' principal scores, each column permuted independently, mapped back to z (n, z_dim)."""
    scores = (np.asarray(z, dtype=np.float64) - axes.mean) @ axes.eigenvectors
    permuted = np.column_stack([rng.permutation(column) for column in scores.T])
    return axes.mean + permuted @ axes.eigenvectors.T


def plane_normal(variances: tuple[float, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """n points (n, 2) of N(mu, Sigma) on the plane of two principal axes, in principal coordinates: the
    projection of a full draw, whose coordinates along orthonormal eigenvectors are independent."""
    return rng.standard_normal((n, 2)) * np.sqrt(np.clip(np.asarray(variances, dtype=np.float64), 0.0, None))


def plane_normal_window(variances: tuple[float, float], n: int, half_width: float, most: int,
                        rng: np.random.Generator) -> np.ndarray:
    """What `plane_normal(variances, n, rng)` cut to [-h, h]^2 and thinned to at most `most` points gives,
    in distribution, at a cost of `most` draws: the count inside is Binomial(n, P(inside)), and the points
    inside are independent, each coordinate a normal truncated to [-h, h] (inverse-CDF draws)."""
    sds = np.sqrt(np.clip(np.asarray(variances, dtype=np.float64), 0.0, None))
    edge = special.ndtr(half_width / np.maximum(sds, np.finfo(float).tiny))  # P(x <= h) per axis
    inside = float(np.prod(2 * edge - 1))
    count = min(int(rng.binomial(n, min(max(inside, 0.0), 1.0))), most)
    u = rng.uniform(1 - edge, edge, (count, 2))
    return np.clip(special.ndtri(u) * sds, -half_width, half_width)


def same_sample_share(neighbours: np.ndarray, labels: np.ndarray) -> float:
    """Share of (point, neighbour) pairs whose labels agree; neighbours (n, k) are row indices."""
    return float(np.mean(labels[neighbours] == labels[:, None]))


def knn_two_sample(x: np.ndarray, y: np.ndarray, k: int, permutations: int, rng: np.random.Generator) -> dict:
    """Schilling's k-NN two-sample test of x (n, d) against y (m, d).

    Returns:
        {"statistic": the same-sample share, "expected": its mean under the permutations,
         "z_score": (statistic - expected) / permutation sd, "p_value": (1 + #{T* >= T}) / (1 + B)}.
    """
    pooled = np.concatenate([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)])
    labels = np.repeat([0, 1], [len(x), len(y)])
    _, neighbours = knn_distances(pooled, k)
    observed = same_sample_share(neighbours, labels)
    draws = np.array([same_sample_share(neighbours, rng.permutation(labels)) for _ in range(permutations)])
    sd = float(draws.std())
    return {"statistic": observed, "expected": float(draws.mean()),
            "z_score": (observed - float(draws.mean())) / sd if sd > 0 else 0.0,
            "p_value": float((1 + np.sum(draws >= observed)) / (1 + permutations))}


def axis_ks(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KS statistic and p-value of every column of a (n, d) against the same column of b (m, d)."""
    result = stats.ks_2samp(np.asarray(a), np.asarray(b), axis=0)
    return np.atleast_1d(result.statistic), np.atleast_1d(result.pvalue)


def window_half_widths(largest: float, smallest: float, n: int) -> list[float]:
    """n half-widths from `largest` down to `smallest` in equal ratios (one window: the largest)."""
    if n == 1 or largest <= smallest:
        return [float(largest)]
    return [float(v) for v in np.geomspace(largest, smallest, n)]


def verdict_size(data: Mapping[int, float], null: Mapping[int, float]) -> int:
    """The size (a key of both) at which data[size] / null[size] is lowest; the larger size on ties.

    The data's and the normal sample's dimensions are estimated on subsamples of the same sizes; a
    smaller sample has longer neighbour distances, a coarser scale. A curve with noise is
    high-dimensional below the noise's scale and one-dimensional above it; a normal is equally
    underestimated in both samples, so the ratio stays near 1 at every size.
    """
    sizes = sorted(set(data) & set(null), reverse=True)
    if not sizes:
        raise ValueError("no sample size has both dimensions")
    return min(sizes, key=lambda size: data[size] / null[size] if null[size] > 0 else float("inf"))


def verdict(id_data: float, id_null: float, two_sample_p: float, *, dimensions_apart: bool, alpha: float,
            filament_max_dimension: float, thin_max_dimension: float, thin_max_ratio: float) -> Verdict:
    """The rules, in order:

    1. the two-sample test does not reject at `alpha`: "like-normal" (not told apart from the normal);
    2. the data's local dimension is at most `filament_max_dimension`: "filaments" (near 1);
    3. it is at most `thin_max_dimension`, at most `thin_max_ratio` x the normal sample's, and the two
       dimensions' intervals do not overlap (`dimensions_apart`): "thin-manifold";
    4. otherwise "like-normal": the clouds differ, but the points lie neither on curves nor on a few dimensions.
    """
    if two_sample_p >= alpha:
        return "like-normal"
    if id_data <= filament_max_dimension:
        return "filaments"
    if id_data <= thin_max_dimension and id_data <= thin_max_ratio * id_null and dimensions_apart:
        return "thin-manifold"
    return "like-normal"


def tsne_embedding(x: np.ndarray, *, perplexity: float, exaggeration_iter: int, n_iter: int, min_intervals: int,
                   ints_in_interval: float, seed: int, threads: int = 1, neighbors: str = "exact",
                   pca_dims: int | None = None) -> np.ndarray:
    """openTSNE embedding (n, 2) of x (n, d): FFT-accelerated interpolation, PCA initialisation, learning
    rate n / 12 (Belkina et al. 2019).

    neighbors: openTSNE's k-NN method, "exact" (small sets) or "annoy" (approximate, for large ones).
    pca_dims: project x on its first this many principal components before the neighbour search (the
    usual 50 keeps the affinities and costs a fraction of the time); None keeps every component.
    """
    from openTSNE import TSNE

    x = np.asarray(x, dtype=np.float64)
    if pca_dims is not None and pca_dims < x.shape[1]:
        x = principal_coordinates(x, pca_dims)
    perplexity = min(perplexity, (len(x) - 1) / 3)
    model = TSNE(n_components=2, perplexity=perplexity, learning_rate=max(len(x) / 12, 1.0),
                 early_exaggeration_iter=exaggeration_iter, n_iter=n_iter, initialization="pca",
                 negative_gradient_method="fft", min_num_intervals=min_intervals, ints_in_interval=ints_in_interval,
                 neighbors=neighbors, n_jobs=threads, random_state=seed, verbose=False)
    return np.asarray(model.fit(x))


def principal_coordinates(x: np.ndarray, m: int) -> np.ndarray:
    """The coordinates (n, m) of x (n, d) on its own first m principal axes (eigenvectors of its covariance)."""
    centred = np.asarray(x, dtype=np.float64) - np.mean(x, axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    return centred @ vectors[:, np.argsort(values)[::-1][:m]]
