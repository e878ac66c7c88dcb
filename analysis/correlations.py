# %% [markdown]
# # Step `correlations`: Pearson correlations between components (post III)
# The correlation matrix over all latent vectors in one streaming pass, and again on a sample
# of the original's size; pair counts over thresholds; the strongly correlated pairs.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("correlations", run_dir, request)

import numpy as np

from report import figures, stats
from report.data.sources import load_zpoints
from report.results.correlations import CorrelationsResults
from report.results.distributions import DistributionsResults

settings = step.settings
rng = step.rng
z = load_zpoints(step.input("latents"))
distributions = step.upstream(DistributionsResults)
dominant = list(distributions.dominant)
n_points, z_dim = z.shape

# %% papermill_description=pearson_all
r = stats.streaming_correlation(z)
np.save(step.output / "correlation.npy", r)
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
max_abs_r, mean_abs_r = stats.abs_r_summary(r)
block = stats.heatmap_components(dominant, pairs, z_dim, settings.heatmap_pairs, settings.heatmap_fallback_components)
heatmap = figures.correlation_heatmap(r[np.ix_(block, block)], block)
step.figure("correlation-heatmap.png", heatmap)
heatmap

# %%
scatter_pairs = [(p["i"], p["j"]) for p in pairs[: settings.max_scatter_pairs]]
if not scatter_pairs:
    scatter_pairs = stats.choose_pairs(r, dominant, min(settings.scatter_fallback_pairs, settings.max_scatter_pairs))
scatter_rows = stats.sample_rows(n_points, settings.scatter_points, rng)
chosen_index = int(rng.integers(n_points))
scatter_b = settings.scatter_b or distributions.matching_b
uniform = stats.uniform_vectors(settings.n_scatter_uniform, z_dim, scatter_b, rng)
titles = [f"r = {r[i, j]:+.2f}" for i, j in scatter_pairs]
scatter = figures.pair_scatter_grid(z[scatter_rows], scatter_pairs, uniform=uniform, chosen_point=z[chosen_index],
                                    titles=titles)
step.figure("pair-scatter.png", scatter)
scatter

# %%
step.save(CorrelationsResults(
    n_points=n_points,
    z_dim=z_dim,
    n_pairs_total=z_dim * (z_dim - 1) // 2,
    pairs_above=counts,
    pair_threshold=settings.pair_threshold,
    pairs=pairs,
    pairs_with_dominant=stats.pairs_touching(pairs, dominant),
    max_abs_r=max_abs_r,
    mean_abs_r=mean_abs_r,
    independent_sd=stats.independent_sd(n_points),
    sample={"n_points": len(sample), "pairs_above": sample_counts, "pairs": sample_pairs,
            "independent_sd": stats.independent_sd(len(sample))},
    sample_size=settings.sample_size,
    heatmap_components=block,
    heatmap_pairs=settings.heatmap_pairs,
    heatmap_fallback_components=settings.heatmap_fallback_components,
    scatter={"pairs": scatter_pairs, "n_points": len(scatter_rows), "b": scatter_b,
             "b_from_parameters": settings.scatter_b is not None, "n_uniform": settings.n_scatter_uniform,
             "chosen_index": chosen_index, "fallback_pairs": settings.scatter_fallback_pairs},
    table_pairs=settings.table_pairs,
))
