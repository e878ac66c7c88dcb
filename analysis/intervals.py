# %% [markdown]
# # Step `intervals`: component values from per-component intervals (post VII)
# Component j drawn uniformly from [mean_j - f w_j, mean_j + f w_j], independently of the others,
# for several f; decoded grids per f and single faces ordered by distance from the centre.

# %% tags=["parameters"]
run_dir: str = "build/tiny"  # a finished build; the pipeline passes this run's folder
request: dict = {}  # set by the pipeline; empty: replay the last build's request for this step

# %%
from report.notebook import open_step

step = open_step("intervals", run_dir, request)

import numpy as np

from report import figures, samplers, stats
from report.cloud import open_cloud, open_decoding
from report.face_verdicts import clear_share
from report.results.face_measure import FaceCount
from report.results.intervals import Individuals, IntervalGrid, IntervalsResults
from report.stats import positions

settings, rng = step.settings, step.rng
cloud = open_cloud(step)
centre = cloud.centre
widths = cloud.half_widths if settings.width == "fwhm" else cloud.half_widths / 2
low, high = positions.component_ranges(cloud.z)
scale = positions.std_scale(cloud.stds)
data_sample = cloud.sample(settings.data_sample, rng)
data_distances, data_scaled_distances = positions.centre_distances(data_sample, centre, scale)
data_mahalanobis = cloud.mahalanobis(data_sample)
decoding = open_decoding(step, settings.reference_images)
confidence = step.shared("analysis.uncertainty").confidence_level

# %% papermill_description=interval_grids
grids, pool = [], []
for factor in settings.factors:
    vectors = samplers.interval_vectors(centre, widths, factor, settings.rows * settings.columns, rng)
    distances, scaled_distances = positions.centre_distances(vectors, centre, scale)
    grid = dict(
        factor=factor,
        distance_mean=float(distances.mean()),
        scaled_distance_mean=float(scaled_distances.mean()),
        mahalanobis_mean=float(cloud.mahalanobis(vectors).mean()),
        share_inside_ranges=stats.share_inside_ranges(vectors, low, high),
        figure=None,
    )
    if decoding:
        decodes = decoding.decode(vectors)
        marks = decoding.faces(decodes)
        grid["figure"] = step.figure(f"factor-{factor:g}.png",
                                     figures.image_grid(decodes, columns=settings.columns, faces=marks))
        grid["nearest_image_distance"], grid["pixel_spread"] = decoding.scores(decodes)
        grid["pixel_spread_interval"] = decoding.spread_interval(decodes, confidence)
        if marks is not None:
            # More decodes of this f than the grid shows, for a face share with a smaller sampling error.
            extra = samplers.interval_vectors(centre, widths, factor, max(0, settings.scored_decodes - len(vectors)),
                                              rng)
            judged = np.concatenate([marks, decoding.faces(decoding.decode(extra))]) if len(extra) else marks
            grid.update(faces=FaceCount.of(marks), face_share=clear_share(judged), n_scored=len(judged))
    grids.append(IntervalGrid(**grid))
    pool.append(vectors)
[(g.factor, round(g.distance_mean, 2)) for g in grids]

# %%
pool = np.concatenate(pool)
picked = samplers.evenly_by_distance(pool, centre, settings.n_individuals)
picked_distances = stats.radii(pool[picked] - centre)
individuals = dict(distances=picked_distances.tolist(), figure=None)
if decoding:
    decodes = decoding.decode(pool[picked])
    marks = decoding.faces(decodes)
    individuals["figure"] = step.figure("individuals.png", figures.individuals(decodes, picked_distances, faces=marks))
    individuals["faces"] = FaceCount.of(marks) if marks is not None else None
    individuals["nearest_image_distance"] = stats.nearest_image_distance(decodes, decoding.reference).tolist()
    individuals["pixel_spread"] = stats.pixel_spread(decodes).tolist()

# %%
step.save(IntervalsResults(
    n_points=cloud.n_points,
    z_dim=cloud.z_dim,
    regularisation=cloud.regularisation,
    has_decoder=decoding is not None,
    width=settings.width,
    factors=list(settings.factors),
    grid=(settings.rows, settings.columns),
    data_distance_mean=float(data_distances.mean()),
    data_scaled_distance_mean=float(data_scaled_distances.mean()),
    data_mahalanobis_mean=float(data_mahalanobis.mean()),
    data_mahalanobis_p99=float(np.percentile(data_mahalanobis, 99)),
    grids=grids,
    individuals=Individuals(**individuals),
    n_data_sample=len(data_sample),
    n_reference_images=len(decoding.reference) if decoding else None,
))
