# %% [markdown]
# # Step `paths`: decoding along straight paths through the centre (post VI)
# The path from the origin to the centre of the z-point cloud, paths through the centre within
# coordinate planes, and the first of them rotated in its plane; each projected onto coordinate
# planes together with the data, and decoded point by point.

# %% tags=["parameters"]
run_dir: str = ""  # this run's folder, build/<variant>
output_dir: str = ""  # where this step's results go (a staging folder)
step_seed: int = 0  # this step's seed, derived from the run's seed
section: dict = {}  # the `analysis.paths` section
inputs: dict = {}  # paths of upstream results

# %%
from pathlib import Path

import numpy as np

from report import figures, results, samplers, stats
from report.params import PathsParams

settings = PathsParams(**section)
output = Path(output_dir)
rng = np.random.default_rng(step_seed)
z = results.load_latents(inputs["latents"])
n_points, z_dim = z.shape
distributions = results.load_stats(run_dir, "distributions")
centre, stds, half_widths = results.component_columns(distributions)
r = results.load_correlation(run_dir)
covariance = stats.covariance_from_correlation(r, stds)
planes = [tuple(p) for p in settings.planes] if settings.planes else stats.choose_pairs(
    r, distributions["dominant"], settings.n_planes)
bad = [p for p in planes if max(p) >= z_dim or p[0] == p[1]]
if bad:
    raise ValueError(f"analysis.paths.planes: {bad} do not fit z_dim {z_dim}")
z_sample = np.asarray(z[stats.sample_rows(n_points, settings.scatter_points, rng)])
data_mahalanobis = stats.mahalanobis_distances(np.asarray(z[stats.sample_rows(n_points, 5000, rng)]), centre, covariance)
has_decoder = bool(inputs["decoder"])
if has_decoder:
    from report import model
    from report.data import sources

    decoder = model.load_decoder(inputs["decoder"])
    images = sources.open_images(inputs["images"])
    reference = np.asarray(images[stats.sample_rows(len(images), 2000, rng)])
planes

# %%
def describe(name, title, path, shown_planes, plane=None, angle=None):
    """Save a path's projections and decoded strip; return its numbers for stats.json."""
    projection = figures.path_projections(z_sample, path, centre, shown_planes)
    entry = {
        "name": name,
        "title": title,
        "plane": list(plane) if plane else None,
        "pair_r": float(r[plane[0], plane[1]]) if plane else None,
        "mahalanobis": stats.mahalanobis_distances(path, centre, covariance).tolist(),
        "angle": angle,
        "length": float(np.linalg.norm(path[-1] - path[0])),
        "radius_start": float(np.linalg.norm(path[0])),
        "radius_end": float(np.linalg.norm(path[-1])),
        "projection": results.save_figure(output, f"{name}-projection.png", projection),
        "strip": None,
    }
    if has_decoder:
        decodes = model.decode_vectors(decoder, path.astype(np.float32))
        labels = [f"{k / (len(path) - 1):.2f}" for k in range(len(path))]
        entry["strip"] = results.save_figure(output, f"{name}-strip.png", figures.image_strip(decodes, labels))
        entry["nearest_image_distance"] = stats.nearest_image_distance(decodes, reference).tolist()
        entry["pixel_spread"] = stats.pixel_spread(decodes).tolist()
    return entry


paths = [describe("origin-centre", "from the origin to the centre",
                  samplers.straight_path(np.zeros(z_dim), centre, settings.n_points), planes)]

# %% papermill_description=plane_paths
for number, (i, j) in enumerate(planes, start=1):
    path = samplers.plane_path(centre, i, j, settings.extent * half_widths[i], settings.extent * half_widths[j],
                               settings.n_points)
    paths.append(describe(f"plane-{number}", f"through the centre in the plane ({i}, {j})", path, [(i, j)],
                          plane=(i, j), angle=0.0))
first_i, first_j = planes[0]
for angle in settings.angles:
    path = samplers.plane_path(centre, first_i, first_j, settings.extent * half_widths[first_i],
                               settings.extent * half_widths[first_j], settings.n_points, angle_deg=angle)
    paths.append(describe(f"plane-1-rotated-{angle:g}", f"the plane ({first_i}, {first_j}) path rotated by {angle:g}°",
                          path, [(first_i, first_j)], plane=(first_i, first_j), angle=angle))
[(p["name"], round(p["length"], 2)) for p in paths]

# %%
results.save_stats(output, {
    "n_points": n_points,
    "z_dim": z_dim,
    "has_decoder": has_decoder,
    "points_per_path": settings.n_points,
    "extent": settings.extent,
    "planes": [list(p) for p in planes],
    "planes_from_parameters": settings.planes is not None,
    "centre_radius": float(np.linalg.norm(centre)),
    "data_mahalanobis_mean": float(data_mahalanobis.mean()),
    "data_mahalanobis_p99": float(np.percentile(data_mahalanobis, 99)),
    "paths": paths,
})
