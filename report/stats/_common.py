"""Row-chunk helpers shared by the statistics modules.

`z` is read in row blocks converted to float64 one block at a time, so no (n_points, z_dim)
float64 copy is ever made.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - a dependency, but the statistics work without it
    threadpool_limits = None

# 8192 x 256 float64 is 16 MiB: big enough for BLAS and bincount, small next to the data.
CHUNK_ROWS = 8192


def row_chunks(z: np.ndarray, chunk_rows: int) -> Iterator[np.ndarray]:
    """Float64 copies of consecutive row blocks of z (callers may modify them in place)."""
    for start in range(0, z.shape[0], chunk_rows):
        yield np.array(z[start : start + chunk_rows], dtype=np.float64)


def limited_threads(n: int | None, user_api: str | None = None) -> contextlib.AbstractContextManager:
    """Limit native threads (BLAS only with user_api="blas") to n inside a `with` block; None: leave them."""
    if n is None or threadpool_limits is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api=user_api)


def centred_gram(z: np.ndarray, chunk_rows: int, threads: int | None,
                 user_api: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One float64 pass over row chunks around the first chunk's mean.

    Shifting by an early mean keeps the Gram matrix accurate for float32 data far from zero.

    Returns:
        (shift, sums, gram): the shift of shape (z_dim,), the column sums of z - shift and
        (z - shift)^T (z - shift) of shape (z_dim, z_dim).
    """
    z_dim = z.shape[1]
    shift = np.asarray(z[:chunk_rows], dtype=np.float64).mean(axis=0)
    sums = np.zeros(z_dim)
    gram = np.zeros((z_dim, z_dim))
    with limited_threads(threads, user_api):
        for chunk in row_chunks(z, chunk_rows):
            chunk -= shift
            sums += chunk.sum(axis=0)
            gram += chunk.T @ chunk  # numpy runs A.T @ A as a symmetric rank-k update
    return shift, sums, gram


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
