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
from IPython.display import display

from report import figures, stats
from report.data.sources import load_zpoints
from report.results.correlations import CorrelationsResults
from report.results.distributions import DistributionsResults
from report.stats import planes
from report.stats.principal import principal_axes

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
base_b = settings.scatter_b or distributions.matching_b  # post II's matching b unless the parameters set one
wide_b = settings.wide_b_factor * base_b  # the original's b = 4.0, scaled by its matching b = 1.5
uniform = stats.uniform_vectors(settings.n_scatter_uniform, z_dim, wide_b, rng)
titles = [f"r = {r[i, j]:+.2f}" for i, j in scatter_pairs]
scatter = figures.pair_scatter_grid(z[scatter_rows], scatter_pairs, uniform=uniform, chosen_point=z[chosen_index],
                                    titles=titles)
step.figure("pair-scatter.png", scatter)
scatter

# %% papermill_description=planes
centre, stds, _ = distributions.columns()
axes = principal_axes(centre, stats.covariance_from_correlation(r, stds))
low, high = np.min(z, axis=0), np.max(z, axis=0)
z_scatter = np.asarray(z[scatter_rows])
scatter_view = planes.uniform_view(z_scatter, uniform, scatter_pairs, low, high, b=wide_b)
sights = [planes.plane_sight(axes, i, j) for i, j in scatter_pairs]
repeat_rows = stats.sample_rows(n_points, settings.repeat_points, rng)
z_repeat = np.asarray(z[repeat_rows])
r_repeat = [float(np.corrcoef(z_repeat[:, i], z_repeat[:, j])[0, 1]) for i, j in scatter_pairs]
repeat = figures.pair_scatter_grid(z_repeat, scatter_pairs, uniform=uniform, chosen_point=z[chosen_index],
                                   titles=[f"r = {value:+.2f}" for value in r_repeat])
step.figure("pair-scatter-repeat.png", repeat)
display(repeat)
other = planes.distinct_planes(axes, settings.n_other_planes, candidates=settings.plane_candidates,
                               exclude=scatter_pairs)
other_pairs = [(p["i"], p["j"]) for p in other]
other_rows = stats.sample_rows(n_points, settings.other_points, rng)
z_other = np.asarray(z[other_rows])
other_views = []
if other_pairs:
    other_titles = [f"r = {r[i, j]:+.2f}, PC{p['sees_axis'] + 1}" for (i, j), p in zip(other_pairs, other)]
    for name, b in (("wide", wide_b), ("match", base_b)):
        points = stats.uniform_vectors(settings.n_scatter_uniform, z_dim, b, rng)
        fig = figures.pair_scatter_grid(z_other, other_pairs, uniform=points, titles=other_titles)
        step.figure(f"other-planes-{name}.png", fig)
        display(fig)
        other_views.append(planes.uniform_view(z_other, points, other_pairs, low, high, b=b))
other

# %% papermill_description=slice_filter
filter_pair = scatter_pairs[0]
filter_t = settings.slice_half_width or settings.slice_half_width_stds * distributions.median_std
z_filter = np.asarray(z[sample])
stages = planes.successive_slice(z_filter, filter_pair, filter_t)
survivors = np.all(np.abs(np.delete(z_filter, list(filter_pair), axis=1)) < filter_t, axis=1)
kept_line = " → ".join(f"{n:,}" for n in [len(sample), *(s["kept"] for s in stages)])
filter_figure = figures.slice_projection(
    z_filter[survivors], filter_pair, title=f"|z_k| < {filter_t:.2g}, k ∉ {{{filter_pair[0]}, {filter_pair[1]}}}: {kept_line}")
step.figure("slice-filter.png", filter_figure)
display(filter_figure)
stages

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
    scatter={"pairs": scatter_pairs, "n_points": len(scatter_rows), "b": wide_b,
             "b_from_parameters": settings.scatter_b is not None, "n_uniform": settings.n_scatter_uniform,
             "chosen_index": chosen_index, "fallback_pairs": settings.scatter_fallback_pairs},
    planes={"base_b": base_b, "wide_b_factor": settings.wide_b_factor,
            "first_axis_share": float(axes.eigenvalues[0] / axes.eigenvalues.sum()),
            "scatter_sights": sights, "scatter_view": scatter_view,
            "scatter_r": [float(r[i, j]) for i, j in scatter_pairs],
            "repeat_points": len(repeat_rows), "repeat_r": r_repeat,
            "other": other, "other_r": [float(r[i, j]) for i, j in other_pairs], "other_points": len(other_rows),
            "other_views": other_views, "candidates": settings.plane_candidates},
    slice_filter={"pair": filter_pair, "t": filter_t, "t_from_parameters": settings.slice_half_width is not None,
                  "t_stds": settings.slice_half_width_stds, "n_points": len(sample), "stages": stages},
    table_pairs=settings.table_pairs,
))
