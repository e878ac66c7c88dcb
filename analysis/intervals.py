# %% [markdown]
# # Step `intervals`: component values from per-component intervals (post VII)
# Component j drawn uniformly from [mean_j - f w_j, mean_j + f w_j], independently of the others,
# for several f; decoded grids per f and single faces ordered by distance from the centre.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `analysis.intervals` section
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, results, samplers, stats
from report.params import IntervalsParams

settings = IntervalsParams(**section)
output = Path(output_dir)
rng = np.random.default_rng(step_seed)
z = results.load_latents(inputs["latents"])
n_points, z_dim = z.shape
distributions = results.load_stats(run_dir, "distributions")
centre, stds, full_widths = results.component_columns(distributions)
widths = full_widths if settings.width == "fwhm" else full_widths / 2
low, high = np.asarray(z.min(axis=0), dtype=np.float64), np.asarray(z.max(axis=0), dtype=np.float64)
r = results.load_correlation(run_dir)
covariance = stats.covariance_from_correlation(r, stds)
scale = np.where(stds > 0, stds, 1)
data_sample = np.asarray(z[stats.sample_rows(n_points, 5000, rng)])
data_distances = stats.radii(data_sample - centre)
data_scaled_distances = stats.radii((data_sample - centre) / scale)
data_mahalanobis = stats.mahalanobis_distances(data_sample, centre, covariance)
has_decoder = bool(inputs["decoder"])
if has_decoder:
    from report import model
    from report.data import sources

    decoder = model.load_decoder(inputs["decoder"])
    images = sources.open_images(inputs["images"])
    reference = np.asarray(images[stats.sample_rows(len(images), 2000, rng)])

# %% papermill_description=interval_grids
grids, pool = [], []
for factor in settings.factors:
    vectors = samplers.interval_vectors(centre, widths, factor, settings.rows * settings.columns, rng)
    distances = stats.radii(vectors - centre)
    grid = {
        "factor": factor,
        "distance_mean": float(distances.mean()),
        "scaled_distance_mean": float(stats.radii((vectors - centre) / scale).mean()),
        "mahalanobis_mean": float(stats.mahalanobis_distances(vectors, centre, covariance).mean()),
        "share_inside_ranges": stats.share_inside_ranges(vectors, low, high),
        "figure": None,
    }
    if has_decoder:
        decodes = model.decode_vectors(decoder, vectors)
        grid["figure"] = results.save_figure(output, f"factor-{factor:g}.png",
                                             figures.image_grid(decodes, columns=settings.columns))
        grid["nearest_image_distance"] = float(np.mean(stats.nearest_image_distance(decodes, reference)))
        grid["pixel_spread"] = float(np.mean(stats.pixel_spread(decodes)))
    grids.append(grid)
    pool.append(vectors)
[(g["factor"], round(g["distance_mean"], 2)) for g in grids]

# %%
pool = np.concatenate(pool)
order = samplers.order_by_distance(pool, centre)
picked = order[np.linspace(0, len(order) - 1, min(settings.n_individuals, len(order))).round().astype(int)]
picked_distances = stats.radii(pool[picked] - centre)
individuals = {"distances": picked_distances.tolist(), "figure": None}
if has_decoder:
    decodes = model.decode_vectors(decoder, pool[picked])
    individuals["figure"] = results.save_figure(output, "individuals.png",
                                                figures.individuals(decodes, picked_distances))
    individuals["nearest_image_distance"] = stats.nearest_image_distance(decodes, reference).tolist()
    individuals["pixel_spread"] = stats.pixel_spread(decodes).tolist()

# %%
results.save_stats(output, {
    "n_points": n_points,
    "z_dim": z_dim,
    "has_decoder": has_decoder,
    "width": settings.width,
    "factors": list(settings.factors),
    "grid": [settings.rows, settings.columns],
    "data_distance_mean": float(data_distances.mean()),
    "data_scaled_distance_mean": float(data_scaled_distances.mean()),
    "data_mahalanobis_mean": float(data_mahalanobis.mean()),
    "data_mahalanobis_p99": float(np.percentile(data_mahalanobis, 99)),
    "grids": grids,
    "individuals": individuals,
})
