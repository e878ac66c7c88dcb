"""The latent cloud as a multivariate normal: post VIII, step `normal_fit`.

Mean and full covariance in one streaming pass; Mahalanobis distances against the chi law;
per-component and multivariate normality tests; 1/2/3-sigma ellipses in chosen planes with the
share of points inside each; Gaussian mixtures chosen by BIC (and K = 10 as in RAE, Ghosh et al.
2020, arXiv 1903.12436) and sampling from them.

Arrays in, numbers, arrays or JSON-ready dicts out; anything random takes
`rng: numpy.random.Generator`. `z` has shape (n_points, z_dim) and is read in row chunks, so
no float64 copy of it is ever made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from scipy.special import gammaln

from report.stats._common import CHUNK_ROWS, centred_gram, check_z, sample_rows
from report.stats.principal import PrincipalAxes, Whitening, blas_threads, mahalanobis_sq  # noqa: F401 (post VIII's name)

# ---------------------------------------------------------------- mean, covariance, distances


def mean_and_covariance(z: np.ndarray, *, chunk_rows: int = CHUNK_ROWS, ddof: int = 1,
                        threads: int | None = 1) -> tuple[np.ndarray, np.ndarray]:
    """Mean and full covariance of the rows of z in one pass over row chunks.

    Sums and the Gram matrix accumulate in float64 around the first chunk's mean, so float32 data
    far from zero loses no digits; memory is O(chunk_rows * z_dim + z_dim**2).

    Args:
        z: ndarray of shape (n_points, z_dim), n_points > ddof.
        ddof: 1 (default) for the unbiased covariance, as numpy.cov.
        threads: BLAS threads (default 1, see `principal.blas_threads`).

    Returns:
        mean of shape (z_dim,) and covariance of shape (z_dim, z_dim), both float64.
    """
    check_z(z)
    n_points = z.shape[0]
    shift, sums, gram = centred_gram(z, chunk_rows, threads)
    offset = sums / n_points
    cov = (gram - n_points * np.outer(offset, offset)) / (n_points - ddof)
    return shift + offset, (cov + cov.T) / 2


def chi_moments(dof: int) -> tuple[float, float]:
    """Exact mean and standard deviation of the chi law with dof degrees of freedom.

    mean = sqrt(2) Gamma((dof + 1)/2) / Gamma(dof/2), variance = dof - mean^2; about
    sqrt(dof - 1/2) and 1/sqrt(2) for large dof.
    """
    mean = float(np.sqrt(2.0) * np.exp(gammaln((dof + 1) / 2) - gammaln(dof / 2)))
    return mean, float(np.sqrt(max(dof - mean**2, 0.0)))


def mahalanobis_summary(d2: np.ndarray, dof: int) -> dict:
    """Mean and std of the distances sqrt(d2) beside those of the chi law with dof degrees of freedom."""
    d = np.sqrt(np.asarray(d2, dtype=np.float64))
    expected_mean, expected_std = chi_moments(dof)
    return {"mean": float(d.mean()), "std": float(d.std()), "expected_mean": expected_mean,
            "expected_std": expected_std, "dof": int(dof)}


def chi2_qq(d2: np.ndarray, dof: int, *, n_quantiles: int = 200) -> dict:
    """QQ data of squared distances against chi-square(dof) at n_quantiles evenly spaced probabilities.

    Returns:
        {"probabilities", "observed", "expected"}: lists of n_quantiles floats; probabilities are
        (i + 0.5) / n_quantiles, so the curve is thin enough to plot for any number of points.
    """
    probabilities = (np.arange(n_quantiles) + 0.5) / n_quantiles
    return {
        "probabilities": probabilities.tolist(),
        "observed": np.quantile(np.asarray(d2, dtype=np.float64), probabilities).tolist(),
        "expected": sps.chi2.ppf(probabilities, dof).tolist(),
    }


# ---------------------------------------------------------------- normality tests


def component_normality(z: np.ndarray, rng: np.random.Generator, *, sample_size: int = 5000,
                        test: str = "dagostino", alpha: float = 0.01) -> dict:
    """Per-component univariate normality test on a random sample of rows.

    On 170,000 points any test rejects a deviation too small to see; a stated sample keeps the
    verdict about visible shape. Shapiro-Wilk's p-value is documented up to 5000 points.

    Args:
        z: ndarray of shape (n_points, z_dim).
        sample_size: rows drawn without replacement (default 5000; all if fewer).
        test: "dagostino" (scipy.stats.normaltest, D'Agostino-Pearson K^2, default) or "shapiro".
        alpha: significance level for the share rejected (default 0.01).

    Returns:
        {"test", "n_points", "alpha", "statistics", "p_values", "share_rejected"}; statistics and
        p_values are lists of z_dim floats (NaN for a constant component).
    """
    sample = np.asarray(z[sample_rows(len(z), sample_size, rng)], dtype=np.float64)
    if test == "dagostino":
        result = sps.normaltest(sample, axis=0)
        statistics, p_values, name = np.asarray(result.statistic), np.asarray(result.pvalue), "D'Agostino-Pearson"
    elif test == "shapiro":
        pairs = [sps.shapiro(col) if np.ptp(col) > 0 else (np.nan, np.nan) for col in sample.T]
        statistics, p_values = np.array(pairs, dtype=np.float64).T
        name = "Shapiro-Wilk"
    else:
        raise ValueError(f"test must be 'dagostino' or 'shapiro', got {test!r}")
    valid = np.isfinite(p_values)
    return {
        "test": name,
        "n_points": len(sample),
        "alpha": alpha,
        "statistics": statistics.tolist(),
        "p_values": p_values.tolist(),
        "share_rejected": float(np.mean(p_values[valid] < alpha)) if valid.any() else float("nan"),
    }


def henze_zirkler(x: np.ndarray, *, alpha: float = 0.01, chunk_rows: int = 2048) -> dict:
    """Henze-Zirkler test of multivariate normality (Henze & Zirkler 1990), as pingouin and R's MVN.

    With the sample whitened by its own (biased) covariance, y_j = S^{-1/2}(x_j - mean),
    D_jk = |y_j - y_k|^2, D_j = |y_j|^2 and beta = ((2p + 1) n / 4)^{1/(p + 4)} / sqrt(2):

        HZ = (1/n) sum_jk exp(-beta^2 D_jk / 2)
             - 2 (1 + beta^2)^{-p/2} sum_j exp(-beta^2 D_j / (2 (1 + beta^2)))
             + n (1 + 2 beta^2)^{-p/2}

    The p-value is the upper tail of a log-normal with HZ's asymptotic null mean and variance.
    HZ - 1 and the moments' distance from 1 are carried separately (log1p), because for p above
    ~40 both differ from 1 by less than float64 resolves; a singular sample covariance gives
    HZ = 4n (reject), as in pingouin. Pairwise terms are summed in row blocks.

    Note: with the formula's bandwidth, every pair term is ~exp(-beta^2 p) in high dimension and
    the test loses its power (at p = 256 its p-value is ~0.5 for a normal and a clustered cloud
    alike); apply it to a few principal coordinates (see `multivariate_normality`).

    Args:
        x: ndarray of shape (n, p), n > p >= 1.
        alpha: significance level of the `normal` flag (default 0.01).

    Returns:
        {"test", "n_points", "dims", "statistic", "p_value", "normal"}.
    """
    x = np.asarray(x, dtype=np.float64)
    n, p = x.shape
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / n)
    b2 = 0.5 * ((2 * p + 1) * n / 4) ** (2 / (p + 4))
    a = 1 + 2 * b2
    if values[0] <= 1e-12 * values[-1] or values[-1] <= 0:
        excess = 4.0 * n - 1  # singular: pingouin's and MVN's convention
    else:
        y = centred @ (vectors / np.sqrt(values))
        sq = np.einsum("ij,ij->i", y, y)
        pair_sum = 0.0  # sum over j != k; the n diagonal terms give exactly 1 after the 1/n
        for start in range(0, n, chunk_rows):
            block = y[start : start + chunk_rows]
            d = sq[start : start + len(block), None] + sq[None, :] - 2 * block @ y.T
            np.maximum(d, 0.0, out=d)
            d[np.arange(len(block)), start + np.arange(len(block))] = np.inf
            pair_sum += np.exp(-b2 / 2 * d).sum()
        excess = (pair_sum / n - 2 * (1 + b2) ** (-p / 2) * np.exp(-b2 / (2 * (1 + b2)) * sq).sum()
                  + n * a ** (-p / 2))
    wb = (1 + b2) * (1 + 3 * b2)
    mu_excess = -(a ** (-p / 2)) * (1 + p * b2 / a + p * (p + 2) * b2**2 / (2 * a**2))
    var = (2 * (1 + 4 * b2) ** (-p / 2)
           + 2 * a ** (-p) * (1 + 2 * p * b2**2 / a**2 + 3 * p * (p + 2) * b2**4 / (4 * a**4))
           - 4 * wb ** (-p / 2) * (1 + 3 * p * b2**2 / (2 * wb) + p * (p + 2) * b2**4 / (2 * wb**2)))
    mu = 1 + mu_excess
    log_ratio = np.log1p(var / mu**2)
    log_scale = np.log1p(mu_excess) - 0.5 * log_ratio  # log of mu^2 / sqrt(var + mu^2)
    p_value = float(sps.norm.sf((np.log1p(excess) - log_scale) / np.sqrt(log_ratio)))
    return {"test": "Henze-Zirkler", "n_points": int(n), "dims": int(p), "statistic": float(1 + excess),
            "p_value": p_value, "normal": bool(p_value > alpha)}


def multivariate_normality(z: np.ndarray, mean: np.ndarray, covariance: np.ndarray, rng: np.random.Generator, *,
                           sample_size: int = 2000, n_dims: int = 16, alpha: float = 0.01,
                           ddof: int = 1, threads: int | None = 1) -> dict:
    """Henze-Zirkler on the first n_dims principal coordinates of a random sample of rows.

    Every projection of a multivariate normal is normal, so rejecting in a principal subspace
    rejects the whole; clusters or skew large enough to matter show along the leading axes. The
    axes are taken from the covariance of the *other* rows (downdated from the full mean and
    covariance), so they do not depend on the tested sample: chosen on the sample itself, the
    leading axes of a round cloud would be the sample's own largest fluctuations, and the test
    would reject a true normal too often.

    Args:
        z: ndarray of shape (n_points, z_dim).
        mean, covariance: of all rows, from `mean_and_covariance` with the given ddof.
        sample_size: rows tested (default 2000), at most half of the rows.
        n_dims: leading principal coordinates tested (default 16; all if z_dim is smaller).
        alpha: significance level of the `normal` flag (default 0.01).
        threads: BLAS threads (default 1).

    Returns:
        `henze_zirkler`'s dict plus "axes_from": rows used for the axes.
    """
    with blas_threads(threads):
        return _multivariate_normality(z, mean, covariance, rng, sample_size, n_dims, alpha, ddof)


def _multivariate_normality(z, mean, covariance, rng, sample_size, n_dims, alpha, ddof) -> dict:
    n_points, z_dim = z.shape
    size = min(sample_size, n_points // 2)
    rows = sample_rows(n_points, size, rng)
    sample = np.asarray(z[rows], dtype=np.float64) - mean
    rest = n_points - size
    # the other rows, relative to the full mean: their sum is minus the sample's
    rest_offset = -sample.sum(axis=0) / rest
    rest_cov = ((n_points - ddof) * covariance - sample.T @ sample) / rest - np.outer(rest_offset, rest_offset)
    _values, vectors = np.linalg.eigh((rest_cov + rest_cov.T) / 2)
    leading = vectors[:, ::-1][:, : min(n_dims, z_dim)]
    result = henze_zirkler(sample @ leading, alpha=alpha)
    result["axes_from"] = int(rest)
    return result


def mardia(x: np.ndarray, *, chunk_rows: int = 2048, threads: int | None = 1) -> dict:
    """Mardia's multivariate skewness and kurtosis tests on a sample (Mardia 1970).

    b1 = (1/n^2) sum_jk (y_j . y_k)^3 and b2 = (1/n) sum_j |y_j|^4 with y whitened by the
    biased sample covariance; n b1 / 6 ~ chi-square(p (p + 1)(p + 2) / 6) and
    (b2 - p (p + 2)) / sqrt(8 p (p + 2) / n) ~ N(0, 1) under normality (large n).

    Returns:
        {"skewness", "skewness_p", "kurtosis", "kurtosis_z", "kurtosis_p", "n_points", "dims"}.
    """
    x = np.asarray(x, dtype=np.float64)
    n, p = x.shape
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / n)
    y = centred @ (vectors / np.sqrt(values))
    with blas_threads(threads):
        b1 = sum(((y[s : s + chunk_rows] @ y.T) ** 3).sum() for s in range(0, n, chunk_rows)) / n**2
    b2 = float(np.mean(np.einsum("ij,ij->i", y, y) ** 2))
    kz = (b2 - p * (p + 2)) / np.sqrt(8 * p * (p + 2) / n)
    return {"skewness": float(b1), "skewness_p": float(sps.chi2.sf(n * b1 / 6, p * (p + 1) * (p + 2) / 6)),
            "kurtosis": b2, "kurtosis_z": float(kz), "kurtosis_p": float(2 * sps.norm.sf(abs(kz))),
            "n_points": int(n), "dims": int(p)}


# ---------------------------------------------------------------- ellipses in planes


def plane_ellipses(z: np.ndarray, mean: np.ndarray, covariance: np.ndarray, i: int, j: int, *,
                   ks: Sequence[float] = (1, 2, 3), chunk_rows: int = 65536) -> dict:
    """Mahalanobis-k ellipses of the plane (i, j) and the share of points inside each.

    For a 2-D normal the mass inside the k-ellipse is exactly 1 - exp(-k^2 / 2)
    (39.3 / 86.5 / 98.9 % for k = 1 / 2 / 3). The ellipse has semi-axes k sqrt(lambda_1),
    k sqrt(lambda_2) (eigenvalues of the 2x2 covariance, descending) and its major axis at
    theta = atan2(2 C_ij, C_ii - C_jj) / 2 from component i's axis.

    Returns:
        {"i", "j", "centre": [2], "covariance": 2x2 list, "eigenvalues": [2], "angle" (radians),
         "angle_deg", "ellipses": [{"i", "j", "k", "semi_major", "semi_minor", "share",
         "expected_share"}, ...]}.
    """
    c = np.asarray(covariance, dtype=np.float64)[np.ix_([i, j], [i, j])]
    centre = np.asarray(mean, dtype=np.float64)[[i, j]]
    lam = np.linalg.eigvalsh(c)[::-1]
    theta = 0.5 * np.arctan2(2 * c[0, 1], c[0, 0] - c[1, 1])
    inverse = np.linalg.pinv(c, hermitian=True)
    d2 = np.empty(len(z))
    for start in range(0, len(z), chunk_rows):
        diff = np.asarray(z[start : start + chunk_rows][:, [i, j]], dtype=np.float64) - centre
        d2[start : start + len(diff)] = np.einsum("ij,jk,ik->i", diff, inverse, diff)
    ellipses = [{"i": int(i), "j": int(j), "k": float(k), "semi_major": float(k * np.sqrt(lam[0])),
                 "semi_minor": float(k * np.sqrt(max(lam[1], 0.0))), "share": float(np.mean(d2 <= k * k)),
                 "expected_share": float(-np.expm1(-k * k / 2))} for k in ks]
    return {"i": int(i), "j": int(j), "centre": centre.tolist(), "covariance": c.tolist(),
            "eigenvalues": lam.tolist(), "angle": float(theta), "angle_deg": float(np.degrees(theta)),
            "ellipses": ellipses}


def choose_planes(axes: PrincipalAxes, *, n_planes: int = 4, candidates: int = 4) -> list[dict]:
    """Planes (i, j) that see distinct principal directions.

    Rule: for principal axis a = 0, 1, ... the pair of components with the largest |loading| on
    a that no earlier plane used (pairs from a's `candidates` largest loadings, best loading
    product first); stop at n_planes. A plane's variance is shared among the principal axes as
    lambda_a (V_ia^2 + V_ja^2); `sees_axis` is the axis with the largest share and `sees_share`
    that share, so a post can say which direction each scatter shows.

    Returns:
        list of {"i", "j", "axis", "sees_axis", "sees_share"} (i < j).
    """
    vectors, values = axes.eigenvectors, axes.eigenvalues
    z_dim = len(values)
    used: set[tuple[int, int]] = set()
    planes = []
    for a in range(z_dim):
        if len(planes) == n_planes:
            break
        top = np.argsort(-np.abs(vectors[:, a]), kind="stable")[: max(candidates, 2)]
        pairs = sorted(((int(min(p, q)), int(max(p, q))) for n, p in enumerate(top) for q in top[n + 1 :]),
                       key=lambda pq: -abs(vectors[pq[0], a] * vectors[pq[1], a]))
        pair = next((pq for pq in pairs if pq not in used), None)
        if pair is None:
            continue
        used.add(pair)
        energy = values * (vectors[pair[0]] ** 2 + vectors[pair[1]] ** 2)
        sees = int(np.argmax(energy))
        planes.append({"i": pair[0], "j": pair[1], "axis": a, "sees_axis": sees,
                       "sees_share": float(energy[sees] / energy.sum())})
    return planes


# ---------------------------------------------------------------- Gaussian mixtures


@dataclass(frozen=True)
class MixtureFit:
    """Gaussian mixtures fitted in the leading principal coordinates.

    Attributes:
        axes: the principal axes; the models live in the first n_dims coordinates.
        n_dims: coordinates modelled; the others are drawn from N(0, lambda_k) when sampling.
        n_points: rows used for the fit.
        bic: {"1": value, ...} for each K of the range.
        best_k: K with the lowest BIC.
        models: {K: fitted sklearn GaussianMixture} for the range and the fixed K.
        fixed_k: the fixed K (10, as in RAE).
    """

    axes: PrincipalAxes
    n_dims: int
    n_points: int
    bic: dict[str, float]
    best_k: int
    models: dict
    fixed_k: int

    def summary(self) -> dict:
        """JSON-ready: {"bic", "best_k", "fixed_k", "n_points", "n_dims"}."""
        return {"bic": self.bic, "best_k": self.best_k, "fixed_k": self.fixed_k, "n_points": self.n_points,
                "n_dims": self.n_dims}


def fit_mixtures(z: np.ndarray, axes: PrincipalAxes, rng: np.random.Generator, *,
                 k_range: Sequence[int] = tuple(range(1, 9)), fixed_k: int = 10, sample_size: int = 20000,
                 n_dims: int | None = 16, max_iter: int = 200, n_init: int = 1,
                 reg_covar: float = 1e-6, threads: int | None = 1) -> MixtureFit:
    """Full-covariance Gaussian mixtures for each K in k_range (BIC) and for fixed_k.

    Fitted with scikit-learn's GaussianMixture(covariance_type="full") on the first n_dims
    principal coordinates of a random sample. Why not all 256 dimensions: one full covariance
    there has 32,896 parameters, so BIC's penalty outweighs any split the sample can show and
    always picks K = 1; the leading axes carry the large-scale structure that clusters make.

    Args:
        z: ndarray of shape (n_points, z_dim).
        axes: from `principal.principal_axes` of all rows.
        k_range: numbers of components compared by BIC (default 1..8).
        fixed_k: the fixed number fitted besides (default 10, as in RAE).
        sample_size: rows used (default 20,000; all if fewer).
        n_dims: leading principal coordinates modelled (default 16; None or >= z_dim: all).
        max_iter, n_init, reg_covar: passed to GaussianMixture (defaults 200, 1, 1e-6).
        threads: BLAS/OpenMP threads (default 1: 30x faster than 2 threads on busy cores).
    """
    from sklearn.mixture import GaussianMixture  # imported here: a slow import few callers need

    z_dim = z.shape[1]
    dims = z_dim if n_dims is None else min(n_dims, z_dim)
    rows = sample_rows(len(z), sample_size, rng)
    x = (np.asarray(z[rows], dtype=np.float64) - axes.mean) @ axes.eigenvectors[:, :dims]
    models, bic = {}, {}
    for k in sorted(set(k_range) | {fixed_k}):
        model = GaussianMixture(n_components=k, covariance_type="full", max_iter=max_iter, n_init=n_init,
                                reg_covar=reg_covar, random_state=int(rng.integers(2**31 - 1)))
        with blas_threads(threads):
            models[k] = model.fit(x)
        if k in k_range:
            bic[str(k)] = float(model.bic(x))
    best_k = int(min(bic, key=bic.get))
    return MixtureFit(axes, dims, len(rows), bic, best_k, models, fixed_k)


def sample_mixture(fit: MixtureFit, k: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Vectors from the fitted K-component mixture, mapped back to z.

    The first n_dims principal coordinates come from the mixture; the others, which the mixture
    does not model, from N(0, lambda_m) independently (so the sample keeps the cloud's variance
    there).

    Returns:
        z of shape (n, z_dim) float64 and the component label of each row, shape (n,).
    """
    model = fit.models[k]
    labels = rng.choice(len(model.weights_), size=n, p=model.weights_ / model.weights_.sum())
    chol = np.linalg.cholesky(model.covariances_)
    w = rng.standard_normal((n, fit.n_dims))
    coords = model.means_[labels] + np.einsum("nij,nj->ni", chol[labels], w)
    rest_values = fit.axes.eigenvalues[fit.n_dims :]
    rest = rng.standard_normal((n, len(rest_values))) * np.sqrt(rest_values)
    return fit.axes.mean + np.hstack([coords, rest]) @ fit.axes.eigenvectors.T, labels
