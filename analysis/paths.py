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
from report.stats import planes as plane_rules
from report.stats.principal import principal_axes
from report.cloud import open_cloud, open_decoding
from report.errors import ReportError
from report.results.face_measure import FaceCount
from report.results.paths import PathRecord, PathsResults

settings, rng = step.settings, step.rng
cloud = open_cloud(step)
centre, half_widths, r = cloud.centre, cloud.half_widths, cloud.correlation
axes = principal_axes(centre, cloud.covariance)
if settings.planes:  # from the parameter file: the first is rotated, the others are core or border by their numbers
    planes = [tuple(p) for p in settings.planes]
    bad = [p for p in planes if max(p) >= cloud.z_dim or p[0] == p[1]]
    if bad:
        raise ReportError(f"analysis.paths.planes: {bad} do not fit z_dim {cloud.z_dim}")
    kinds = ["first"] + ["chosen"] * (len(planes) - 1)
else:  # the strongest-correlated dominant pair, then core and border planes one per principal direction
    first = stats.choose_pairs(r, cloud.distributions.dominant, 1)[0]
    core, border = plane_rules.core_and_border_planes(
        axes, settings.extent * half_widths, settings.core_planes, settings.border_planes,
        candidates=settings.plane_candidates, exclude=[first],
        seen_axes=[plane_rules.plane_sight(axes, *first)["sees_axis"]], whiten=cloud.whiten)
    planes = [first, *[(p["i"], p["j"]) for p in core], *[(p["i"], p["j"]) for p in border]]
    kinds = ["first"] + ["core"] * len(core) + ["border"] * len(border)
# the origin path is projected onto the first plane, then core and border planes in turn
others = list(zip(planes[1:], kinds[1:]))
shown_planes = [planes[0]]
core_side = [p for p, kind in others if kind != "border"]
border_side = [p for p, kind in others if kind == "border"][::-1]
for k in range(max(len(core_side), len(border_side))):
    shown_planes += core_side[k:k + 1] + border_side[k:k + 1]
shown_planes = shown_planes[:settings.n_planes]
z_sample = cloud.sample(settings.scatter_points, rng)
data_sample = cloud.sample(settings.data_sample, rng)
data_mahalanobis = cloud.mahalanobis(data_sample)
decoding = open_decoding(step, settings.reference_images)


def rms_difference(a, b) -> float:
    """Mean over image pairs of the RMS pixel difference (pixels in [0, 1])."""
    d = (np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32)) / 255
    return float(np.sqrt((d**2).reshape(len(d), -1).mean(axis=1)).mean())


# the yardstick of change along a path: how much two different training images differ
half = len(decoding.reference) // 2 if decoding else 0
image_pair_distance = rms_difference(decoding.reference[:half], decoding.reference[half:2 * half]) if half else None
planes

# %%
def describe(name, title, path, shown_planes, plane=None, angle=None, kind=None) -> PathRecord:
    """Save a path's projections and decoded strip (one row figure for core, border and chosen planes)."""
    mahalanobis = cloud.mahalanobis(path)
    combined = plane is not None  # a plane path: one row figure, its projection beside its decodes
    entry = dict(
        name=name,
        title=title,
        plane=plane,
        pair_r=float(r[plane[0], plane[1]]) if plane else None,
        mahalanobis=mahalanobis.tolist(),
        angle=angle,
        length=float(np.linalg.norm(path[-1] - path[0])),
        radius_start=float(np.linalg.norm(path[0])),
        radius_end=float(np.linalg.norm(path[-1])),
        projection=None if combined else step.figure(
            f"{name}-projection.png", figures.path_projections(z_sample, path, centre, shown_planes)),
        strip=None,
        kind=kind,
        **(plane_rules.plane_sight(axes, *plane) if plane else {}),
    )
    decodes = marks = None
    labels = [f"{k / (len(path) - 1):.2f}" for k in range(len(path))]
    if decoding:
        decodes = decoding.decode(path.astype(np.float32))
        marks = decoding.faces(decodes)
    if combined:
        entry["row"] = step.figure(f"{name}-row.png", figures.plane_path_row(
            z_sample, path, centre, plane, decodes, [f"{t}\nM {m:.0f}" for t, m in zip(labels, mahalanobis)], marks))
    if decoding:
        if not combined:
            entry["strip"] = step.figure(f"{name}-strip.png", figures.image_strip(decodes, labels, faces=marks))
        entry["faces"] = FaceCount.of(marks) if marks is not None else None
        entry["nearest_image_distance"] = stats.nearest_image_distance(decodes, decoding.reference).tolist()
        entry["pixel_spread"] = stats.pixel_spread(decodes).tolist()
        entry["end_change"] = rms_difference(decodes[:1], decodes[-1:])
    return PathRecord(**entry)


paths = [describe("origin-centre", "origin to centre",
                  samplers.straight_path(np.zeros(cloud.z_dim), centre, settings.n_points), shown_planes)]

# %% papermill_description=plane_paths
for number, ((i, j), kind) in enumerate(zip(planes, kinds), start=1):
    path = samplers.plane_path(centre, i, j, settings.extent * half_widths[i], settings.extent * half_widths[j],
                               settings.n_points)
    title = {"first": "first plane", "core": "core plane", "border": "border plane"}.get(kind, "plane")
    paths.append(describe(f"plane-{number}", title, path, [(i, j)], plane=(i, j), angle=0.0, kind=kind))
first_i, first_j = planes[0]
for angle in settings.angles:
    path = samplers.plane_path(centre, first_i, first_j, settings.extent * half_widths[first_i],
                               settings.extent * half_widths[first_j], settings.n_points, angle_deg=angle)
    paths.append(describe(f"plane-1-rotated-{angle:g}", "first plane, rotated",
                          path, [(first_i, first_j)], plane=(first_i, first_j), angle=angle, kind="rotated"))
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
    shown_planes=shown_planes,
    first_axis_share=float(axes.eigenvalues[0] / axes.eigenvalues.sum()),
    planes_from_parameters=settings.planes is not None,
    centre_radius=float(np.linalg.norm(centre)),
    data_mahalanobis_mean=float(data_mahalanobis.mean()),
    data_mahalanobis_p99=float(np.percentile(data_mahalanobis, 99)),
    image_pair_distance=image_pair_distance,
    plane_candidates=settings.plane_candidates,
    paths=paths,
    n_scatter_points=len(z_sample),
    n_data_sample=len(data_sample),
    n_reference_images=len(decoding.reference) if decoding else None,
))
