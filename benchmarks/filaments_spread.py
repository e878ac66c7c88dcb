"""How far the filaments step's key statistics move between reruns: the measurement behind their tolerances.

Reruns the step's statistics (`report.stats.filaments`, `report.stats.intrinsic`) on a run's z-points
with other seeds (another sample of the fitted normal, other subsamples, test points and label
permutations), each optionally on a random share of the points (`--share 0.9`), and prints every
rerun's local dimensions at the verdict's scale, the k-NN same-sample share, its p-value and the
verdict, then each statistic's range.

    .venv/bin/python benchmarks/filaments_spread.py build/synthetic-faces/results/encode/latents.npy --seeds 1 2 3 4 5
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from report.params import FilamentsParams, UncertaintyParams
from report.stats import filaments, intrinsic
from report.stats._common import sample_rows
from report.stats.principal import principal_axes
from report.stats.uncertainty import bootstrap_interval, intervals_overlap


def rerun(z_all: np.ndarray, seed: int, share: float, s: FilamentsParams, u: UncertaintyParams) -> dict:
    """The step's dimension, two-sample and verdict statistics with one seed."""
    rng = np.random.default_rng(seed)
    z = z_all[sample_rows(len(z_all), min(s.n_points, int(share * len(z_all))), rng)]
    axes = principal_axes(z_all.mean(axis=0), np.cov(z_all, rowvar=False))  # post VIII fits all points
    n = len(z)
    samples = {"data": z, "normal": filaments.normal_null(axes, n, rng)}
    dims = {}
    for name, x in samples.items():
        for size in intrinsic.subsample_sizes(n, s.scale_steps, min(s.smallest_scale, n)):
            part = x if size == n else x[sample_rows(n, size, rng)]
            terms = intrinsic.levina_bickel_terms(intrinsic.knn_distances(part, s.k)[0], s.k)
            dims[name, size] = (1 / terms.mean(), bootstrap_interval(terms, lambda v: 1 / v.mean(), u.confidence_level,
                                                                     u.bootstrap_resamples, rng))
    sizes = sorted({size for _, size in dims})
    scale = filaments.verdict_size(*({m: dims[name, m][0] for m in sizes} for name in ("data", "normal")))
    rows = sample_rows(n, s.test_points, rng)
    test = filaments.knn_two_sample(z[rows], samples["normal"][rows], s.test_k, s.permutations, rng)
    verdict = filaments.verdict(dims["data", scale][0], dims["normal", scale][0], test["p_value"],
                                dimensions_apart=not intervals_overlap(dims["data", scale][1], dims["normal", scale][1]),
                                alpha=s.alpha, filament_max_dimension=s.filament_max_dimension,
                                thin_max_dimension=s.thin_max_dimension, thin_max_ratio=s.thin_max_ratio)
    return {"seed": seed, "share": share, "scale": scale, "id_data": dims["data", scale][0],
            "id_null": dims["normal", scale][0], "statistic": test["statistic"], "p_value": test["p_value"],
            "verdict": verdict}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("latents", type=Path, help="the z-points (.npy)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--share", type=float, default=1.0, help="share of the points each rerun draws")
    args = parser.parse_args()
    z_all = np.load(args.latents).astype(np.float64)
    rows = []
    for seed in args.seeds:
        rows.append(rerun(z_all, seed, args.share, FilamentsParams(), UncertaintyParams()))
        print(json.dumps(rows[-1]), flush=True)
    for key in ("id_data", "id_null", "statistic", "p_value"):
        values = np.array([r[key] for r in rows])
        print(f"{key}: {values.min():.4g} .. {values.max():.4g}, range {np.ptp(values):.3g} "
              f"({np.ptp(values) / abs(values.mean()):.2%} of the mean)")
    print("verdicts:", sorted({r["verdict"] for r in rows}))


if __name__ == "__main__":
    main()
