"""Principal components of the pixels, checked on images of known rank."""

from __future__ import annotations

import numpy as np
import pytest

from report.data.pixel_stats import pixel_pca_components


def _images_of_rank(rank: int, n_images: int, size: int, seed: int = 0) -> np.ndarray:
    """uint8 images (n, size, size, 3): a mean image plus `rank` orthogonal patterns, equally strong."""
    rng = np.random.default_rng(seed)
    n_pixels = size * size * 3
    basis, _ = np.linalg.qr(rng.standard_normal((n_pixels, rank)))  # orthonormal columns
    coefficients = rng.standard_normal((n_images, rank))
    signal = coefficients @ basis.T * (25.0 * np.sqrt(n_pixels / rank))  # about 25 grey levels per pixel
    noise = rng.normal(0.0, 0.5, size=signal.shape)
    pixels = np.clip(128.0 + signal + noise, 0, 255).round().astype(np.uint8)
    return pixels.reshape(n_images, size, size, 3)


def test_known_rank_is_found():
    images = _images_of_rank(5, n_images=400, size=12)
    assert pixel_pca_components(images) == 5
    assert pixel_pca_components(images, variance=0.99) == 5


def test_fewer_components_carry_less_variance():
    images = _images_of_rank(5, n_images=400, size=12)
    assert pixel_pca_components(images, variance=0.5) < 5


def test_large_data_uses_the_randomized_path_and_agrees():
    images = _images_of_rank(6, n_images=1100, size=24)  # more than 1024 images and pixels
    assert pixel_pca_components(images) == 6


def test_capped_at_max_components():
    images = _images_of_rank(5, n_images=200, size=12)
    assert pixel_pca_components(images, max_components=3) == 3


def test_constant_images_need_no_components():
    images = np.full((10, 8, 8, 3), 77, dtype=np.uint8)
    assert pixel_pca_components(images) == 0


@pytest.mark.parametrize("variance", [0.0, 1.5])
def test_bad_variance_is_rejected(variance):
    with pytest.raises(ValueError, match="variance"):
        pixel_pca_components(np.zeros((4, 8, 8, 3), dtype=np.uint8), variance=variance)
