"""Wall time of one t-SNE embedding at the original's size (165,000 x 256) and below, on 2 cores.

The points are a normal sample with the mean and covariance of a run's z-points (`--latents`, an
(n, z_dim) .npy file such as build/synthetic-faces/results/encode/latents.npy; without it, a
correlated normal cloud of `--dims` components). Each size is embedded once by
`report.stats.filaments.tsne_embedding`, the function the filaments step calls, with the step's
settings from `report.params.FilamentsParams` (perplexity, exaggeration and main iterations, FFT
interval settings, learning rate n / 12, PCA initialisation, neighbour search and PCA reduction before
it: `tsne_neighbors`, `tsne_pca_dims`; `--neighbors` and `--pca-dims` try others). The load average is recorded
before and after each embedding: on a shared machine other jobs slow the numbers down.

Goal: at most 4 minutes at 165,000 x 256 on 2 cores.

    .venv/bin/python benchmarks/tsne_time.py --latents build/synthetic-faces/results/encode/latents.npy \\
        --sizes 20000 40000 80000 165000 --out /tmp/tsne-time.json --figure docs/tsne-time.png
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from report.params import FilamentsParams
from report.stats.filaments import tsne_embedding


def normal_like(latents: Path | None, n_points: int, z_dim: int, rng: np.random.Generator) -> np.ndarray:
    """n_points from N(mean, covariance) of the z-points in `latents` (or of a correlated synthetic cloud)."""
    if latents is not None:
        z = np.load(latents).astype(np.float64)
        mean, covariance = z.mean(axis=0), np.cov(z, rowvar=False)
    else:
        q, _ = np.linalg.qr(rng.normal(size=(z_dim, z_dim)))
        mean, covariance = rng.normal(size=z_dim), (q * np.geomspace(4.0, 0.04, z_dim)) @ q.T
    values, vectors = np.linalg.eigh(covariance)
    transform = vectors * np.sqrt(np.clip(values, 0.0, None))
    return mean + rng.standard_normal((n_points, len(mean))) @ transform.T


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (what `uptime` prints)."""
    return [round(v, 2) for v in os.getloadavg()]


def time_sizes(x: np.ndarray, sizes: list[int], *, threads: int, neighbors: str, pca_dims: int | None,
               settings: FilamentsParams, seed: int) -> list[dict]:
    """One embedding per size (the first `size` rows of x), timed; a row per size."""
    rows = []
    for size in sizes:
        before = load_average()
        start = time.perf_counter()
        plane = tsne_embedding(x[:size], perplexity=settings.tsne_perplexity,
                               exaggeration_iter=settings.tsne_exaggeration_iter, n_iter=settings.tsne_iter,
                               min_intervals=settings.tsne_min_intervals, ints_in_interval=settings.tsne_ints_in_interval,
                               seed=seed, threads=threads, neighbors=neighbors, pca_dims=pca_dims)
        seconds = time.perf_counter() - start
        rows.append({"points": size, "dims": x.shape[1], "seconds": round(seconds, 1), "threads": threads,
                     "neighbors": neighbors, "pca_dims": pca_dims, "load_before": before, "load_after": load_average(),
                     "span": round(float(np.ptp(plane, axis=0).max()), 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def time_figure(rows: list[dict], goal_points: int, goal_seconds: float):
    """Seconds against points, one line per setting, each point with the load average, the goal marked."""
    from report.figures.style import new_figure

    fig = new_figure(5.5, 3.2)
    ax = fig.subplots()
    for key in dict.fromkeys((r["neighbors"], r["pca_dims"]) for r in rows):
        mine = sorted((r for r in rows if (r["neighbors"], r["pca_dims"]) == key), key=lambda r: r["points"])
        label = f"{key[0]} neighbours, " + (f"PCA to {key[1]}" if key[1] else "all components")
        ax.plot([r["points"] for r in mine], [r["seconds"] for r in mine], "o-", label=label)
        for r in mine:  # other jobs on the machine: the 1-minute load average before and after
            ax.annotate(f"load {r['load_before'][0]:.1f}–{r['load_after'][0]:.1f}", (r["points"], r["seconds"]),
                        textcoords="offset points", xytext=(-6, 6), ha="right", fontsize=7, color="#555555")
    ax.axhline(goal_seconds, color="#999999", ls="--", lw=1)
    ax.axvline(goal_points, color="#999999", ls=":", lw=1)
    ax.text(goal_points, goal_seconds, " goal", va="bottom", ha="right", fontsize=8, color="#666666")
    ax.set_xlabel("points")
    ax.set_ylabel("seconds, one embedding")
    ax.set_ylim(0, 1.12 * max(max(r["seconds"] for r in rows), goal_seconds))
    ax.set_xlim(0, 1.05 * max(max(r["points"] for r in rows), goal_points))
    ax.legend(fontsize=8, loc="upper left")
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latents", type=Path, default=None, help="z-points (.npy) whose mean and covariance to copy")
    parser.add_argument("--dims", type=int, default=256, help="components without --latents")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 40_000, 80_000, 165_000])
    parser.add_argument("--threads", type=int, default=2)
    defaults = FilamentsParams()
    parser.add_argument("--neighbors", default=defaults.tsne_neighbors, help="openTSNE's neighbour search: annoy or exact")
    parser.add_argument("--pca-dims", type=int, default=defaults.tsne_pca_dims,
                        help="principal components kept before it (0: all)")
    parser.add_argument("--out", type=Path, default=None, help="append the rows to this JSON file")
    parser.add_argument("--figure", type=Path, default=None, help="draw every row of --out to this PNG")
    parser.add_argument("--plot-only", action="store_true", help="only draw --out to --figure")
    parser.add_argument("--goal-seconds", type=float, default=240.0)
    args = parser.parse_args()
    rows = json.loads(args.out.read_text()) if args.out and args.out.exists() else []
    if not args.plot_only:
        rng = np.random.default_rng(0)
        x = normal_like(args.latents, max(args.sizes), args.dims, rng)
        rows += time_sizes(x, args.sizes, threads=args.threads, neighbors=args.neighbors,
                           pca_dims=args.pca_dims or None, settings=FilamentsParams(), seed=0)
        if args.out:
            args.out.write_text(json.dumps(rows, indent=1))
    if args.figure:
        time_figure(rows, max(r["points"] for r in rows), args.goal_seconds).savefig(args.figure, dpi=150)


if __name__ == "__main__":
    main()
