"""Time and peak memory of post VIII's `normal_fit` and post IX's `pca` statistics on the original's size.

Target: 170,000 x 256 float32, both steps together in <= 30 s and <= 1 GiB above the
array on 2 cores. Memory is numpy's allocations traced by tracemalloc, started after the array
exists, so "peak" is what a statistic needs on top of z. The data is a correlated normal cloud
(a random rotation of eigenvalues spread over two decades), offset from the origin.

    .venv/bin/python benchmarks/normal_fit_pca.py [--points 170000] [--dims 256] [--threads 1]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from report.stats import normal_fit as nf
from report.stats import principal as pc


def make_cloud(n_points: int, z_dim: int, rng: np.random.Generator) -> np.ndarray:
    """float32 points from N(mu, Q diag(lambda) Q^T), built in row blocks."""
    q, _ = np.linalg.qr(rng.normal(size=(z_dim, z_dim)))
    transform = (q * np.sqrt(np.geomspace(4.0, 0.04, z_dim))).T.astype(np.float32)
    mu = rng.normal(size=z_dim).astype(np.float32)
    z = np.empty((n_points, z_dim), dtype=np.float32)
    for start in range(0, n_points, 20_000):
        block = rng.standard_normal((min(20_000, n_points - start), z_dim), dtype=np.float32)
        z[start : start + len(block)] = block @ transform + mu
    return z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=170_000)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of the streaming functions")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    z = make_cloud(args.points, args.dims, rng)
    threads = args.threads
    rows: list[tuple[str, str, float, float]] = []
    state: dict = {}

    def timed(step: str, name: str, fn):
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        state[name] = fn()
        rows.append((step, name, time.perf_counter() - start, (tracemalloc.get_traced_memory()[1] - base) / 2**20))

    tracemalloc.start()
    timed("normal_fit", "mean_and_covariance", lambda: nf.mean_and_covariance(z, threads=threads))
    mean, cov = state["mean_and_covariance"]
    timed("normal_fit", "principal_axes + whitening",
          lambda: (lambda a: (a, pc.whitening(a)))(pc.principal_axes(mean, cov)))
    axes, whiten = state["principal_axes + whitening"]
    timed("normal_fit", "mahalanobis_sq (all points)", lambda: nf.mahalanobis_sq(z, whiten, threads=threads))
    d2 = state["mahalanobis_sq (all points)"]
    timed("normal_fit", "summary + chi2 QQ",
          lambda: (nf.mahalanobis_summary(d2, whiten.dof), nf.chi2_qq(d2, whiten.dof)))
    timed("normal_fit", "component_normality (5000)", lambda: nf.component_normality(z, rng))
    timed("normal_fit", "Henze-Zirkler (2000, 16 axes)", lambda: nf.multivariate_normality(z, mean, cov, rng))
    timed("normal_fit", "Mardia (2000 x 256)", lambda: nf.mardia(z[:2000]))
    timed("normal_fit", "4 planes, ellipses",
          lambda: [nf.plane_ellipses(z, mean, cov, p["i"], p["j"]) for p in nf.choose_planes(axes)])
    timed("normal_fit", "mixtures K=1..8, 10 (10000, 16 axes)",
          lambda: nf.fit_mixtures(z, axes, rng, sample_size=10_000, threads=threads))
    timed("normal_fit", "N(mu, S) + mixture samples (1000)",
          lambda: (pc.sample_principal(axes, 1000, rng), nf.sample_mixture(state[rows[-1][1]], 10, 1000, rng)))
    timed("pca", "principal_coordinates (all)", lambda: pc.principal_coordinates(z, axes, threads=threads))
    timed("pca", "variance shares, origin",
          lambda: (pc.components_for(axes.eigenvalues), pc.origin_in_frame(whiten, axes, np.sqrt(d2))))
    timed("pca", "shell samples (1000)",
          lambda: pc.sample_shell(whiten, 1000, rng, r_low=14.0, r_high=16.0))
    tracemalloc.stop()

    print(f"z: {args.points:,} x {args.dims} float32 = {z.nbytes / 2**20:.0f} MiB, BLAS threads {threads}")
    print(f"{'step':<11}{'statistic':<40}{'s':>7}{'peak MiB':>10}")
    for step, name, seconds, peak in rows:
        print(f"{step:<11}{name:<40}{seconds:>7.2f}{peak:>10.0f}")
    for step in ("normal_fit", "pca"):
        print(f"{step:<11}{'total':<40}{sum(r[2] for r in rows if r[0] == step):>7.2f}"
              f"{max(r[3] for r in rows if r[0] == step):>10.0f}")
    print(f"{'both':<11}{'total':<40}{sum(r[2] for r in rows):>7.2f}")
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB (array included)")


if __name__ == "__main__":
    main()
