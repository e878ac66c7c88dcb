"""Whether an image's colours are where the real images keep theirs: a colour-layout plausibility.

The structure judge was trained on colour-jittered images so that colour is no cue to it, and
clarity reads the luminance alone; neither notices a face-like arrangement painted in
psychedelic colours (cyan skin, magenta and green blotches), which is what many decodes of
uniform latent vectors look like. This score does. Each image is reduced to its colour layout:
the CIELAB colour (L*, a*, b*; a perceptual space, one unit about one just noticeable
difference) of each cell of a grid x grid partition, seen from afar (its mean linear-light RGB).

The real reference images' layouts are described by a Gaussian mixture (full covariances, each
plus floor² on its diagonal), and an image's colour surprisal is minus the log density of its
layout under it: high for colours that do not go together as the real images' do (a mush of cyan,
magenta and green patches, each of them seen somewhere in some real image) and for one region in
a colour it never has (green skin on an otherwise plausible face). A single Gaussian would draw one
ellipsoid around real layouts; where the real images' backgrounds take every hue, as the synthetic
faces' do, that ellipsoid puts saturated magenta or purple backgrounds far out although real
images have them, and it reaches into the gaps between them where mush lies. The mixture's
components follow the real layouts where they are. How many components: `components`, fewer where
the reference set is small (each is fitted on at least `points_per_dimension` images per layout
dimension), down to one Gaussian.

So the score learns from the run's own training images where their skin, hair, clothes and
background colours sit and how they vary together, for any source: a greyscale data set makes
every colourful image implausible, a photo data set its own skin tones plausible. No colour is
hard-coded.

`fit_colour` calibrates the surprisal out of sample, by cross-fitting: the reference images are
cut into `folds` folds, a mixture is fitted to all but one fold and scores the images of that
fold, so that no image is scored by a model that saw it. The surprisal at a high `quantile` of
theirs scores 0.5, and their spread sets the logistic's width, as in report.facelike.clarity. A
new image's surprisal is the mean over the fold models. The colour plausibility is its score
divided by `typical`, the median of the reference images' own (out-of-sample) scores, and capped
at 1: colours at least as plausible as a typical real image's score 1, so that multiplying the
judge's probability by the plausibility leaves real faces as they were and only takes away from
images whose colours are less usual than most real images'. `colour_scores` is continuous in the
pixels (cell means are linear, the log density smooth, the logistic smooth), so near-identical
images get near-identical scores; cell means barely move under blur (a blur mostly moves colour
within a cell), so blur leaves the score nearly as it was and the clarity alone says how clear a
face is.

NumPy (and scikit-learn's GaussianMixture to fit): uint8 (or float in [0, 1]) RGB images in, float
arrays out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

# sRGB (D65) to CIE XYZ, and the D65 white point: the standard's constants.
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65_WHITE = np.array([0.95047, 1.0, 1.08883])
LAB_EPSILON = 6 / 29  # CIELAB's switch from the cube root to its linear segment near black


def _linearise(rgb: np.ndarray) -> np.ndarray:
    """sRGB values in [0, 1] to linear light (the sRGB transfer function undone)."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


# Linear light of each uint8 sRGB value; float32 (ample for cell means) keeps the look-up cheap.
UINT8_LINEAR = _linearise(np.arange(256) / 255.0).astype(np.float32)


def linear_rgb(images: np.ndarray) -> np.ndarray:
    """(..., 3) linear-light RGB in [0, 1] of sRGB images: uint8 values (float32), or floats in [0, 1] (float64)."""
    images = np.asarray(images)
    if images.shape[-1] != 3:
        raise ValueError(f"linear_rgb: expected RGB in the last axis, got shape {images.shape}")
    if images.dtype == np.uint8:
        return UINT8_LINEAR[images]
    return _linearise(images.astype(np.float64))


def linear_to_lab(linear: np.ndarray) -> np.ndarray:
    """float64 (..., 3) CIELAB (L* in [0, 100]) of linear-light RGB colours (..., 3)."""
    xyz = np.asarray(linear, dtype=np.float64) @ SRGB_TO_XYZ.T / D65_WHITE
    f = np.where(xyz > LAB_EPSILON ** 3, np.cbrt(np.maximum(xyz, 0)), xyz / (3 * LAB_EPSILON ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def srgb_to_lab(images: np.ndarray) -> np.ndarray:
    """float64 (..., 3) CIELAB (L* in [0, 100]) of sRGB images: uint8 values, or floats in [0, 1] if not uint8."""
    return linear_to_lab(linear_rgb(images))


def _cell_weights(size: int, grid: int) -> np.ndarray:
    """(grid, size): row g averages the pixels of the g-th of `grid` near-equal bands of `size` pixels."""
    edges = np.linspace(0, size, grid + 1).round().astype(int)
    weights = np.zeros((grid, size))
    for g in range(grid):
        weights[g, edges[g]:edges[g + 1]] = 1.0 / (edges[g + 1] - edges[g])
    return weights


def colour_layout(images: np.ndarray, grid: int) -> np.ndarray:
    """float64 (n, grid * grid * 3): the CIELAB colour of each cell of a grid x grid partition of each image.

    A cell's colour is that of its mean linear-light RGB (the colour the cell shows from afar, as a
    blur leaves it); cells are row-major, each holding (L*, a*, b*); the image size must be at least
    `grid`. Converting only the cell means to CIELAB keeps the cost at a few milliseconds per thousand images.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"colour_layout: expected RGB images (n, h, w, 3), got shape {images.shape}")
    n, height, width = images.shape[:3]
    if not 1 <= grid <= min(height, width):
        raise ValueError(f"colour_layout: grid {grid} must lie in [1, {min(height, width)}]")
    rows, columns = _cell_weights(height, grid), _cell_weights(width, grid)
    linear = linear_rgb(images)
    cells = np.einsum("gh,nhwc->ngwc", rows, linear, optimize=True)
    cells = np.einsum("ngwc,kw->ngkc", cells, columns, optimize=True)
    return linear_to_lab(cells).reshape(n, -1)


@dataclass(frozen=True)
class ColourReference:
    """The real images' colour layouts as Gaussian mixtures, one per fold, and where their own surprisals lie.

    Arrays are stacked over the `folds` fold models: `weights` (folds, k), `means` (folds, k, p) and
    `precision_cholesky` (folds, k, p, p), the lower-triangular factor L of each component's
    precision (covariance + floor² I)⁻¹ = L Lᵀ, with p = grid * grid * 3 and k the components used.
    `low`: the reference images' (out-of-sample) surprisal at `quantile`, which scores 0.5; `spread`:
    the standard deviation of their surprisals, the logistic's width.
    `floor`: the CIELAB difference added to every component's spread, so that a data set whose cells
    never vary in some channel (greyscale images' a*, b*) still has a finite density everywhere.
    """

    weights: np.ndarray
    means: np.ndarray
    precision_cholesky: np.ndarray
    low: float
    spread: float
    quantile: float
    grid: int
    floor: float
    n_fitted: int
    typical: float  # median over the reference images of their own (out-of-sample) score: scores 1

    @property
    def components(self) -> int:
        return int(self.weights.shape[1])

    @property
    def folds(self) -> int:
        return int(self.weights.shape[0])

    def summary(self) -> dict[str, object]:
        """The scalar part, JSON-ready: {"low", "spread", "quantile", "grid", "floor", "components", "folds",
        "n_fitted", "typical"}."""
        return {"low": self.low, "spread": self.spread, "quantile": self.quantile, "grid": self.grid,
                "floor": self.floor, "components": self.components, "folds": self.folds, "n_fitted": self.n_fitted,
                "typical": self.typical}


def mixture_log_density(x: np.ndarray, weights: np.ndarray, means: np.ndarray,
                        precision_cholesky: np.ndarray) -> np.ndarray:
    """float (n,): log density of rows x (n, p) under the Gaussian mixture (weights (k,), means (k, p),
    precision Cholesky factors (k, p, p) with precision = L Lᵀ)."""
    x = np.asarray(x, dtype=np.float64)
    p = x.shape[1]
    whitened = np.matmul(x[None], precision_cholesky) - np.matmul(means[:, None], precision_cholesky)
    log_det = np.log(np.diagonal(precision_cholesky, axis1=1, axis2=2)).sum(axis=1)
    per_component = (np.log(weights) + log_det)[:, None] - 0.5 * (p * np.log(2 * np.pi) + (whitened ** 2).sum(axis=2))
    return logsumexp(per_component, axis=0)


def fit_mixture(x: np.ndarray, components: int, floor: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, means, precision Cholesky factors) of a Gaussian mixture fitted to rows x (n, p) by EM
    (scikit-learn, k-means start, full covariances plus floor² I)."""
    from sklearn.mixture import GaussianMixture

    mixture = GaussianMixture(components, covariance_type="full", reg_covar=floor ** 2, random_state=seed).fit(x)
    return mixture.weights_, mixture.means_, mixture.precisions_cholesky_


def usable_components(n_images: int, p: int, components: int, folds: int, points_per_dimension: float) -> int:
    """Components a fold model can afford: each fitted on at least points_per_dimension x p of the images it sees."""
    seen = n_images - math.ceil(n_images / folds)  # the images a fold model is fitted on, at the fewest
    return int(max(1, min(components, seen // max(1, round(points_per_dimension * p)))))


def fit_colour(real_images: np.ndarray, grid: int, quantile: float, floor: float, *, components: int, folds: int,
               points_per_dimension: float, seed: int) -> ColourReference:
    """The colour reference of real images (n, s, s, 3): see the module."""
    if not 0 < quantile < 1:
        raise ValueError(f"fit_colour: quantile must lie in (0, 1), got {quantile}")
    if floor <= 0:
        raise ValueError(f"fit_colour: floor must be positive, got {floor}")
    layouts = colour_layout(real_images, grid)
    n, p = layouts.shape
    if not 2 <= folds <= n // 2:
        raise ValueError(f"fit_colour: folds must lie in [2, {n // 2}] for {n} images, got {folds}")
    k = usable_components(n, p, components, folds, points_per_dimension)
    fold_of = np.random.default_rng(seed).permutation(n) % folds
    surprisal = np.empty(n)
    models = []
    for fold in range(folds):
        model = fit_mixture(layouts[fold_of != fold], k, floor, seed + fold)
        surprisal[fold_of == fold] = -mixture_log_density(layouts[fold_of == fold], *model)
        models.append(model)
    low, spread = float(np.quantile(surprisal, quantile)), float(max(surprisal.std(), np.finfo(float).eps))
    typical = float(np.median(_logistic(surprisal, low, spread)))
    weights, means, cholesky = (np.stack(part) for part in zip(*models, strict=True))
    return ColourReference(weights, means, cholesky, low, spread, quantile, grid, floor, n, typical)


def colour_surprisal(images: np.ndarray, reference: ColourReference) -> np.ndarray:
    """float (n,): minus the log density of each image's colour layout, the mean over the reference's fold models."""
    layouts = colour_layout(images, reference.grid)
    return -np.mean([mixture_log_density(layouts, *model) for model in
                     zip(reference.weights, reference.means, reference.precision_cholesky, strict=True)], axis=0)


def _logistic(surprisal: np.ndarray, low: float, spread: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(np.clip((surprisal - low) / spread, -700, 700)))


def colour_scores(images: np.ndarray, reference: ColourReference) -> np.ndarray:
    """float (n,) in (0, 1]: colour plausibility, min(1, the surprisal's logistic score / typical)."""
    raw = _logistic(colour_surprisal(images, reference), reference.low, reference.spread)
    return np.minimum(1.0, raw / reference.typical)
