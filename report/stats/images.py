"""Posts V-VII: how close decoded images come to real ones, as a number beside the pictures."""

from __future__ import annotations

import numpy as np


def nearest_image_distance(images: np.ndarray, reference: np.ndarray, *, chunk_rows: int = 512) -> np.ndarray:
    """Root-mean-square pixel distance of each image to its nearest reference image.

    Decodes that resemble training images lie close to one of them; noise or smeared blobs do
    not. Pixels are scaled to [0, 1], so 0 means identical and 1 the largest possible distance.

    Args:
        images: uint8 ndarray of shape (n, s, s, 3).
        reference: uint8 ndarray of shape (m, s, s, 3), e.g. a sample of training images.

    Returns:
        float64 ndarray of shape (n,).
    """
    if images.shape[1:] != reference.shape[1:]:
        raise ValueError(f"image shapes differ: {images.shape[1:]} and {reference.shape[1:]}")
    pixels = int(np.prod(images.shape[1:]))
    queries = np.asarray(images, dtype=np.float64).reshape(len(images), pixels) / 255
    query_norms = (queries**2).sum(axis=1)
    nearest = np.full(len(images), np.inf)
    for start in range(0, len(reference), chunk_rows):
        block = np.asarray(reference[start : start + chunk_rows], dtype=np.float64).reshape(-1, pixels) / 255
        block_norms = (block**2).sum(axis=1)
        squared = query_norms[:, None] + block_norms[None, :] - 2 * (queries @ block.T)
        nearest = np.minimum(nearest, squared.min(axis=1))
    return np.sqrt(np.maximum(nearest, 0) / pixels)


def pixel_spread(images: np.ndarray) -> np.ndarray:
    """Standard deviation of each image's pixel values in [0, 1]: its contrast.

    A flat grey decode lies close to many training images on average yet shows nothing; its
    spread is near 0, while faces against a background have a clear spread.

    Args:
        images: uint8 ndarray of shape (n, s, s, 3).

    Returns:
        float64 ndarray of shape (n,).
    """
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1) / 255
    return flat.std(axis=1)
