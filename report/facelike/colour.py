"""Whether an image's colours are where the real images keep theirs: a colour-layout plausibility.

The structure judge was trained on colour-jittered images so that colour is no cue to it, and
clarity reads the luminance alone; neither notices a face-like arrangement painted in
psychedelic colours (cyan skin, magenta and green blotches), which is what many decodes of
uniform latent vectors look like. This score does. Each image is reduced to its colour layout:
the CIELAB colour (L*, a*, b*; a perceptual space, one unit about one just noticeable
difference) of each cell of a grid x grid partition, seen from afar (its mean linear-light RGB).
The real reference images' layouts give a mean and covariances, and two squared Mahalanobis
distances from them (MEASURES):

- `layout`: of the whole layout under its joint covariance: colours that do not go together as
  the real images' do (a mush of cyan, magenta and green patches, each of them seen somewhere in
  some real image);
- `cell`: the largest over the cells of each cell's colour under that cell's own covariance: one
  region in a colour it never has (green or blue skin on an otherwise plausible face), which the
  joint distance dilutes among its many dimensions.

So the score learns from the run's own training images where their skin, hair, clothes and
background colours sit and how they vary together, for any source: a greyscale data set makes
every colourful image implausible, a photo data set its own skin tones plausible. No colour is
hard-coded.

`fit_colour` calibrates each distance on the reference images themselves, each measured against
the others (leave-one-out, exact by Sherman-Morrison, so a small reference set is not flattered):
the distance at a high `quantile` of theirs scores 0.5, and the spread of their log distances
sets the logistic's width, as in report.facelike.clarity. The colour plausibility is the smaller
of the two scores divided by `typical`, the median of the reference images' own (leave-one-out)
smaller scores, and capped at 1: colours at least as plausible as a typical real image's score 1,
so that multiplying the judge's probability by the plausibility leaves real faces as they were
and only takes away from images whose colours are less usual than most real images'. `colour_scores` is continuous in the pixels (cell means are linear, the
distances quadratic, a maximum and a minimum of them Lipschitz, the logistic smooth), so
near-identical images get near-identical scores; cell means barely move under blur (a blur
mostly moves colour within a cell), so blur leaves the score nearly as it was and the clarity
alone says how clear a face is.

Pure NumPy: uint8 (or float in [0, 1]) RGB images in, float arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# sRGB (D65) to CIE XYZ, and the D65 white point: the standard's constants.
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65_WHITE = np.array([0.95047, 1.0, 1.08883])
LAB_EPSILON = 6 / 29  # CIELAB's switch from the cube root to its linear segment near black
MEASURES = ("layout", "cell")  # the two colour distances, in the order of ColourReference's low and spread


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
    """The real images' colour layouts: their mean and precisions, and where their own distances lie.

    `low` (2,): per MEASURES, log of the reference images' squared distance at `quantile`
    (leave-one-out), which scores 0.5; `spread` (2,): the standard deviation of their log squared
    distances, the logistic's width.
    `floor`: the CIELAB difference added to every cell's spread (its square on the covariance's
    diagonal), so that a data set whose cells never vary in some channel (greyscale images' a*, b*)
    still has a finite distance.
    """

    mean: np.ndarray  # (p,), p = grid * grid * 3
    precision: np.ndarray  # (p, p): inverse of the layout's covariance plus floor² I
    cell_precision: np.ndarray  # (grid * grid, 3, 3): inverse of each cell's colour covariance plus floor² I
    low: np.ndarray
    spread: np.ndarray
    quantile: float
    grid: int
    floor: float
    n_fitted: int
    typical: float  # median over the reference images of their own smaller score (leave-one-out): scores 1

    def summary(self) -> dict[str, object]:
        """The scalar part, JSON-ready: {"layout": {"low", "spread"}, "cell": {...}, "quantile", "grid", "floor",
        "n_fitted", "typical"}."""
        return {**{name: {"low": float(self.low[i]), "spread": float(self.spread[i])} for i, name in enumerate(MEASURES)},
                "quantile": self.quantile, "grid": self.grid, "floor": self.floor, "n_fitted": self.n_fitted,
                "typical": self.typical}


def leave_one_out_distances(layouts: np.ndarray, floor: float) -> np.ndarray:
    """float (n,): each row's squared Mahalanobis distance from the others' mean, under the others' covariance + floor² I.

    Exact (Sherman-Morrison on the rank-one change that removing a row makes); needs n >= 3.
    """
    x = np.asarray(layouts, dtype=np.float64)
    n, p = x.shape
    if n < 3:
        raise ValueError(f"leave_one_out_distances: needs at least 3 rows, got {n}")
    centred = x - x.mean(axis=0)
    # (n - 2) (S_(-i) + floor² I) = A - (n / (n - 1)) e eᵀ with A = (n - 1) S + (n - 2) floor² I, e = x_i - mean.
    scatter = centred.T @ centred + (n - 2) * floor ** 2 * np.eye(p)
    q = np.einsum("ij,ij->i", centred, np.linalg.solve(scatter, centred.T).T)
    shrink = n / (n - 1)
    return shrink ** 2 * (n - 2) * q / (1 - shrink * q)


def fit_colour(real_images: np.ndarray, grid: int, quantile: float, floor: float) -> ColourReference:
    """The colour reference of real images (n, s, s, 3), n > grid² x 3 rows being best: see the module."""
    if not 0 < quantile < 1:
        raise ValueError(f"fit_colour: quantile must lie in (0, 1), got {quantile}")
    if floor <= 0:
        raise ValueError(f"fit_colour: floor must be positive, got {floor}")
    layouts = colour_layout(real_images, grid)
    n, p = layouts.shape
    cells = layouts.reshape(n, -1, 3)
    eye = np.eye(3)
    covariance = np.cov(layouts, rowvar=False).reshape(p, p) + floor ** 2 * np.eye(p)
    cell_covariance = np.stack([np.cov(cells[:, c], rowvar=False) + floor ** 2 * eye for c in range(cells.shape[1])])
    distances = np.stack([leave_one_out_distances(layouts, floor),
                          np.max([leave_one_out_distances(cells[:, c], floor) for c in range(cells.shape[1])], axis=0)],
                         axis=1)
    logs = np.log(np.maximum(distances, np.finfo(float).tiny))
    low, spread = np.quantile(logs, quantile, axis=0), np.maximum(logs.std(axis=0), np.finfo(float).eps)
    typical = float(np.median(_logistic(logs, low, spread).min(axis=1)))
    return ColourReference(layouts.mean(axis=0), np.linalg.inv(covariance), np.linalg.inv(cell_covariance),
                           low, spread, quantile, grid, floor, n, typical)


def colour_distances(images: np.ndarray, reference: ColourReference) -> np.ndarray:
    """float (n, 2): each image's squared Mahalanobis distances (MEASURES) of its colour layout from the reference's."""
    centred = colour_layout(images, reference.grid) - reference.mean
    cells = centred.reshape(len(centred), -1, 3)
    return np.stack([np.einsum("ni,ij,nj->n", centred, reference.precision, centred),
                     np.einsum("nci,cij,ncj->nc", cells, reference.cell_precision, cells).max(axis=1)], axis=1)


def colour_parts(images: np.ndarray, reference: ColourReference) -> np.ndarray:
    """float (n, 2) in (0, 1): each distance's score, 1 - sigmoid((log distance² - low) / spread); 0.5 at the quantile."""
    logs = np.log(np.maximum(colour_distances(images, reference), np.finfo(float).tiny))
    return _logistic(logs, reference.low, reference.spread)


def _logistic(logs: np.ndarray, low: np.ndarray, spread: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp((logs - low) / spread))


def colour_scores(images: np.ndarray, reference: ColourReference) -> np.ndarray:
    """float (n,) in (0, 1]: colour plausibility, min(1, the smaller of the layout and cell scores / typical)."""
    return np.minimum(1.0, colour_parts(images, reference).min(axis=1) / reference.typical)
