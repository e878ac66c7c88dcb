"""Time and memory of the statistics behind posts II-IV on a full-size latent array.

The array is 170,000 x 256 float32 (the original's M x N): synthetic Gaussian components with a
few dominant (off-centre, wide) and strongly correlated ones, generated before any timing. The
three steps' computations run without plotting:

- distributions (post II): component_summary, dominant_components, radii, radius_summary,
  uniform_radius_comparison for six b;
- correlations (post III): streaming_correlation on all rows and on a 5000-row sample,
  pairs_above and correlated_pairs for both;
- origin_slices (post IV): origin_position, mahalanobis_position, choose_pairs, then slice_counts for 3 pairs.

Memory is reported two ways: the tracemalloc peak of numpy allocations above the array (a second
run with tracing on, so tracing does not slow the timed run), and the growth of the process's
maximum resident set size (ru_maxrss) over its value right after the array was built.

Run: .venv/bin/python benchmarks/latent_stats.py
"""

from __future__ import annotations

import os
import platform
import resource
import time
import tracemalloc

import numpy as np

from report import stats

M, N = 170_000, 256
DOMINANT = {118: (2.25, 2.0), 151: (1.5, 3.5), 177: (-1.0, 2.0), 195: (-1.5, 1.8), 242: (-0.25, 2.2)}
# (a, b, weight): component b is mixed with weight of component a, keeping unit variance.
MIXES = [(151, 177, -0.8), (177, 242, -0.85), (118, 195, -0.65), (68, 151, 0.6), (110, 188, 0.55)]


def synthetic_latents(seed: int = 0, chunk_rows: int = 10_000) -> np.ndarray:
    """Build the array in row chunks so that building it leaves no large temporaries behind."""
    rng = np.random.default_rng(seed)
    stds = rng.uniform(0.35, 0.65, N).astype(np.float32)
    z = np.empty((M, N), dtype=np.float32)
    for start in range(0, M, chunk_rows):
        block = z[start : start + chunk_rows]
        rng.standard_normal(out=block, dtype=np.float32)
        for a, b, w in MIXES:
            block[:, b] = w * block[:, a] + np.sqrt(1 - w * w) * block[:, b]
        block *= stds
        for j, (mean, std) in DOMINANT.items():
            block[:, j] = mean + std * block[:, j] / stds[j]
    return z


def distributions(z: np.ndarray, rng: np.random.Generator) -> dict:
    summary = stats.component_summary(z, 0.25)
    comps = summary["components"]
    dominant = stats.dominant_components([c["mean"] for c in comps], [c["half_width"] for c in comps], 0.5, 1.5)
    r = stats.radii(z)
    radius = stats.radius_summary(r, 80)
    uniform = stats.uniform_radius_comparison(N, (0.5, 1.0, 1.5, 2.0, 3.0, 4.0), 5000, rng, data_radii=r)
    return {"dominant": dominant, "radius": radius, "closest_b": stats.closest_uniform_b(uniform, radius["mean"]),
            "means": np.array([c["mean"] for c in comps]), "stds": np.array([c["std"] for c in comps])}


def correlations(z: np.ndarray, rng: np.random.Generator) -> dict:
    thresholds = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    r_all = stats.streaming_correlation(z)
    r_sample = stats.streaming_correlation(z[stats.sample_rows(M, 5000, rng)])
    return {
        "r_all": r_all,
        "pairs_above_all": stats.pairs_above(r_all, thresholds),
        "pairs_above_sample": stats.pairs_above(r_sample, thresholds),
        "pairs_all": stats.correlated_pairs(r_all, 0.5),
        "pairs_sample": stats.correlated_pairs(r_sample, 0.5),
    }


def origin_slices(z: np.ndarray, r: np.ndarray, dist: dict, rng: np.random.Generator) -> list[dict]:
    means, stds = dist["means"], dist["stds"]
    stats.origin_position(z, means)
    stats.mahalanobis_position(z, means, np.nan_to_num(r) * np.outer(stds, stds))
    uniform = stats.uniform_vectors(200, N, 1.5, rng)
    return [stats.slice_counts(z, pair, 1.5, 5000, rng, uniform) for pair in stats.choose_pairs(r, dist["dominant"], 3)]


def run_parts(z: np.ndarray, trace: bool) -> tuple[dict, dict]:
    """Run the three parts; return (wall s, CPU s) or traced peak bytes per part, and the results."""
    rng = np.random.default_rng(1)
    figures, results = {}, {}

    def measure(name, fn, *args):
        if trace:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        start, cpu = time.perf_counter(), time.process_time()
        results[name] = fn(*args)
        if trace:
            figures[name] = tracemalloc.get_traced_memory()[1] - base
        else:
            figures[name] = (time.perf_counter() - start, time.process_time() - cpu)

    measure("distributions", distributions, z, rng)
    measure("correlations", correlations, z, rng)
    corr, dist = results["correlations"], results["distributions"]
    measure("origin_slices", origin_slices, z, corr["r_all"], dist, rng)
    return figures, results


def main() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {cores} cores available")
    start = time.perf_counter()
    z = synthetic_latents()
    print(
        f"array: {M} x {N} float32, {z.nbytes / 2**20:.0f} MiB, "
        f"built in {time.perf_counter() - start:.2f} s (not timed)"
    )

    load = os.getloadavg()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    seconds, results = run_parts(z, trace=False)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    tracemalloc.start()
    peaks, _ = run_parts(z, trace=True)
    tracemalloc.stop()

    print()
    print(f"load average before the timed run: {load[0]:.2f} (other processes share the cores)")
    print(f"{'part':<16}{'wall s':>8}{'CPU s':>8}{'traced peak MiB':>18}")
    for name, (wall, cpu) in seconds.items():
        print(f"{name:<16}{wall:>8.2f}{cpu:>8.2f}{peaks[name] / 2**20:>18.1f}")
    total_wall = sum(wall for wall, _ in seconds.values())
    total_cpu = sum(cpu for _, cpu in seconds.values())
    print(f"{'total':<16}{total_wall:>8.2f}{total_cpu:>8.2f}{max(peaks.values()) / 2**20:>18.1f}  (largest part)")
    print(f"max RSS growth above the array during the timed run: {(rss_after - rss_before) / 2**10:.1f} MiB")

    dist, corr, slices = results["distributions"], results["correlations"], results["origin_slices"]
    print()
    print(f"dominant components: {dist['dominant']}")
    radius = dist["radius"]
    print(
        f"radius mean {radius['mean']:.2f}, std {radius['std']:.2f}, peak {radius['peak']:.2f}; "
        f"closest b {dist['closest_b']}"
    )
    print(f"pairs above (all rows):    {corr['pairs_above_all']}")
    print(f"pairs above (5000 sample): {corr['pairs_above_sample']}")
    print("pairs |r| > 0.5 (all rows): " + ", ".join(f"({p['i']},{p['j']}) {p['r']:.3f}" for p in corr["pairs_all"]))
    for s in slices:
        print(
            f"slice {tuple(s['pair'])}, t = {s['t']}: {s['sample_kept']}/{s['sample_size']} sample, "
            f"{s['all_kept']}/{s['n_points']} all, {s['uniform_kept']}/{s['n_uniform']} uniform"
        )


if __name__ == "__main__":
    main()
