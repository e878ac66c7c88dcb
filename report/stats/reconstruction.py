"""Post I: how well the decoder reproduces images, and how much contrast decoded images have.

Pixels are uint8 in the arrays and are scaled to [0, 1] in float32 here, as the decoder's sigmoid
output is; the float32 arithmetic is kept as it was first written so that the records of earlier
builds stay reproducible to the last digit.
"""

from __future__ import annotations

import numpy as np


def reconstruction_error(originals: np.ndarray, reconstructions: np.ndarray) -> dict:
    """Mean squared pixel error of reconstructions, and the pixel spread of the originals.

    Args:
        originals: uint8 ndarray of shape (n, s, s, 3), the encoded images.
        reconstructions: uint8 ndarray of the same shape, their decodes.

    Returns:
        {"mse": float, "original_std": float}: the mean of the squared pixel differences and the
        standard deviation of all original pixel values, both with pixels in [0, 1].
    """
    if np.shape(originals) != np.shape(reconstructions):
        raise ValueError(f"shapes differ: {np.shape(originals)} and {np.shape(reconstructions)}")
    decoded = np.asarray(reconstructions).astype(np.float32) / 255
    real = np.asarray(originals).astype(np.float32) / 255
    return {"mse": float(np.mean((decoded - real) ** 2)), "original_std": float(real.std())}


def pixel_std(images: np.ndarray) -> float:
    """Standard deviation of all pixel values of a set of uint8 images, scaled to [0, 1].

    Args:
        images: uint8 ndarray of shape (n, s, s, 3).
    """
    return float(np.asarray(images).astype(np.float32).std() / 255)
