"""How clearly an image shows what it shows: contrast and detail, measured against real images.

The structure judge says whether the parts of a face are there; it was trained to ignore blur
and colour, so it cannot say whether they can be seen clearly. Two pixel measures can, both of
the relative luminance: the luminance (Rec. 601 weights, in [0, 1]) divided by the image's mean
luminance plus an adaptation constant, so that a difference counts more in a dark image than in
a bright one (Weber's law, softened near black so that noise in a black image is not infinite
contrast). With the luminance alone, dark faces on dark backgrounds scored as washed out about
ten times as often as bright ones.

- `rms_contrast`: the standard deviation of the relative luminance over the image (washed-out or
  low-contrast images score low);
- `detail`: the RMS of a band-pass (difference of Gaussians, inner sigma > 0 so that
  imperceptible pixel noise adds next to nothing) of the relative luminance (blurred images
  score low).

A Gaussian blur (edges reflected) keeps an image's mean luminance, and so the divisor; both
measures are then energies of linear, shift-invariant filters of the image: a further blur
multiplies every frequency's energy by a factor <= 1, so neither can grow with blur (exactly for
float images; to rounding for uint8). Shrinking the contrast about the mean colour by a factor c
keeps the mean too and scales both by c. `clarity_scores` turns each into a score in (0, 1) by a logistic in the log
ratio to a low quantile of the real images (0.5 at that quantile), the width set by the real
images' spread; the clarity of an image is the smaller of its two scores, so it is monotone in
blur and contrast by construction, and smooth in the pixels.

Everything here is pure NumPy/SciPy: uint8 or float images in, float arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.ndimage

LUMA = np.array([0.299, 0.587, 0.114])  # Rec. 601 luminance weights
MEASURES = ("contrast", "detail")  # the two clarity measures, in the order of ClarityReference's arrays
FLOOR = 1e-6  # measures are floored here before their log is taken (a flat image has contrast 0)


def luminance(images: np.ndarray) -> np.ndarray:
    """float64 (n, s, s) in [0, 1] of images (n, s, s, 3): uint8 values, or floats in [0, 1] if not uint8."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"luminance: expected RGB images (n, s, s, 3), got shape {images.shape}")
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    return images.astype(np.float64) @ LUMA / scale


def relative_luminance(images: np.ndarray, adaptation: float) -> np.ndarray:
    """float64 (n, s, s): each image's luminance divided by (its mean luminance + adaptation), adaptation > 0."""
    if adaptation <= 0:
        raise ValueError(f"relative_luminance: adaptation must be positive, got {adaptation}")
    lum = luminance(images)
    return lum / (lum.mean(axis=(1, 2), keepdims=True) + adaptation)


def rms_contrast(images: np.ndarray, adaptation: float) -> np.ndarray:
    """float (n,): the standard deviation of each image's relative luminance (0 for a flat image)."""
    return relative_luminance(images, adaptation).std(axis=(1, 2))


def detail(images: np.ndarray, inner_sigma: float, outer_sigma: float, adaptation: float) -> np.ndarray:
    """float (n,): RMS of the relative luminance band-passed by a difference of Gaussians (inner - outer sigma, pixels).

    Edges reflect, so the band-pass of the reflected image is that of its even periodic extension
    and the energy cannot grow under a further (reflecting) Gaussian blur.
    """
    if not 0 < inner_sigma < outer_sigma:
        raise ValueError(f"detail: need 0 < inner_sigma < outer_sigma, got {inner_sigma}, {outer_sigma}")
    lum = relative_luminance(images, adaptation)
    band = (scipy.ndimage.gaussian_filter(lum, sigma=(0, inner_sigma, inner_sigma), mode="reflect")
            - scipy.ndimage.gaussian_filter(lum, sigma=(0, outer_sigma, outer_sigma), mode="reflect"))
    return np.sqrt((band ** 2).mean(axis=(1, 2)))


def clarity_measures(images: np.ndarray, inner_sigma: float, outer_sigma: float, adaptation: float) -> np.ndarray:
    """float (n, 2): each image's `rms_contrast` and `detail` (the columns of MEASURES)."""
    return np.stack([rms_contrast(images, adaptation), detail(images, inner_sigma, outer_sigma, adaptation)], axis=1)


@dataclass(frozen=True)
class ClarityReference:
    """Where real images' clarity measures lie: a low quantile and the spread of each, in logs.

    `low` (2,): log of the measures' `quantile` over the real images; `spread` (2,): the standard
    deviation of their logs. A measure at `low` scores 0.5; one spread below it 1 / (1 + e) = 0.27.
    """

    low: np.ndarray
    spread: np.ndarray
    quantile: float
    inner_sigma: float
    outer_sigma: float
    adaptation: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: {"contrast": {"low", "spread"}, "detail": {...}, "quantile", "inner_sigma", "outer_sigma",
        "adaptation"}."""
        return {**{name: {"low": float(self.low[i]), "spread": float(self.spread[i])} for i, name in enumerate(MEASURES)},
                "quantile": self.quantile, "inner_sigma": self.inner_sigma, "outer_sigma": self.outer_sigma,
                "adaptation": self.adaptation}

    @classmethod
    def from_dict(cls, values: dict) -> ClarityReference:
        """The inverse of `to_dict`."""
        return cls(np.array([values[name]["low"] for name in MEASURES]),
                   np.array([values[name]["spread"] for name in MEASURES]),
                   float(values["quantile"]), float(values["inner_sigma"]), float(values["outer_sigma"]),
                   float(values["adaptation"]))


def fit_clarity(real_images: np.ndarray, quantile: float, inner_sigma: float, outer_sigma: float,
                adaptation: float) -> ClarityReference:
    """The clarity reference of real images (n, s, s, 3): a `quantile` in (0, 1) of each measure's log."""
    if not 0 < quantile < 1:
        raise ValueError(f"fit_clarity: quantile must lie in (0, 1), got {quantile}")
    logs = np.log(np.maximum(clarity_measures(real_images, inner_sigma, outer_sigma, adaptation), FLOOR))
    spread = np.maximum(logs.std(axis=0), FLOOR)
    return ClarityReference(np.quantile(logs, quantile, axis=0), spread, quantile, inner_sigma, outer_sigma,
                            adaptation)


def clarity_parts(images: np.ndarray, reference: ClarityReference) -> np.ndarray:
    """float (n, 2) in (0, 1): each measure's score, sigmoid((log measure - low) / spread)."""
    logs = np.log(np.maximum(clarity_measures(images, reference.inner_sigma, reference.outer_sigma,
                                              reference.adaptation), FLOOR))
    return 1.0 / (1.0 + np.exp(-(logs - reference.low) / reference.spread))


def clarity_scores(images: np.ndarray, reference: ClarityReference) -> np.ndarray:
    """float (n,) in (0, 1): the smaller of an image's contrast and detail scores (0.5 at the real quantile)."""
    return clarity_parts(images, reference).min(axis=1)
