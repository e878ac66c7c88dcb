"""Calibration of the face-likeness scores: what real, reconstructed, noisy and blurred images score.

A score means little until the reader sees it on sets whose answer is known: held-out real
images (faces), their reconstructions (the autoencoder's best case), uniform pixel noise (no
face) and blurred real images (a face, but murky, as the decodes of the series often are).
`calibration_sets` makes those sets and `score_set` turns any set into one scoreboard record.

The reference features passed to `score_set` must come from real images other than the held-out
ones scored here (e.g. the training images); scored against themselves, real images would be
inside the manifold trivially.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage

from report.face_verdicts import VERDICTS
from report.facelike.features import FeatureSpace
from report.facelike.metrics import (
    NEAREST_K,
    frechet_distance,
    kernel_inception_distance,
    knn_radii,
    manifold_membership,
    prdc,
)

BLUR_SIGMA = 1.5  # Gaussian blur of the "blurred" set, in pixels (at 32 x 32 it smears eyes and mouth)

SCOREBOARD_KEYS = ("name", "n_decodes", "face_share", "precision", "recall", "density", "coverage", "fd", "kid")


def noise_images(n_images: int, image_size: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform uint8 pixel noise (n_images, image_size, image_size, 3): certainly not faces."""
    return rng.integers(0, 256, size=(n_images, image_size, image_size, 3), dtype=np.uint8)


def blurred_images(images: np.ndarray, sigma: float = BLUR_SIGMA) -> np.ndarray:
    """Blur uint8 images (n, s, s, 3) with a Gaussian of `sigma` pixels across rows and columns (0: unchanged).

    Colour channels and images are not mixed; edges reflect (scipy.ndimage's default).
    """
    if sigma == 0:
        return np.asarray(images).copy()
    blurred = scipy.ndimage.gaussian_filter(np.asarray(images, dtype=np.float32), sigma=(0, sigma, sigma, 0))
    return np.clip(np.rint(blurred), 0, 255).astype(np.uint8)


def contrast_reduced(images: np.ndarray, factor: float) -> np.ndarray:
    """Wash uint8 images (n, s, s, 3) out: each pixel moved towards the image's mean colour, x -> m + factor (x - m).

    factor 1 leaves an image as it is, 0 makes it flat; every contrast measure scales by `factor` (to rounding).
    """
    if not 0 <= factor <= 1:
        raise ValueError(f"contrast_reduced: factor must lie in [0, 1], got {factor}")
    x = np.asarray(images, dtype=np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    return np.clip(np.rint(mean + factor * (x - mean)), 0, 255).astype(np.uint8)


def shares_by_verdict(verdicts: np.ndarray) -> dict[str, float]:
    """{"clear_share", "faint_share", "no_face_share"} of an array of verdicts (report.results.face_measure.VERDICTS)."""
    verdicts = np.asarray(verdicts)
    if not len(verdicts):
        raise ValueError("shares_by_verdict: no verdicts")
    return {f"{key}_share": float((verdicts == word).mean()) for key, word in zip(("clear", "faint", "no_face"), VERDICTS,
                                                                                  strict=True)}


def calibration_sets(
    real_images: np.ndarray,
    reconstructions: np.ndarray | None = None,
    *,
    seed: int,
    blur_sigma: float = BLUR_SIGMA,
) -> dict[str, np.ndarray]:
    """The reference sets a report scores beside its decodes, each as uint8 (n, s, s, 3).

    Args:
        real_images: Held-out real images (not those the reference features come from).
        reconstructions: The autoencoder's reconstructions of them, if available.
        seed: Seeds the noise.
        blur_sigma: Gaussian blur of the "blurred" set in pixels (default 1.5).

    Returns:
        {"real", "reconstructions" (if given), "noise", "blurred"}, each as many images as real_images.
    """
    real_images = np.asarray(real_images)
    sets = {"real": real_images}
    if reconstructions is not None:
        sets["reconstructions"] = np.asarray(reconstructions)
    sets["noise"] = noise_images(len(real_images), real_images.shape[1], np.random.default_rng(seed))
    sets["blurred"] = blurred_images(real_images, blur_sigma)
    return sets


def score_set(
    space: FeatureSpace,
    real_features: np.ndarray,
    images: np.ndarray,
    k: int = NEAREST_K,
    *,
    name: str = "",
    real_radii: np.ndarray | None = None,
    kid_subsets: int | None = None,
    kid_subset_size: int | None = None,
    seed: int = 0,
) -> dict[str, object]:
    """Score a set of images against the real reference features: one scoreboard record.

    face_share is the share of images inside the real k-NN manifold (`manifold_membership`, ball
    surfaces included); PRDC's precision is the same share with the surfaces left out. fd and kid
    are set distances (lower is closer to real); fd is biased upwards for small sets, kid is not.

    Args:
        space: The feature space the real features were computed in.
        real_features: ndarray (n_real, n_features), `space.features` of real reference images.
        images: uint8 ndarray (n, s, s, 3), n > k.
        k: Neighbourhood size of the k-NN balls (default 5).
        name: The set's name in the scoreboard.
        real_radii: `knn_radii(real_features, k)`, computed once for all sets (else per call).
        kid_subsets, kid_subset_size: KID's subsets (defaults: analysis.face_measure's).
        seed: Seeds KID's subsets.

    Returns:
        {"name", "n_decodes", "face_share", "precision", "recall", "density", "coverage", "fd",
        "kid"}, JSON-ready; kid is the mean over subsets.
    """
    from report.params import FaceMeasureParams

    defaults = FaceMeasureParams()
    kid_subsets = defaults.kid_subsets if kid_subsets is None else kid_subsets
    kid_subset_size = defaults.kid_subset_size if kid_subset_size is None else kid_subset_size
    features = space.features(images)
    if real_radii is None:
        real_radii = knn_radii(real_features, k)
    scores = prdc(real_features, features, k, real_radii=real_radii)
    kid = kernel_inception_distance(real_features, features, kid_subsets, kid_subset_size, seed)
    return {
        "name": name,
        "n_decodes": len(features),
        "face_share": float(manifold_membership(real_features, features, k, real_radii=real_radii).mean()),
        **scores,
        "fd": frechet_distance(real_features, features),
        "kid": kid["mean"],
    }
