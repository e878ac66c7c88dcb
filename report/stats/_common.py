"""Row-chunk helpers shared by the statistics modules.

`z` is read in row blocks converted to float64 one block at a time, so no (n_points, z_dim)
float64 copy is ever made.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# 8192 x 256 float64 is 16 MiB: big enough for BLAS and bincount, small next to the data.
CHUNK_ROWS = 8192


def row_chunks(z: np.ndarray, chunk_rows: int) -> Iterator[np.ndarray]:
    """Float64 copies of consecutive row blocks of z (callers may modify them in place)."""
    for start in range(0, z.shape[0], chunk_rows):
        yield np.array(z[start : start + chunk_rows], dtype=np.float64)


def check_z(z: np.ndarray) -> None:
    """Raise ValueError unless z is a non-empty 2-D array."""
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"expected a non-empty 2-D array of latent vectors, got shape {z.shape}")


def sample_rows(m: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted row indices drawn without replacement; all m rows if size >= m.

    Returns:
        int64 ndarray of shape (min(size, m),).
    """
    if size >= m:
        return np.arange(m)
    return np.sort(rng.choice(m, size=size, replace=False))
