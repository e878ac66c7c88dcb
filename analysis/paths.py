# %% [markdown]
# # Step `paths`: decoding along straight paths through the centre (post VI)
# The path from the origin to the centre of the z-point cloud, then paths through the centre that cross
# the whole cloud (their ends beyond a stated shell of Mahalanobis distance): within coordinate planes,
# the first of them rotated in its plane, and along the leading principal directions; each projected
# together with the data and decoded point by point, with the pixel change along its row.

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
from report.stats import planes as plane_rules
from report.stats.principal import principal_axes

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
# the origin path is projected onto the planes of the components whose means lie farthest from 0 (in widths):
# there it is longest against the cloud, not a blob between the origin and centre markers
shown_planes = plane_rules.offset_planes(centre, half_widths, settings.n_planes)
z_sample = cloud.sample(settings.scatter_points, rng)
data_sample = cloud.sample(settings.data_sample, rng)
data_mahalanobis = cloud.mahalanobis(data_sample)
z_dim_seen = cloud.whiten.dof  # principal directions the whitening keeps
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
def describe(name, title, path, shown_planes, plane=None, angle=None, kind=None, principal_axis=None,
             reach_widths=None, line_reach=None) -> PathRecord:
    """Save a path's projections and decoded row (one row figure for every path through c)."""
    mahalanobis = cloud.mahalanobis(path)
    combined = kind is not None  # a path through c: one row figure, its projection beside its decodes
    shown_axes = None
    if principal_axis is not None:  # drawn in the plane of its principal direction and the next
        shown_axes = (principal_axis, principal_axis + 1) if principal_axis + 1 < z_dim_seen else (
            principal_axis - 1, principal_axis)
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
        principal_axis=principal_axis,
        shown_axes=shown_axes,
        reach_widths=reach_widths,
        line_reach=line_reach,
        **(plane_rules.plane_sight(axes, *plane) if plane else {}),
    )
    decodes = marks = change = None
    labels = [f"{k / (len(path) - 1):.2f}" for k in range(len(path))]
    if decoding:
        decodes = decoding.decode(path.astype(np.float32))
        marks = decoding.faces(decodes)
        change = plane_rules.row_pixel_change(decodes)
        entry.update(pixel_change=change["largest"], neighbour_change=change["neighbours"],
                     changes=change["largest"] >= settings.still_change)
    framed = marks if entry.get("changes", True) else None  # a row that does not change: no face frames
    if combined:
        below = [f"{t}\nM {m:.0f}" for t, m in zip(labels, mahalanobis)]
        if shown_axes is None:
            row = figures.plane_path_row(z_sample, path, centre, plane, decodes, below, framed)
        else:  # principal coordinates around c: (x - c) V[:, (a, b)]
            basis = axes.eigenvectors[:, list(shown_axes)]
            row = figures.plane_path_row((z_sample - centre) @ basis, (path - centre) @ basis, np.zeros(2), (0, 1),
                                         decodes, below, framed, axis_labels=tuple(f"PC{a + 1}" for a in shown_axes),
                                         origin=False)
        entry["row"] = step.figure(f"{name}-row.png", row)
    if decoding:
        if not combined:
            entry["strip"] = step.figure(f"{name}-strip.png", figures.image_strip(decodes, labels, faces=framed))
        entry["faces"] = FaceCount.of(marks) if marks is not None else None
        entry["nearest_image_distance"] = stats.nearest_image_distance(decodes, decoding.reference).tolist()
        entry["pixel_spread"] = stats.pixel_spread(decodes).tolist()
        entry["end_change"] = rms_difference(decodes[:1], decodes[-1:])
    return PathRecord(**entry)


paths = [describe("origin-centre", "origin to centre",
                  samplers.straight_path(np.zeros(cloud.z_dim), centre, settings.n_points), shown_planes)]

# %% papermill_description=plane_paths
def across(direction):
    """The path through c along `direction`: it crosses the cloud along its own line, from beyond the shell of the real
    z-points' projections onto that line on one side, through c, to beyond it on the other."""
    reach = plane_rules.line_reach(data_sample, centre, direction, settings.shell_percentile)
    return plane_rules.path_across_cloud(centre, direction, settings.end_factor * reach, settings.n_points), reach


def plane_path(i, j, angle=0.0):
    """The path through c in the plane (i, j): direction (half_width_i, half_width_j) turned by angle."""
    direction = plane_rules.plane_direction(cloud.z_dim, i, j, half_widths[i], half_widths[j], angle)
    path, reach = across(direction)
    return path, reach, float(np.linalg.norm(path[-1] - centre) / np.linalg.norm(direction))


for number, ((i, j), kind) in enumerate(zip(planes, kinds), start=1):
    path, reach, widths = plane_path(i, j)
    title = {"first": "first plane", "core": "core plane", "border": "border plane"}.get(kind, "plane")
    paths.append(describe(f"plane-{number}", title, path, [(i, j)], plane=(i, j), angle=0.0, kind=kind,
                          reach_widths=widths, line_reach=reach))
first_i, first_j = planes[0]
for angle in settings.angles:
    path, reach, widths = plane_path(first_i, first_j, angle)
    paths.append(describe(f"plane-1-rotated-{angle:g}", "first plane, rotated", path, [(first_i, first_j)],
                          plane=(first_i, first_j), angle=angle, kind="rotated", reach_widths=widths,
                          line_reach=reach))
for a in range(min(settings.principal_paths, z_dim_seen)):
    path, reach = across(axes.eigenvectors[:, a])
    paths.append(describe(f"principal-{a + 1}", f"along PC{a + 1}", path, [], kind="principal", principal_axis=a,
                          line_reach=reach))
[(p.name, round(p.length, 2), p.pixel_change) for p in paths]

# %%
step.save(PathsResults(
    n_points=cloud.n_points,
    z_dim=cloud.z_dim,
    regularisation=cloud.regularisation,
    has_decoder=decoding is not None,
    points_per_path=settings.n_points,
    extent=settings.extent,
    shell_percentile=settings.shell_percentile,
    end_factor=settings.end_factor,
    still_change=settings.still_change,
    confidence_level=step.shared("analysis.uncertainty").confidence_level,
    planes=planes,
    shown_planes=shown_planes,
    shown_offsets=[float(abs(centre[k]) / half_widths[k]) for plane in shown_planes for k in plane],
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
