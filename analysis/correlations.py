# %% [markdown]
# # Step `correlations`: Pearson correlations between components (post III)
# The correlation matrix over all latent vectors in one streaming pass, and again on a sample
# of the original's size; pair counts over thresholds; the strongly correlated pairs.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `analysis.correlations` section
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, results, stats
from report.params import CorrelationsParams

settings = CorrelationsParams(**section)
output = Path(output_dir)
rng = np.random.default_rng(step_seed)
z = results.load_latents(inputs["latents"])
distributions = results.load_stats(run_dir, "distributions")
dominant = distributions["dominant"]
n_points, z_dim = z.shape

# %% papermill_description=pearson_all
r = stats.streaming_correlation(z)
np.save(output / "correlation.npy", r)
counts = stats.pairs_above(r, settings.thresholds)
pairs = stats.correlated_pairs(r, settings.pair_threshold)
counts

# %% papermill_description=pearson_sample
sample = stats.sample_rows(n_points, settings.sample_size, rng)
r_sample = stats.streaming_correlation(z[sample])
sample_counts = stats.pairs_above(r_sample, settings.thresholds)
sample_pairs = stats.correlated_pairs(r_sample, settings.pair_threshold)
sample_counts

# %%
upper = np.abs(r[np.triu_indices(z_dim, k=1)])
dominant_set = set(dominant)
pairs_with_dominant = sum(1 for p in pairs if p["i"] in dominant_set or p["j"] in dominant_set)
block = dominant if len(dominant) >= 2 else sorted({k for p in pairs[:8] for k in (p["i"], p["j"])})
if len(block) < 2:
    block = list(range(min(z_dim, 12)))
heatmap = figures.correlation_heatmap(r[np.ix_(block, block)], block)
results.save_figure(output, "correlation-heatmap.png", heatmap)
heatmap

# %%
scatter_pairs = [(p["i"], p["j"]) for p in pairs[: settings.max_scatter_pairs]]
if not scatter_pairs:
    scatter_pairs = stats.choose_pairs(r, dominant, min(4, settings.max_scatter_pairs))
scatter_rows = stats.sample_rows(n_points, settings.scatter_points, rng)
chosen_index = int(rng.integers(n_points))
scatter_b = settings.scatter_b or distributions["matching_b"]
uniform = stats.uniform_vectors(settings.n_scatter_uniform, z_dim, scatter_b, rng)
titles = [f"r = {r[i, j]:+.2f}" for i, j in scatter_pairs]
scatter = figures.pair_scatter_grid(z[scatter_rows], scatter_pairs, uniform=uniform, chosen_point=z[chosen_index],
                                    titles=titles)
results.save_figure(output, "pair-scatter.png", scatter)
scatter

# %%
results.save_stats(output, {
    "n_points": n_points,
    "z_dim": z_dim,
    "n_pairs_total": z_dim * (z_dim - 1) // 2,
    "pairs_above": counts,
    "pair_threshold": settings.pair_threshold,
    "pairs": pairs,
    "pairs_with_dominant": pairs_with_dominant,
    "max_abs_r": float(np.nanmax(upper)) if np.isfinite(upper).any() else 0.0,
    "mean_abs_r": float(np.nanmean(upper)) if np.isfinite(upper).any() else 0.0,
    "independent_sd": 1 / np.sqrt(n_points),
    "sample": {"n_points": len(sample), "pairs_above": sample_counts, "pairs": sample_pairs,
               "independent_sd": 1 / np.sqrt(len(sample))},
    "heatmap_components": block,
    "scatter": {"pairs": scatter_pairs, "n_points": len(scatter_rows), "b": scatter_b, "b_from_parameters": settings.scatter_b is not None,
                "n_uniform": settings.n_scatter_uniform, "chosen_index": chosen_index},
})
