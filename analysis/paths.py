# %% [markdown]
# # Step `paths`: decoding along straight paths through the centre (post VI)
# The path from the origin to the centre of the z-point cloud, paths through the centre within
# coordinate planes, and the first of them rotated in its plane; each projected onto coordinate
# planes together with the data, and decoded point by point.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("paths", run_dir, request)

import numpy as np

from report import figures, samplers, stats
from report.cloud import open_cloud, open_decoding
from report.errors import ReportError
from report.results.face_measure import FaceCount
from report.results.paths import PathRecord, PathsResults

settings, rng = step.settings, step.rng
cloud = open_cloud(step)
centre, half_widths, r = cloud.centre, cloud.half_widths, cloud.correlation
planes = [tuple(p) for p in settings.planes] if settings.planes else stats.choose_pairs(
    r, cloud.distributions.dominant, settings.n_planes)
bad = [p for p in planes if max(p) >= cloud.z_dim or p[0] == p[1]]
if bad:
    raise ReportError(f"analysis.paths.planes: {bad} do not fit z_dim {cloud.z_dim}")
z_sample = cloud.sample(settings.scatter_points, rng)
data_sample = cloud.sample(settings.data_sample, rng)
data_mahalanobis = cloud.mahalanobis(data_sample)
decoding = open_decoding(step, settings.reference_images)
planes

# %%
def describe(name, title, path, shown_planes, plane=None, angle=None) -> PathRecord:
    """Save a path's projections and decoded strip; return its record."""
    entry = dict(
        name=name,
        title=title,
        plane=plane,
        pair_r=float(r[plane[0], plane[1]]) if plane else None,
        mahalanobis=cloud.mahalanobis(path).tolist(),
        angle=angle,
        length=float(np.linalg.norm(path[-1] - path[0])),
        radius_start=float(np.linalg.norm(path[0])),
        radius_end=float(np.linalg.norm(path[-1])),
        projection=step.figure(f"{name}-projection.png",
                               figures.path_projections(z_sample, path, centre, shown_planes)),
        strip=None,
    )
    if decoding:
        decodes = decoding.decode(path.astype(np.float32))
        marks = decoding.faces(decodes)
        labels = [f"{k / (len(path) - 1):.2f}" for k in range(len(path))]
        entry["strip"] = step.figure(f"{name}-strip.png", figures.image_strip(decodes, labels, faces=marks))
        entry["faces"] = FaceCount.of(marks) if marks is not None else None
        entry["nearest_image_distance"] = stats.nearest_image_distance(decodes, decoding.reference).tolist()
        entry["pixel_spread"] = stats.pixel_spread(decodes).tolist()
    return PathRecord(**entry)


paths = [describe("origin-centre", "from the origin to the centre",
                  samplers.straight_path(np.zeros(cloud.z_dim), centre, settings.n_points), planes)]

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
[(p.name, round(p.length, 2)) for p in paths]

# %%
step.save(PathsResults(
    n_points=cloud.n_points,
    z_dim=cloud.z_dim,
    regularisation=cloud.regularisation,
    has_decoder=decoding is not None,
    points_per_path=settings.n_points,
    extent=settings.extent,
    planes=planes,
    planes_from_parameters=settings.planes is not None,
    centre_radius=float(np.linalg.norm(centre)),
    data_mahalanobis_mean=float(data_mahalanobis.mean()),
    data_mahalanobis_p99=float(np.percentile(data_mahalanobis, 99)),
    paths=paths,
    n_scatter_points=len(z_sample),
    n_data_sample=len(data_sample),
    n_reference_images=len(decoding.reference) if decoding else None,
))
