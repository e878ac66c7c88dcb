# %% [markdown]
# # Step `distributions`: number distributions of the latent components (post II)
# Per component the histogram, mean, standard deviation and full width at half maximum; the
# dominant components; the radii of the latent vectors against those of uniform vectors in [-b, b]^N.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `analysis.distributions` section
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, results, stats
from report.params import DistributionsParams

settings = DistributionsParams(**section)
output = Path(output_dir)
rng = np.random.default_rng(step_seed)
z = results.load_latents(inputs["latents"])
n_points, z_dim = z.shape
z.shape

# %% papermill_description=components
summary = stats.component_summary(z, settings.bin_width, resolution=settings.half_width_resolution)
edges, counts = stats.component_histograms(z, settings.bin_width)
means, stds, half_widths = results.component_columns(summary)
dominant = stats.dominant_components(means, half_widths, settings.dominant_mean_factor, settings.dominant_width_factor)
median_half_width = float(np.median(half_widths))
dominant

# %% papermill_description=radii
data_radii = stats.radii(z)
radius = stats.radius_summary(data_radii, settings.radius_bins)
comparison = stats.uniform_radius_comparison(z_dim, settings.uniform_b, settings.n_uniform, rng, data_radii=data_radii)
uniform_radii = {b: stats.radii(stats.uniform_vectors(settings.n_uniform, z_dim, b, rng)) for b in settings.uniform_b}
matching_b = stats.best_uniform_b(radius["mean"], z_dim)
closest_b = stats.closest_uniform_b(comparison, radius["mean"])
radius, matching_b, closest_b

# %%
all_curves = figures.component_histograms(edges, counts, highlight=dominant[:10])
results.save_figure(output, "component-histograms.png", all_curves)
all_curves

# %%
# the widest dominant components first; without dominant ones, the four widest components
candidates = dominant if dominant else range(z_dim)
shown_dominant = sorted(candidates, key=lambda k: -half_widths[k])[: settings.max_dominant_panels if dominant else 4]
shown_dominant = sorted(int(k) for k in shown_dominant)
apart = figures.dominant_histograms(edges, counts, shown_dominant, means, half_widths)
results.save_figure(output, "dominant-histograms.png", apart)
apart

# %%
radius_figure = figures.radius_histograms(
    data_radii, uniform_radii, expected={row["b"]: row["expected_mean"] for row in comparison}
)
results.save_figure(output, "radius-histograms.png", radius_figure)
radius_figure

# %%
centre_radius = float(np.linalg.norm(means))
results.save_stats(output, {
    "n_points": n_points,
    "z_dim": z_dim,
    "bin_width": settings.bin_width,
    "half_width_bin": summary["half_width_bin"],
    "components": summary["components"],
    "dominant": dominant,
    "dominant_figure_components": [int(k) for k in shown_dominant],
    "dominant_rule": {
        "mean_factor": settings.dominant_mean_factor,
        "width_factor": settings.dominant_width_factor,
        "median_half_width": median_half_width,
        "mean_threshold": settings.dominant_mean_factor * median_half_width,
        "width_threshold": settings.dominant_width_factor * median_half_width,
    },
    "median_std": float(np.median(stds)),
    "max_abs_mean": {"index": int(np.argmax(np.abs(means))), "value": float(means[np.argmax(np.abs(means))])},
    "max_half_width": {"index": int(np.argmax(half_widths)), "value": float(half_widths.max())},
    "share_covering_origin": float(np.mean(np.abs(means) <= half_widths / 2)),
    "radius": radius,
    "centre_radius": centre_radius,
    "uniform": comparison,
    "matching_b": matching_b,
    "closest_b": closest_b,
})
