# %% [markdown]
# # Step `statistical_points`: decoding simple statistical z-points (post V)
# Vectors with independent components uniform in [-b, b], for several b and the b whose radii
# match the data's (post II): where each batch lies relative to the data, and what the decoder makes of it.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `analysis.statistical_points` section
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, results, stats
from report.params import StatisticalPointsParams

settings = StatisticalPointsParams(**section)
output = Path(output_dir)
rng = np.random.default_rng(step_seed)
z = results.load_latents(inputs["latents"])
n_points, z_dim = z.shape
distributions = results.load_stats(run_dir, "distributions")
has_decoder = bool(inputs["decoder"])
low, high = np.asarray(z.min(axis=0), dtype=np.float64), np.asarray(z.max(axis=0), dtype=np.float64)
data_radii = stats.radii(z)
radius_low, radius_high = np.percentile(data_radii, [1, 99])
centre, stds, _ = results.component_columns(distributions)
r = results.load_correlation(run_dir)
covariance = stats.covariance_from_correlation(r, stds)
data_mahalanobis = stats.mahalanobis_distances(np.asarray(z[stats.sample_rows(n_points, 5000, rng)]), centre, covariance)
b_values = sorted({*settings.b_values, round(distributions["matching_b"], 2)})
b_values

# %%
if has_decoder:
    from report import model
    from report.data import sources

    decoder = model.load_decoder(inputs["decoder"])
    images = sources.open_images(inputs["images"])
    reference = np.asarray(images[stats.sample_rows(len(images), 2000, rng)])
    real_rows = stats.sample_rows(n_points, settings.rows * settings.columns, rng)
    real_decodes = model.decode_vectors(decoder, np.asarray(z[real_rows]))
    real_grid = figures.image_grid(real_decodes, columns=settings.columns)
    results.save_figure(output, "real-reconstructions.png", real_grid)
    real_distance = float(np.mean(stats.nearest_image_distance(real_decodes, reference)))
    real_spread = float(np.mean(stats.pixel_spread(real_decodes)))

# %% papermill_description=batches
batches = []
for b in b_values:
    vectors = stats.uniform_vectors(settings.n_vectors, z_dim, b, rng)
    radii = stats.radii(vectors)
    batch = {
        "b": b,
        "is_matching_b": b == round(distributions["matching_b"], 2),
        "radius_mean": float(radii.mean()),
        "share_inside_ranges": stats.share_inside_ranges(vectors, low, high),
        "share_radius_in_data_range": float(np.mean((radii >= radius_low) & (radii <= radius_high))),
        "mahalanobis_mean": float(stats.mahalanobis_distances(vectors, centre, covariance).mean()),
        "figure": None,
    }
    if has_decoder:
        shown = vectors[: settings.rows * settings.columns]
        decodes = model.decode_vectors(decoder, shown)
        batch["figure"] = results.save_figure(output, f"uniform-b-{b:g}.png",
                                              figures.image_grid(decodes, columns=settings.columns))
        batch["nearest_image_distance"] = float(np.mean(stats.nearest_image_distance(decodes, reference)))
        batch["pixel_spread"] = float(np.mean(stats.pixel_spread(decodes)))
    batches.append(batch)
batches

# %%
results.save_stats(output, {
    "n_points": n_points,
    "z_dim": z_dim,
    "has_decoder": has_decoder,
    "b_values": b_values,
    "matching_b": distributions["matching_b"],
    "data_radius_mean": float(data_radii.mean()),
    "data_radius_range": [float(radius_low), float(radius_high)],
    "n_vectors": settings.n_vectors,
    "grid": [settings.rows, settings.columns],
    "batches": batches,
    "real_nearest_image_distance": real_distance if has_decoder else None,
    "real_pixel_spread": real_spread if has_decoder else None,
    "data_mahalanobis_mean": float(data_mahalanobis.mean()),
})
