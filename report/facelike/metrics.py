"""Scores of generated images in a feature space: manifold membership, realism, PRDC, FD and KID.

All functions take feature arrays, one row per image, and are pure NumPy/SciPy/scikit-learn:

- k-NN manifold of the real set: a ball around each real point reaching its k-th nearest real
  neighbour. A fake point inside any ball lies on the real manifold (Kynkäänniemi, Karras, Laine,
  Lehtinen, Aila, "Improved precision and recall metric for assessing generative models", NeurIPS
  2019, arXiv 1904.06991); the same paper's realism score grades each fake point.
- Precision, recall, density and coverage (Naeem, Oh, Uh, Choi, Yoo, "Reliable fidelity and
  diversity metrics for generative models", ICML 2020, arXiv 2002.09797), with the formulas of
  their `prdc` package.
- Fréchet distance between Gaussians fitted to both sets (the FID formula, in our feature space).
- Kernel distance: unbiased MMD² with the cubic polynomial kernel (Bińkowski, Sutherland, Arbel,
  Gretton, "Demystifying MMD GANs", ICLR 2018, arXiv 1801.01401).

Distances are computed in blocks of rows, so memory stays at about chunk_rows x n_other floats
whatever the set sizes. k = 5 follows Naeem et al.; Kynkäänniemi et al. used k = 3.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator

import numpy as np
import scipy.linalg
from sklearn.metrics.pairwise import euclidean_distances

log = logging.getLogger(__name__)

NEAREST_K = 5  # neighbourhood size of the k-NN balls (Naeem et al.'s default)
CHUNK_ROWS = 1024  # rows per block of pairwise distances: 1024 x 10,000 float64 is 80 MB
REALISM_PERCENTILE = 50.0  # Kynkäänniemi et al. drop the balls with radius above the median
FRECHET_EPS = 1e-6  # diagonal offset added to both covariances when sqrtm fails on them


def _as_features(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"{name}: expected a non-empty array (n_points, n_features), got shape {x.shape}")
    return x


def _distance_blocks(rows: np.ndarray, columns: np.ndarray, chunk_rows: int) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield (row slice, Euclidean distances of those rows to every column point)."""
    for start in range(0, len(rows), chunk_rows):
        block = slice(start, min(start + chunk_rows, len(rows)))
        yield block, euclidean_distances(rows[block], columns)


def knn_radii(features: np.ndarray, k: int = NEAREST_K, *, chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
    """Distance of each point to its k-th nearest neighbour in the same set, itself excluded.

    Args:
        features: ndarray (n_points, n_features), n_points > k.
        k: Neighbourhood size.

    Returns:
        ndarray (n_points,), the radii of the k-NN balls.
    """
    features = _as_features(features, "features")
    if not 1 <= k < len(features):
        raise ValueError(f"k = {k} needs at least k + 1 = {k + 1} points, got {len(features)}")
    # The (k + 1)-th smallest distance counts the point itself (at 0) as the first. The same
    # distance function as the membership tests, so a neighbour lands exactly on the surface.
    radii = np.empty(len(features))
    for block, distances in _distance_blocks(features, features, chunk_rows):
        radii[block] = np.partition(distances, k, axis=1)[:, k]
    return radii


def manifold_membership(
    real: np.ndarray,
    fake: np.ndarray,
    k: int = NEAREST_K,
    *,
    real_radii: np.ndarray | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> np.ndarray:
    """Whether each fake point lies inside the k-NN ball of some real point (Kynkäänniemi et al.).

    A point exactly on a ball's surface counts as inside, as in the paper's code.

    Args:
        real: ndarray (n_real, n_features), the reference set.
        fake: ndarray (n_fake, n_features), the points to judge.
        k: Neighbourhood size of the real balls (default 5; the paper used 3).
        real_radii: `knn_radii(real, k)` if already computed (it costs n_real² distances).

    Returns:
        bool ndarray (n_fake,); its mean is the k-NN precision.
    """
    real, fake = _as_features(real, "real"), _as_features(fake, "fake")
    radii = knn_radii(real, k, chunk_rows=chunk_rows) if real_radii is None else real_radii
    inside = np.zeros(len(fake), dtype=bool)
    for block, distances in _distance_blocks(fake, real, chunk_rows):
        inside[block] = (distances <= radii).any(axis=1)
    return inside


def realism_score(
    real: np.ndarray,
    fake: np.ndarray,
    k: int = NEAREST_K,
    *,
    percentile: float = REALISM_PERCENTILE,
    real_radii: np.ndarray | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> np.ndarray:
    """Realism score of each fake point: max over real points of radius / distance (Kynkäänniemi et al.).

    R(f) = max_r ||r - NN_k(r)|| / ||f - r||. R >= 1 exactly when f lies inside some ball, and it
    grows as f approaches the centre of a tight ball. As in the paper, the balls with radius above
    the given percentile (the median) are dropped first, so the few huge balls of outlying real
    points cannot make anything look real. Unlike the authors' code, which divides squared
    distances (its score is the square of this one), this follows the paper's formula; the
    threshold 1 is the same in both.

    Args:
        real: ndarray (n_real, n_features), the reference set.
        fake: ndarray (n_fake, n_features).
        k: Neighbourhood size of the real balls (default 5; the paper used 3).
        percentile: Balls with radius above this percentile of the radii are dropped (default 50).
        real_radii: `knn_radii(real, k)` if already computed (it costs n_real² distances).

    Returns:
        float ndarray (n_fake,), >= 0; inf for a point on a kept real point.
    """
    real, fake = _as_features(real, "real"), _as_features(fake, "fake")
    radii = knn_radii(real, k, chunk_rows=chunk_rows) if real_radii is None else np.asarray(real_radii, dtype=float)
    kept = radii <= np.percentile(radii, percentile)
    real, radii = real[kept], radii[kept]
    scores = np.empty(len(fake))
    with np.errstate(divide="ignore", invalid="ignore"):
        for block, distances in _distance_blocks(fake, real, chunk_rows):
            ratio = radii / distances
            ratio[(distances == 0) & (radii == 0)] = 1.0  # a duplicate real point: on the surface
            scores[block] = ratio.max(axis=1)
    return scores


def prdc(
    real: np.ndarray,
    fake: np.ndarray,
    k: int = NEAREST_K,
    *,
    real_radii: np.ndarray | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, float]:
    """Precision, recall, density and coverage of a fake set against a real one (Naeem et al. 2020).

    The formulas of the `prdc` package, with strict inequalities as there:
    precision: share of fake points inside some real k-NN ball;
    recall: share of real points inside some fake k-NN ball;
    density: mean number of real balls holding a fake point, divided by k (about 1 for a fake set
    drawn like the real one, above 1 where fakes crowd into dense real regions);
    coverage: share of real balls holding at least one fake point.

    Args:
        real: ndarray (n_real, n_features), n_real > k.
        fake: ndarray (n_fake, n_features), n_fake > k.
        k: Neighbourhood size (default 5, as in the paper).
        real_radii: `knn_radii(real, k)` if already computed (it costs n_real² distances).

    Returns:
        {"precision", "recall", "density", "coverage"} as floats.
    """
    real, fake = _as_features(real, "real"), _as_features(fake, "fake")
    if real_radii is None:
        real_radii = knn_radii(real, k, chunk_rows=chunk_rows)
    fake_radii = knn_radii(fake, k, chunk_rows=chunk_rows)
    balls_holding = np.zeros(len(fake), dtype=np.int64)  # per fake point, real balls around it
    real_recalled = np.zeros(len(real), dtype=bool)  # per real point, inside some fake ball
    nearest_fake = np.full(len(real), np.inf)  # per real point, distance to the nearest fake one
    for block, distances in _distance_blocks(fake, real, chunk_rows):  # (fake rows, real columns)
        balls_holding[block] = (distances < real_radii).sum(axis=1)
        real_recalled |= (distances < fake_radii[block, None]).any(axis=0)
        np.minimum(nearest_fake, distances.min(axis=0), out=nearest_fake)
    return {
        "precision": float((balls_holding > 0).mean()),
        "recall": float(real_recalled.mean()),
        "density": float(balls_holding.mean() / k),
        "coverage": float((nearest_fake < real_radii).mean()),
    }


def coverage(real: np.ndarray, fake: np.ndarray, real_radii: np.ndarray, *, chunk_rows: int = CHUNK_ROWS) -> float:
    """Share of real k-NN balls (radii `real_radii`) holding at least one fake point, strictly inside.

    PRDC's coverage (Naeem et al. 2020) for any number of fake points: 0 for an empty fake set.
    """
    real = _as_features(real, "real")
    fake = np.asarray(fake, dtype=np.float64).reshape(-1, real.shape[1])
    if not len(fake):
        return 0.0
    nearest_fake = np.full(len(real), np.inf)
    for _, distances in _distance_blocks(fake, real, chunk_rows):
        np.minimum(nearest_fake, distances.min(axis=0), out=nearest_fake)
    return float((nearest_fake < np.asarray(real_radii)).mean())


def balls_reached(real: np.ndarray, fake: np.ndarray, real_radii: np.ndarray, *,
                  chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
    """bool (n_real, n_fake): [r, f] when fake point f lies strictly inside real point r's k-NN ball.

    The matrix behind `coverage` (its rows' `any`), kept whole so that the coverage's interval
    can resample the fake points (`report.stats.coverage`).
    """
    real = _as_features(real, "real")
    fake = np.asarray(fake, dtype=np.float64).reshape(-1, real.shape[1])
    reached = np.zeros((len(real), len(fake)), dtype=bool)
    if len(fake):
        for block, distances in _distance_blocks(fake, real, chunk_rows):
            reached[:, block] = (distances < np.asarray(real_radii)).T
    return reached


def _quiet_sqrtm(matrix: np.ndarray) -> np.ndarray:
    # Singular covariances (fewer points than features, dead units) are routine here and make
    # sqrtm warn; its root is still accurate (tested against eigenvalues), and frechet_distance
    # deals with non-finite or complex results itself.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        return scipy.linalg.sqrtm(matrix)


def frechet_distance(real: np.ndarray, fake: np.ndarray, *, eps: float = FRECHET_EPS) -> float:
    """Fréchet distance between Gaussians fitted to two sets: the FID formula in any feature space.

    d² = ||mu_r - mu_f||² + tr(S_r + S_f - 2 (S_r S_f)^(1/2)), with sample means and covariances
    (ddof 1). The matrix square root is scipy.linalg.sqrtm, handled as in pytorch-fid: if it is
    not finite (near-singular covariances, e.g. fewer points than features), eps is added to both
    diagonals and it is taken again; a complex result from round-off is replaced by its real
    part, but an imaginary diagonal above 1e-3 raises. The estimate is biased upwards for small
    sets, so compare sets of equal size.

    Args:
        real, fake: ndarrays (n, n_features) with n >= 2.
        eps: Diagonal offset for the retry (default 1e-6; features are standardised, so ~unit scale).

    Returns:
        The squared distance d² (as FID reports it), >= 0 up to round-off.
    """
    real, fake = _as_features(real, "real"), _as_features(fake, "fake")
    mu_real, mu_fake = real.mean(axis=0), fake.mean(axis=0)
    cov_real = np.atleast_2d(np.cov(real, rowvar=False))
    cov_fake = np.atleast_2d(np.cov(fake, rowvar=False))
    covmean = _quiet_sqrtm(cov_real @ cov_fake)
    if not np.isfinite(covmean).all():
        log.warning("frechet_distance: sqrtm not finite, adding %g to the covariance diagonals", eps)
        offset = eps * np.eye(len(cov_real))
        covmean = _quiet_sqrtm((cov_real + offset) @ (cov_fake + offset))
    if np.iscomplexobj(covmean):
        largest = np.abs(np.diagonal(covmean).imag).max()
        if largest > 1e-3:
            raise ValueError(f"frechet_distance: sqrtm has an imaginary diagonal part of {largest:.3g}")
        covmean = covmean.real
    diff = mu_real - mu_fake
    return float(diff @ diff + np.trace(cov_real) + np.trace(cov_fake) - 2.0 * np.trace(covmean))


def _polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # KID's kernel: k(x, y) = (x . y / d + 1)^3.
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² between two sets under the cubic polynomial kernel (one KID subset).

    Within-set sums leave out the diagonal (m(m-1) terms); the cross term averages all m_x m_y
    pairs, as in Bińkowski et al.'s code. The estimate can be negative when the sets match.
    """
    m, n = len(x), len(y)
    k_xx, k_yy, k_xy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def kernel_inception_distance(
    real: np.ndarray,
    fake: np.ndarray,
    n_subsets: int,
    subset_size: int,
    seed: int = 0,
) -> dict[str, float]:
    """KID: unbiased polynomial-kernel MMD², averaged over random subsets (Bińkowski et al. 2018).

    Each subset draws min(subset_size, n_real, n_fake) points of each set without replacement.
    Unlike the Fréchet distance it is unbiased for any set size, so small sets compare fairly.

    Args:
        real, fake: ndarrays (n, n_features) with n >= 2.
        n_subsets: Subsets averaged (analysis.face_measure.kid_subsets).
        subset_size: Points per subset (analysis.face_measure.kid_subset_size).
        seed: Seeds the numpy Generator that draws the subsets.

    Returns:
        {"mean", "std"}: mean and standard deviation of MMD² over the subsets.
    """
    real, fake = _as_features(real, "real"), _as_features(fake, "fake")
    size = min(subset_size, len(real), len(fake))
    if size < 2:
        raise ValueError(f"kernel_inception_distance needs 2 points per set, got {len(real)} and {len(fake)}")
    rng = np.random.default_rng(seed)
    values = np.array(
        [
            unbiased_mmd2(
                real[rng.choice(len(real), size, replace=False)], fake[rng.choice(len(fake), size, replace=False)]
            )
            for _ in range(n_subsets)
        ]
    )
    return {"mean": float(values.mean()), "std": float(values.std())}
