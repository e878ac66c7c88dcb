# %% [markdown]
# # Step `origin_slices`: the surroundings of the origin (post IV)
# Projections of the z-points near the origin onto planes of chosen component pairs, with
# artificial uniform points; the slice where every other component lies in [-t, t].

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("origin_slices", run_dir, request)

import numpy as np
from IPython.display import display

from report import figures, stats
from report.cloud import open_cloud
from report.errors import ReportError
from report.results.origin_slices import OriginSlicesResults
from report.stats import origin, planes, positions
from report.stats.principal import principal_axes

settings, rng = step.settings, step.rng
cloud = open_cloud(step)
z, distributions, means, stds, r = cloud.z, cloud.distributions, cloud.centre, cloud.stds, cloud.correlation
n_points, z_dim = z.shape
t = settings.slice_half_width or settings.slice_half_width_stds * distributions.median_std
uniform_b = settings.uniform_b or distributions.matching_b
axes = principal_axes(means, cloud.covariance)
options = []
if settings.pairs:
    pairs = [tuple(p) for p in settings.pairs]
    bad = [p for p in pairs if max(p) >= z_dim or p[0] == p[1]]
    if bad:
        raise ReportError(f"analysis.origin_slices.pairs: {bad} do not fit z_dim {z_dim}")
else:  # one plane per principal direction; a plane whose slice keeps an earlier plane's count is skipped
    options = planes.distinct_planes(axes, 4 * settings.n_pairs, candidates=settings.plane_candidates)
    option_counts = [int(stats.slice_mask(z, (p["i"], p["j"]), t).sum()) for p in options]
    pairs = [(options[k]["i"], options[k]["j"]) for k in planes.distinct_counts(options, option_counts, settings.n_pairs)]
sights = [planes.plane_sight(axes, i, j) for i, j in pairs]
pairs

# %%
# The origin's place, which posts I, IV, VI and IX all print from this record: its Mahalanobis distance
# against the z-points' distances, its farthest principal axis, and one verdict with stated thresholds.
position = stats.origin_position(z, means)
position["data_distance_mean"] = float(positions.centre_distances(z, means, np.ones(z_dim))[0].mean())
place = origin.origin_place(z, cloud.whiten, percentile=settings.cloud_percentile)
thresholds = dict(border_share=settings.origin_border_share, outer_share=settings.origin_outer_share,
                  core_share=settings.origin_core_share)
position["mahalanobis"] = dict(place, upper_percentile=settings.cloud_percentile, far_sigmas=settings.origin_far_sigmas,
                               verdict=origin.origin_verdict(place["share_farther"], **thresholds), **thresholds)
sample = stats.sample_rows(n_points, settings.sample_size, rng)
z_sample = np.asarray(z[sample])
overview_uniform = stats.uniform_vectors(settings.n_overview_uniform, z_dim, uniform_b, rng)
slice_uniform = stats.uniform_vectors(settings.n_uniform, z_dim, uniform_b, rng)
zoom = settings.zoom * t
position

# %% papermill_description=slices
slices = []
for number, pair in enumerate(pairs, start=1):
    counts = stats.slice_counts(z, pair, t, settings.sample_size, rng, uniform=slice_uniform, rows=sample)
    counts["expected_independent"] = stats.expected_slice_fraction(stds, pair, t)
    counts["expected_independent_shifted"] = stats.expected_slice_fraction(stds, pair, t, means=means)
    counts["pair_r"] = float(r[pair[0], pair[1]])
    all_mask = stats.slice_mask(z, pair, t)
    sample_mask = all_mask[sample]
    uniform_mask = stats.slice_mask(slice_uniform, pair, t)
    label = f"|z_k| ≤ {t:.2g} for k ∉ {{{pair[0]}, {pair[1]}}}"
    panels = {
        "overview": figures.origin_projection(z_sample, pair, uniform=overview_uniform,
                                              title=f"{len(sample):,} z-points, {settings.n_overview_uniform} uniform (b = {uniform_b:.2g})"),
        "zoom": figures.origin_projection(z_sample, pair, uniform=overview_uniform, zoom=zoom,
                                          title=f"around the origin, ±{zoom:.2g}"),
        "slice-sample": figures.slice_projection(z_sample[sample_mask], pair, uniform_slice=slice_uniform[uniform_mask],
                                                 title=f"{label}: {int(sample_mask.sum())} of {len(sample):,}", zoom=zoom),
        "slice-all": figures.slice_projection(np.asarray(z[all_mask]), pair, uniform_slice=None,
                                              title=f"{label}: {int(all_mask.sum())} of {n_points:,}", zoom=zoom),
    }
    for kind, fig in panels.items():
        step.figure(f"pair-{number}-{kind}.png", fig)
        display(fig)
    slices.append(counts)
slices

# %% papermill_description=misleading
non_dominant = [k for k in range(z_dim) if k not in set(distributions.dominant)]
misleading = []
for number, plane in enumerate(planes.distinct_planes(axes, settings.n_misleading, candidates=settings.plane_candidates,
                                                      components=non_dominant, exclude=pairs), start=1):
    pair = (plane["i"], plane["j"])
    fig = figures.origin_projection(z_sample, pair, uniform=slice_uniform,
                                    title=f"non-dominant ({pair[0]}, {pair[1]}): {len(sample):,} z-points, {len(slice_uniform)} uniform")
    step.figure(f"misleading-{number}.png", fig)
    display(fig)
    misleading.append({**plane, "r": float(r[pair[0], pair[1]]),
                       "in_view": planes.projection_overlap(z_sample, slice_uniform, pair),
                       "nearest_ratio": planes.nearest_distance_ratio(z_sample, slice_uniform),
                       "n_uniform": len(slice_uniform),
                       "all_kept": int(stats.slice_mask(z, pair, t).sum())})
misleading

# %%
step.save(OriginSlicesResults(
    n_points=n_points,
    z_dim=z_dim,
    regularisation=cloud.regularisation,
    pairs=pairs,
    pairs_from_parameters=settings.pairs is not None,
    slice_half_width=t,
    slice_half_width_from_parameters=settings.slice_half_width is not None,
    slice_half_width_stds=settings.slice_half_width_stds,
    median_std=distributions.median_std,
    uniform_b=uniform_b,
    uniform_b_from_parameters=settings.uniform_b is not None,
    n_uniform=settings.n_uniform,
    n_overview_uniform=settings.n_overview_uniform,
    sample_size=len(sample),
    zoom=settings.zoom,
    zoom_half_width=zoom,
    origin=position,
    slices=slices,
    sights=sights,
    pairs_requested=settings.n_pairs,
    planes_tried=len(options),
    plane_candidates=settings.plane_candidates,
    first_axis_share=float(axes.eigenvalues[0] / axes.eigenvalues.sum()),
    misleading=misleading,
))
