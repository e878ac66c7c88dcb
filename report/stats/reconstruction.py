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


def psnr(mse: float, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB of a mean squared error: 10 log10(peak^2 / mse); inf for mse 0.

    Args:
        mse: Mean squared pixel error (pixels in [0, peak]).
        peak: The largest pixel value (1 for pixels in [0, 1]).
    """
    if mse < 0 or not np.isfinite(mse):
        raise ValueError(f"mse must be finite and non-negative, got {mse}")
    return float("inf") if mse == 0 else float(10 * np.log10(peak**2 / mse))


SSIM_WINDOW = 11  # Gaussian window of Wang et al. (2004), as tf.image.ssim and skimage (gaussian_weights) use
SSIM_SIGMA = 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03


def _gaussian_window(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def _filter_valid(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Separable 'valid' filtering of (n, h, w, c) arrays along h and w with the 1-D kernel g."""
    windows = np.lib.stride_tricks.sliding_window_view(x, len(g), axis=1)  # (n, h', w, c, k)
    x = windows @ g
    windows = np.lib.stride_tricks.sliding_window_view(x, len(g), axis=2)  # (n, h', w', c, k)
    return windows @ g


def ssim(originals: np.ndarray, reconstructions: np.ndarray, *, chunk: int = 256) -> np.ndarray:
    """Structural similarity (Wang et al. 2004) of each image pair, as tf.image.ssim computes it.

    Gaussian window of side 11 (the image side if smaller), sigma 1.5, K1 = 0.01, K2 = 0.03, only
    windows that lie inside the image ('valid'); the SSIM map is averaged over positions and colour
    channels. Identical images give 1.

    Args:
        originals, reconstructions: uint8 ndarrays of shape (n, s, s, c), pixels scaled to [0, 1] here.
        chunk: Images per batch of arithmetic.

    Returns:
        float64 ndarray of shape (n,).
    """
    if np.shape(originals) != np.shape(reconstructions):
        raise ValueError(f"shapes differ: {np.shape(originals)} and {np.shape(reconstructions)}")
    n, h, w = np.shape(originals)[:3]
    g = _gaussian_window(min(SSIM_WINDOW, h, w), SSIM_SIGMA)
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    out = np.empty(n, dtype=np.float64)
    for start in range(0, n, chunk):
        x = np.asarray(originals[start : start + chunk], dtype=np.float64) / 255
        y = np.asarray(reconstructions[start : start + chunk], dtype=np.float64) / 255
        mx, my = _filter_valid(x, g), _filter_valid(y, g)
        sxx = _filter_valid(x * x, g) - mx * mx
        syy = _filter_valid(y * y, g) - my * my
        sxy = _filter_valid(x * y, g) - mx * my
        value = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
        out[start : start + chunk] = value.mean(axis=(1, 2, 3))
    return out
