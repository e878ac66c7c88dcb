# %% [markdown]
# # Step `distributions`: number distributions of the latent components (post II)
# Per component the histogram, mean, standard deviation and full width at half maximum; the
# dominant components; the radii of the latent vectors against those of uniform vectors in [-b, b]^N.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("distributions", run_dir, request)

from report import figures, stats
from report.data.sources import load_zpoints
from report.results.distributions import Component, DistributionsResults, component_columns

settings, rng = step.settings, step.rng
z = load_zpoints(step.input("latents"))
n_points, z_dim = z.shape
z.shape

# %% papermill_description=components
summary = stats.component_summary(z, settings.bin_width, resolution=settings.half_width_resolution)
edges, counts = stats.component_histograms(z, settings.bin_width)
components = [Component(**c) for c in summary["components"]]
means, stds, half_widths = component_columns(components)
dominant = stats.dominant_components(means, half_widths, settings.dominant_mean_factor, settings.dominant_width_factor)
overview = stats.component_overview(means, stds, half_widths, settings.dominant_mean_factor,
                                    settings.dominant_width_factor)
dominant, overview

# %% papermill_description=radii
data_radii = stats.radii(z)
radius = stats.radius_summary(data_radii, settings.radius_bins)
comparison = stats.uniform_radius_comparison(z_dim, settings.uniform_b, settings.n_uniform, rng, data_radii=data_radii)
uniform_radii = {b: stats.radii(stats.uniform_vectors(settings.n_uniform, z_dim, b, rng)) for b in settings.uniform_b}
matching_b = stats.best_uniform_b(radius["mean"], z_dim)
closest_b = stats.closest_uniform_b(comparison, radius["mean"])
radius, matching_b, closest_b

# %%
highlighted = dominant[: settings.highlight_components]
all_curves = figures.component_histograms(edges, counts, highlight=highlighted)
step.figure("component-histograms.png", all_curves)
all_curves

# %%
# the widest dominant components; without dominant ones, the widest components of all
if dominant:
    shown_dominant = stats.widest_components(half_widths, settings.max_dominant_panels, among=dominant)
else:
    shown_dominant = stats.widest_components(half_widths, settings.widest_panels)
apart = figures.dominant_histograms(edges, counts, shown_dominant, means, half_widths)
step.figure("dominant-histograms.png", apart)
apart

# %%
radius_figure = figures.radius_histograms(
    data_radii, uniform_radii, expected={row["b"]: row["expected_mean"] for row in comparison}
)
step.figure("radius-histograms.png", radius_figure)
radius_figure

# %%
step.save(DistributionsResults(
    n_points=n_points,
    z_dim=z_dim,
    bin_width=settings.bin_width,
    half_width_bin=summary["half_width_bin"],
    components=components,
    dominant=dominant,
    dominant_figure_components=shown_dominant,
    highlighted_components=highlighted,
    **overview,
    radius=radius,
    uniform=comparison,
    matching_b=matching_b,
    closest_b=closest_b,
))
