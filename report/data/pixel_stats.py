"""Pixel statistics of an image set: how many principal components its pixels need.

Used to show how rich a data set is: a handful of components means a handful of factors.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.extmath import randomized_svd

EXACT_SVD_MAX_SIDE = 1024  # below this many images or pixels the full SVD is cheap
def pixel_pca_components(images: np.ndarray, variance: float = 0.9, max_components: int = 256,
                         seed: int = 0) -> int:
    """Number of principal components carrying `variance` of the pixel variance of `images`.

    `images` is uint8 (n, s, s, 3) (any stack of n equally shaped images works). The answer is
    capped at `max_components`; images without any variance need 0 components. The total
    variance is exact; the leading components come from a seeded randomized SVD when the data
    is large.
    """
    if not 0.0 < variance <= 1.0:
        raise ValueError(f"variance must lie in (0, 1], got {variance}")
    if max_components < 1:
        raise ValueError(f"max_components must be >= 1, got {max_components}")
    n_images = len(images)
    if n_images < 2:
        raise ValueError("at least two images are needed for a PCA")
    pixels = np.asarray(images, dtype=np.float32).reshape(n_images, -1)
    pixels -= pixels.mean(axis=0, dtype=np.float64).astype(np.float32)
    total = float(np.einsum("ij,ij->", pixels, pixels, dtype=np.float64))
    if total <= 0.0:
        return 0
    rank_limit = min(pixels.shape)
    n_components = min(max_components, rank_limit)
    if rank_limit <= EXACT_SVD_MAX_SIDE:
        singular = np.linalg.svd(pixels, compute_uv=False)[:n_components]
    else:
        _, singular, _ = randomized_svd(pixels, n_components, random_state=seed)
    cumulative = np.cumsum(singular.astype(np.float64) ** 2) / total
    reached = np.nonzero(cumulative >= variance * (1.0 - 1e-6))[0]
    return int(reached[0] + 1) if len(reached) else n_components
